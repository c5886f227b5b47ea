"""LinkedIn on loopback: OAuth, userinfo and page roles, the versioned REST Posts API with image, video and
document uploads, and the analytics finders (PLATFORMS.md §4 and §13).

What it holds to, as LinkedIn does: ``/rest/*`` needs ``LinkedIn-Version`` (an active YYYYMM, i.e. released
within the last 12 months) and ``X-Restli-Protocol-Version: 2.0.0``; errors are ``{status, code, message,
serviceErrorCode}``; a post answers 201 with an empty body and ``x-restli-id``; an identical post answers 422
"Content is a duplicate of urn:li:share:…"; the daily post quota answers 429 without any reset header;
commentary is read as Little Text, so the text after an unescaped reserved character is lost; unknown paths and
wrong methods answer in the same envelope (``No virtual resource found``).

Media readiness, as LinkedIn behaves: an image may be used in a post as soon as its bytes are uploaded (LinkedIn's
own image-post flow goes straight from the PUT to ``POST /rest/posts``; small images become ``AVAILABLE`` within
moments), while a video or document must be ``AVAILABLE`` first (``MEDIA_NOT_READY`` until then). Knobs can make
an image post wait for ``AVAILABLE`` too, or refuse the image status read (LinkedIn may answer 403 to
``GET /rest/images`` for a token with only ``w_member_social``), so a client is tested against both.

``/feed/update/{urn}`` is the Sandbox's web view of a published post.

Tests may tune it through ``state.objects["config"]`` (see ``DEFAULTS``) and ``state.objects["metrics"]``.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from socialhub.sandbox.common import Fault, OAuthRules, SandboxState, SandboxUser, Token, TokenError, sandbox_app
from socialhub.sandbox.oauth import authorize_handler, oauth_error, read_form, revoke_handler, token_handler
from socialhub.sandbox.web import Medium, missing_page, post_page, size

USER = SandboxUser(id="yrZCpj2Z12", username="sandra-box", name="Sandra Box", avatar_url="https://media.licdn.test/sb")
MEMBER = f"urn:li:person:{USER.id}"
# (urn, name, vanity name, the member's role): analysts may not post, so clients should not offer that page.
ORGANIZATIONS = [
    ("urn:li:organization:2414183", "Sandbox Bakery", "sandbox-bakery", "ADMINISTRATOR"),
    ("urn:li:organization:5515715", "Loopback Labs", "loopback-labs", "CONTENT_ADMINISTRATOR"),
    ("urn:li:organization:1337001", "Read Only Inc", "read-only-inc", "ANALYST"),
]
POSTING_ROLES = {"ADMINISTRATOR", "CONTENT_ADMINISTRATOR"}
DEFAULTS: dict[str, Any] = {
    "daily_post_limit": 150,  # "Share on LinkedIn": 150 per member per day
    "video_part_bytes": 4 * 1024 * 1024,  # LinkedIn's part size
    "image_polls": 0,  # status polls answered PROCESSING before AVAILABLE
    "image_post_needs_available": False,  # True: an image post is refused (MEDIA_NOT_READY) until AVAILABLE
    "image_reads_forbidden": False,  # True: GET /rest/images/{urn} answers 403, as it may for a posting-only token
    "document_polls": 1,
    "video_polls": 2,
    "fail_processing": False,  # True: the next processed medium ends PROCESSING_FAILED
}
DEFAULT_METRICS = {"impressions": 120, "reach": 95, "clicks": 14, "likes": 9, "comments": 3, "shares": 2}
RESERVED = set("\\|{}@[]()<>#*_~")
HASHTAG = re.compile(r"\{hashtag\|(\\#|＃)\|([^}|]+)\}")  # the sign: "#" (escaped) or the full-width "＃"
# A mention's name is Little Text too: reserved characters in it come escaped ("@[Acme \(EU\)](urn:…)").
MENTION = re.compile(r"@\[((?:\\.|[^\]\\])+)\]\(urn:li:(?:person|organization):[\w-]+\)")
_ESCAPED = re.compile(r"\\(.)")
REFRESH_TTL = 365 * 86400  # fixed from the original authorisation; refreshing never extends it


def build() -> tuple[Any, SandboxState]:
    state = SandboxState("linkedin", OAuthRules(access_ttl=60 * 86400, issue_refresh=True), USER)
    return sandbox_app(state, routes(state), render_fault, render_error), state


def error(status: int, message: str, code: str | None = None, service: int | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {"status": status, "message": message, **extra}
    if code:
        body["code"] = code
    if service is not None:
        body["serviceErrorCode"] = service
    return JSONResponse(body, status_code=status)


def render_fault(fault: Fault, request: Request) -> Response:
    if fault.kind == "401":
        return error(401, "Invalid access token", "INVALID_ACCESS_TOKEN", 65600)
    if fault.kind == "429":  # LinkedIn sends no reset header: its quotas reset at midnight UTC
        return error(
            429,
            "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
            "TOO_MANY_REQUESTS",
            101,
        )
    if fault.kind == "503":
        return error(503, "Service Unavailable", "SERVICE_UNAVAILABLE")
    if fault.kind == "duplicate":
        state: SandboxState = request.app.state.sandbox
        urn = state.published[-1].id if state.published else f"urn:li:share:{state.new_id()}"
        return duplicate(urn)
    return error(500, "Internal Server Error", "INTERNAL_SERVER_ERROR")


def render_error(request: Request, status: int) -> Response:
    if status == 405:
        return error(405, f"Method {request.method} is not allowed on this resource", "METHOD_NOT_ALLOWED")
    return error(404, "No virtual resource found", "RESOURCE_NOT_FOUND", 0)


def duplicate(urn: str) -> Response:
    return error(
        422,
        f"Content is a duplicate of {urn}",
        "DUPLICATE_POST",
        errorDetailType="com.linkedin.common.error.BadRequest",
    )


def render_little_text(text: str) -> str:
    """What members see: escapes resolved, templates shown, and nothing after an unescaped reserved char."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        elif char == "{" and (match := HASHTAG.match(text, i)):
            out.append(match.group(1)[-1] + match.group(2))
            i = match.end()
        elif char == "@" and (match := MENTION.match(text, i)):
            out.append(_ESCAPED.sub(r"\1", match.group(1)))
            i = match.end()
        elif char in RESERVED:
            break
        else:
            out.append(char)
            i += 1
    return "".join(out)


def routes(state: SandboxState) -> list[BaseRoute]:
    def config() -> dict[str, Any]:
        return {**DEFAULTS, **state.objects.get("config", {})}

    def table(name: str) -> dict[str, Any]:
        with state.lock:
            return state.objects.setdefault(name, {})

    def authenticate(request: Request, *, rest: bool = True) -> Token | Response:
        if rest:
            version = request.headers.get("linkedin-version")
            if not version:
                return error(
                    400,
                    "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
                    "VERSION_MISSING",
                )
            if not active_version(version):
                return error(426, f"Requested version {version} is not active", "NONEXISTENT_VERSION")
            if request.headers.get("x-restli-protocol-version") != "2.0.0":
                return error(400, "The X-Restli-Protocol-Version: 2.0.0 header is required.", "ILLEGAL_ARGUMENT")
        try:
            return state.authenticate(request)
        except TokenError as exc:
            if exc.reason == "revoked":
                return error(
                    401, "The token used in the request has been revoked by the user", "REVOKED_ACCESS_TOKEN", 65601
                )
            if exc.reason == "expired":
                return error(401, "The token used in the request has expired", "EXPIRED_ACCESS_TOKEN", 65601)
            return error(401, "Invalid access token", "INVALID_ACCESS_TOKEN", 65600)

    def forbidden(what: str) -> Response:
        return error(403, f"Not enough permissions to access: {what}", "ACCESS_DENIED", 100)

    def may_post_as(token: Token, author: str) -> bool:
        if author == MEMBER:
            return "w_member_social" in token.scopes
        roles = {urn: role for urn, _, _, role in ORGANIZATIONS}
        return roles.get(author) in POSTING_ROLES and "w_organization_social" in token.scopes

    # -- OAuth: the refresh token lives 365 days from the first authorisation, and refreshing returns it -----

    inner_token = token_handler(state, scope_separator=",")

    async def token(request: Request) -> Response:
        form = await read_form(request)
        expiries = table("refresh_expiry")
        old = form.get("refresh_token", "")
        if form.get("grant_type") == "refresh_token" and expiries.get(old, float("inf")) <= time.time():
            return oauth_error("invalid_grant", "The provided refresh token has expired.")
        response = await inner_token(request)
        if response.status_code != 200:
            return response
        body = json.loads(bytes(response.body))
        refresh = body.get("refresh_token") or old
        expiries.setdefault(refresh, time.time() + REFRESH_TTL)
        body |= {"refresh_token": refresh, "refresh_token_expires_in": max(0, int(expiries[refresh] - time.time()))}
        return JSONResponse(body)

    # -- identity ---------------------------------------------------------------------------------------------

    async def userinfo(request: Request) -> Response:
        token = authenticate(request, rest=False)
        if isinstance(token, Response):
            return token
        if "openid" not in token.scopes:
            return forbidden("userinfo.GET.NO_VERSION")
        given, _, family = USER.name.partition(" ")
        return JSONResponse(
            {
                "sub": USER.id,
                "name": USER.name,
                "given_name": given,
                "family_name": family,
                "picture": USER.avatar_url,
                "email": f"{USER.username}@example.test",
                "email_verified": True,
                "locale": {"country": "US", "language": "en"},
            }
        )

    async def acls(request: Request) -> Response:
        token = authenticate(request, rest=False)
        if isinstance(token, Response):
            return token
        if "rw_organization_admin" not in token.scopes:
            return forbidden("organizationalEntityAcls.FINDER-roleAssignee.NO_VERSION")
        start, count = int(request.query_params.get("start", 0)), int(request.query_params.get("count", 10))
        elements = [
            {
                "role": role,
                "state": "APPROVED",
                "roleAssignee": MEMBER,
                "organizationalTarget": urn,
                "organizationalTarget~": {"localizedName": name, "vanityName": vanity},
            }
            for urn, name, vanity, role in ORGANIZATIONS
        ]
        page = elements[start : start + count]
        return JSONResponse({"elements": page, "paging": {"start": start, "count": count, "total": len(elements)}})

    # -- uploads: initializeUpload → PUT (each part gets an ETag) → finalizeUpload → status polls -------------

    def upload_url(request: Request, media_urn: str, first: int, last: int) -> str:
        upload_id = secrets.token_urlsafe(12)
        table("uploads")[upload_id] = {"urn": media_urn, "first": first, "last": last}
        # root_path is this app's mount prefix (request.base_url is the top-level app's root).
        prefix = request.scope.get("root_path", "")
        return f"{request.url.scheme}://{request.url.netloc}{prefix}/dms-uploads/{upload_id}"

    async def initialize(request: Request, kind: str) -> Response:
        token = authenticate(request)
        if isinstance(token, Response):
            return token
        action = request.query_params.get("action")
        body = await request.json()
        if kind == "video" and action == "finalizeUpload":
            return finalize(body.get("finalizeUploadRequest") or {})
        if action != "initializeUpload":
            return error(400, f"Unsupported action {action!r}", "ILLEGAL_ARGUMENT")
        init = body.get("initializeUploadRequest") or {}
        owner = init.get("owner", "")
        if not may_post_as(token, owner):
            return forbidden(f"{kind}s.ACTION-initializeUpload")
        prefix = {"image": "C4E10AQ", "video": "C5F10AQ", "document": "D5F10AQ"}[kind]
        urn = f"urn:li:{kind}:{prefix}{secrets.token_urlsafe(9)}"
        media = {"kind": kind, "owner": owner, "status": "WAITING_UPLOAD", "polls": 0, "etags": [], "received": 0}
        table("media")[urn] = media
        expires = int(time.time() * 1000) + 86_400_000
        if kind != "video":
            url = upload_url(request, urn, 0, -1)
            return JSONResponse({"value": {"uploadUrlExpiresAt": expires, "uploadUrl": url, kind: urn}})
        size = int(init.get("fileSizeBytes") or 0)
        if size <= 0:
            return error(422, "fileSizeBytes must be positive", "FIELD_VALUE_TOO_LOW")
        part = int(config()["video_part_bytes"])
        media |= {"size": size, "token": secrets.token_urlsafe(8)}
        instructions = [
            {
                "uploadUrl": upload_url(request, urn, first, min(first + part, size) - 1),
                "firstByte": first,
                "lastByte": min(first + part, size) - 1,
            }
            for first in range(0, size, part)
        ]
        media["parts"] = len(instructions)
        return JSONResponse(
            {
                "value": {
                    "uploadUrlsExpireAt": expires,
                    "video": urn,
                    "uploadToken": media["token"],
                    "uploadInstructions": instructions,
                }
            }
        )

    async def receive_upload(request: Request) -> Response:
        upload = table("uploads").get(request.path_params["upload_id"])
        if upload is None:
            return error(404, "Upload URL is unknown or expired", "NOT_FOUND")
        data = await request.body()
        media = table("media")[upload["urn"]]
        if upload["last"] < 0:  # image or document: one PUT, then LinkedIn processes it
            media |= {"status": "PROCESSING", "received": len(data)}
            return Response(status_code=201)
        if len(data) != upload["last"] - upload["first"] + 1:
            return error(400, f"Expected bytes {upload['first']}-{upload['last']}, got {len(data)} bytes")
        etag = f"/ambry-video/signedId/{hashlib.sha256(data).hexdigest()[:24]}"
        media["etags"].append(etag)
        media["received"] += len(data)
        return Response(status_code=200, headers={"ETag": etag})

    def finalize(request_body: dict[str, Any]) -> Response:
        media = table("media").get(request_body.get("video", ""))
        if media is None:
            return error(404, "Video not found", "NOT_FOUND")
        if request_body.get("uploadToken") != media.get("token") or media["received"] != media["size"]:
            return error(400, "The upload is incomplete or the uploadToken does not match", "ILLEGAL_ARGUMENT")
        if request_body.get("uploadedPartIds") != media["etags"]:
            return error(400, "uploadedPartIds do not match the uploaded parts", "ILLEGAL_ARGUMENT")
        media["status"] = "PROCESSING"
        return Response(status_code=200)

    def advance(media: dict[str, Any]) -> None:
        """Processing moves on each time someone looks (a status poll, or a post that needs the medium)."""
        if media["status"] == "PROCESSING":
            media["polls"] += 1
            if media["polls"] > int(config()[f"{media['kind']}_polls"]):
                failed = bool(config()["fail_processing"])
                media["status"] = "PROCESSING_FAILED" if failed else "AVAILABLE"

    async def media_status(request: Request) -> Response:
        token = authenticate(request)
        if isinstance(token, Response):
            return token
        urn = request.path_params["urn"]
        media = table("media").get(urn)
        if media is None or not urn.startswith(f"urn:li:{request.path_params['kind'][:-1]}:"):
            return error(404, f"{urn} not found", "NOT_FOUND")
        state.count(f"{media['kind']}_status")
        if media["kind"] == "image" and config()["image_reads_forbidden"]:
            return forbidden("images.GET.20240101")
        advance(media)
        body = {"id": urn, "owner": media["owner"], "status": media["status"]}
        if media["status"] == "PROCESSING_FAILED":
            body["processingFailureReason"] = "Video format is not supported"
        return JSONResponse(body)

    # -- posts ------------------------------------------------------------------------------------------------

    def content_problem(content: dict[str, Any], author: str) -> Response | None:
        if "multiImage" in content:
            ids = [image.get("id", "") for image in content["multiImage"].get("images") or []]
            if not 2 <= len(ids) <= 20:
                return error(
                    422,
                    "/content/multiImage/images :: must contain between 2 and 20 images",
                    "FIELD_VALUE_OUT_OF_RANGE",
                )
        elif "media" in content:
            ids = [content["media"].get("id", "")]
            if ids[0].startswith("urn:li:document:") and not content["media"].get("title"):
                return error(422, "/content/media/title :: field is required for documents", "FIELD_REQUIRED")
        else:
            return error(422, "Unsupported content type", "UNSUPPORTED_CONTENT")
        for urn in ids:
            media = table("media").get(urn)
            if media is None or media["owner"] != author:
                return error(422, f"{urn} does not exist or does not belong to {author}", "INVALID_MEDIA")
            if media["status"] != "AVAILABLE" and not usable_while_processing(media):
                advance(media)
                if media["status"] == "PROCESSING_FAILED":
                    return error(422, f"{urn} could not be processed", "INVALID_MEDIA")
                if media["status"] != "AVAILABLE":
                    return error(422, f"{urn} is not AVAILABLE (status {media['status']})", "MEDIA_NOT_READY")
        return None

    def usable_while_processing(media: dict[str, Any]) -> bool:
        """An uploaded image may go into a post while LinkedIn still processes it; videos and documents may not."""
        waits = bool(config()["image_post_needs_available"])
        return media["kind"] == "image" and media["status"] == "PROCESSING" and not waits

    async def create_post(request: Request) -> Response:
        token = authenticate(request)
        if isinstance(token, Response):
            return token
        body = await request.json()
        missing = [f for f in ("author", "commentary", "visibility", "distribution", "lifecycleState") if f not in body]
        if missing:
            return error(
                422,
                f"/{missing[0]} :: field is required but not found and has no default value",
                "REQUIRED_FIELD_MISSING",
            )
        author, content = body["author"], body.get("content") or {}
        if not may_post_as(token, author):
            return forbidden("partnerApiPostsExternal.CREATE")
        if len(render_little_text(body["commentary"]).encode("utf-16-le")) // 2 > 3000:
            too_long = {"code": "FIELD_LENGTH_TOO_LONG", "description": "commentary is longer than 3000 characters"}
            return error(
                422,
                "/commentary :: length exceeds 3000 characters",
                "FIELD_LENGTH_TOO_LONG",
                errorDetails={"inputErrors": [too_long]},
            )
        if content and (problem := content_problem(content, author)):
            return problem
        with state.lock:
            for post in state.published:
                same = post.payload["commentary"] == body["commentary"] and post.payload["content"] == content
                if post.payload["author"] == author and same:
                    return duplicate(post.id)
            quota_key = f"posts:{token.user_id}:{datetime.now(UTC):%Y-%m-%d}"
            if state.counters.get(quota_key, 0) >= int(config()["daily_post_limit"]):
                return error(
                    429,
                    "Resource level throttle MEMBER DAY limit for calls to this resource is reached.",
                    "TOO_MANY_REQUESTS",
                    101,
                )
            state.count(quota_key)
            kind = "multiImage" if "multiImage" in content else "text"
            if "media" in content:
                kind = content["media"]["id"].split(":")[2]
            payload = {
                "author": author,
                "commentary": body["commentary"],
                "content": content,
                "text": render_little_text(body["commentary"]),
                "visibility": body["visibility"],
                "createdAt": int(time.time() * 1000),
            }
            record = state.publish(kind, payload, token.user_id, post_id=f"urn:li:share:{state.new_id()}")
        return Response(status_code=201, headers={"x-restli-id": record.id, "x-linkedin-id": record.id})

    async def find_posts(request: Request) -> Response:
        token = authenticate(request)
        if isinstance(token, Response):
            return token
        q = request.query_params
        author = q.get("author", "")
        if q.get("q") != "author" or not author:
            return error(400, "q=author with an author URN is required", "ILLEGAL_ARGUMENT")
        needed = "r_member_social" if author.startswith("urn:li:person:") else "r_organization_social"
        if needed not in token.scopes:
            return forbidden("partnerApiPostsExternal.FINDER-author")
        start, count = int(q.get("start", 0)), int(q.get("count", 10))
        posts = [p for p in reversed(state.published) if p.payload["author"] == author]
        elements = [
            {
                "id": p.id,
                "author": author,
                "commentary": p.payload["commentary"],
                "content": p.payload["content"],
                "createdAt": p.payload["createdAt"],
                "publishedAt": p.payload["createdAt"],
                "lastModifiedAt": p.payload["createdAt"],
                "lifecycleState": "PUBLISHED",
                "visibility": p.payload["visibility"],
            }
            for p in posts[start : start + count]
        ]
        return JSONResponse({"elements": elements, "paging": {"start": start, "count": count, "total": len(posts)}})

    # -- metrics ----------------------------------------------------------------------------------------------

    def metrics(urn: str) -> dict[str, int]:
        return {**DEFAULT_METRICS, **table("metrics").get(urn, {})}

    def known(urn: str) -> bool:
        return any(p.id == urn for p in state.published)

    async def social_actions(request: Request) -> Response:
        token = authenticate(request)
        if isinstance(token, Response):
            return token
        urn = request.path_params["urn"]
        if not known(urn):
            return error(404, f"{urn} not found", "NOT_FOUND")
        numbers = metrics(urn)
        return JSONResponse(
            {
                "target": urn,
                "likesSummary": {"totalLikes": numbers["likes"], "aggregatedTotalLikes": numbers["likes"]},
                "commentsSummary": {
                    "totalFirstLevelComments": numbers["comments"],
                    "aggregatedTotalComments": numbers["comments"],
                },
            }
        )

    async def member_analytics(request: Request) -> Response:
        token = authenticate(request)
        if isinstance(token, Response):
            return token
        if "r_member_postAnalytics" not in token.scopes:
            return forbidden("memberCreatorPostAnalytics.FINDER-entity")
        match = re.fullmatch(r"\((share|ugc):(urn:li:(?:share|ugcPost):\d+)\)", request.query_params.get("entity", ""))
        names = {
            "IMPRESSION": "impressions",
            "MEMBERS_REACHED": "reach",
            "RESHARE": "shares",
            "REACTION": "likes",
            "COMMENT": "comments",
        }
        query = request.query_params.get("queryType", "")
        if not match or query not in names:
            return error(400, "entity=(share:…) and a known queryType are required", "ILLEGAL_ARGUMENT")
        value = metrics(match.group(2))[names[query]] if known(match.group(2)) else 0
        metric_type = {"com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1": query}
        return JSONResponse({"elements": [{"value": value, "metricType": metric_type}], "paging": {"count": 1}})

    async def share_statistics(request: Request) -> Response:
        token = authenticate(request)
        if isinstance(token, Response):
            return token
        if "r_organization_social" not in token.scopes:
            return forbidden("organizationalEntityShareStatistics.FINDER-organizationalEntity")
        q = request.query_params
        org = q.get("organizationalEntity", "")
        elements = []
        for field, param in (("share", "shares"), ("ugcPost", "ugcPosts")):
            listed = re.fullmatch(r"List\((.*)\)", q.get(param, ""))
            for urn in listed.group(1).split(",") if listed else []:
                if known(urn):
                    n = metrics(urn)
                    stats = {
                        "impressionCount": n["impressions"],
                        "uniqueImpressionsCount": n["reach"],
                        "clickCount": n["clicks"],
                        "likeCount": n["likes"],
                        "commentCount": n["comments"],
                        "shareCount": n["shares"],
                        "engagement": 0.07,
                    }
                    elements.append({field: urn, "organizationalEntity": org, "totalShareStatistics": stats})
        return JSONResponse({"elements": elements, "paging": {"start": 0, "count": len(elements)}})

    # -- linkedin.com: the Sandbox's view of a published post ------------------------------------------------

    async def web_post(request: Request) -> Response:
        urn = request.path_params["urn"]
        post = next((p for p in state.published if p.id == urn), None)
        if post is None:
            return missing_page("LinkedIn", "post")
        author = post.payload["author"]
        name = USER.name if author == MEMBER else next((n for u, n, _, _ in ORGANIZATIONS if u == author), author)
        return post_page(
            platform="LinkedIn",
            author=name,
            handle=author,
            created_at=post.payload["createdAt"] / 1000,
            text=post.payload["text"],
            media=media_of(post.payload["content"]),
            details=[("Post", urn), ("Visibility", post.payload["visibility"])],
        )

    def media_of(content: dict[str, Any]) -> list[Medium]:
        items = (content.get("multiImage") or {}).get("images") or ([content["media"]] if "media" in content else [])
        shown = []
        for item in items:
            media = table("media").get(item.get("id", ""), {})
            received = size(int(media.get("received") or 0))
            described = ", ".join(filter(None, [item.get("title"), item.get("altText"), received]))
            shown.append(Medium(str(media.get("kind") or "image"), described))
        return shown

    def collection(kind: str) -> Any:
        async def handler(request: Request) -> Response:
            return await initialize(request, kind)

        return handler

    return [
        Route("/oauth/v2/authorization", authorize_handler(state), methods=["GET"]),
        Route("/oauth/v2/accessToken", token, methods=["POST"]),
        Route("/oauth/v2/revoke", revoke_handler(state), methods=["POST"]),
        Route("/v2/userinfo", userinfo, methods=["GET"]),
        Route("/v2/organizationalEntityAcls", acls, methods=["GET"]),
        Route("/rest/images", collection("image"), methods=["POST"]),
        Route("/rest/videos", collection("video"), methods=["POST"]),
        Route("/rest/documents", collection("document"), methods=["POST"]),
        Route("/dms-uploads/{upload_id:str}", receive_upload, methods=["PUT"]),
        Route("/rest/posts", create_post, methods=["POST"]),
        Route("/rest/posts", find_posts, methods=["GET"]),
        Route("/rest/socialActions/{urn:str}", social_actions, methods=["GET"]),
        Route("/rest/memberCreatorPostAnalytics", member_analytics, methods=["GET"]),
        Route("/rest/organizationalEntityShareStatistics", share_statistics, methods=["GET"]),
        Route("/rest/{kind:str}/{urn:str}", media_status, methods=["GET"]),  # images, videos, documents
        Route("/feed/update/{urn:str}", web_post, methods=["GET"]),
    ]


def active_version(version: str) -> bool:
    """LinkedIn serves a monthly version for about a year after its release."""
    if not re.fullmatch(r"20\d{2}(0[1-9]|1[0-2])", version):
        return False
    now = datetime.now(UTC)
    age = (now.year * 12 + now.month) - (int(version[:4]) * 12 + int(version[4:]))
    return 0 <= age < 12
