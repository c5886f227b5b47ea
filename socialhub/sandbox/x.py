"""X API v2 on loopback: OAuth 2.0 + PKCE, /2/tweets, v2 media upload with processing, per-user rate limits.

Reproduces PLATFORMS.md §3 and §13: 201 ``{data:{id,text}}``; problem+json errors; ``x-rate-limit-*`` headers on
every API answer and 429 once a 15-minute window is used up; ``processing_info`` pending → in_progress →
succeeded, one step per STATUS poll; 403 "duplicate content" for an identical re-post (without naming the
original, as X does); text stored the way X returns it (links rewritten to t.co, & < > escaped, a t.co link
appended for media). Imports nothing from the rest of SocialHub: the product reaches it by URL only.

Also: the single-post lookup ``GET /2/tweets/{id}`` (what most clients read metrics with) beside the batch
``GET /2/tweets?ids=``; problem JSON for unknown paths and wrong methods; and x.com's post page
(``/{username}/status/{id}``, ``/i/web/status/{id}``) as the Sandbox's web view of a published post.

Sandbox-only hooks: media whose bytes start with ``CORRUPT`` fails processing; ``POST /_sandbox/rate-limits``
``{"endpoint": "POST /2/tweets", "limit": 2}`` lowers a limit so exhaustion can be exercised.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from socialhub.sandbox.common import (
    Fault,
    OAuthRules,
    Published,
    SandboxState,
    SandboxUser,
    Token,
    TokenError,
    sandbox_app,
)
from socialhub.sandbox.oauth import (
    authorize_handler,
    oauth_error,
    read_form,
    revoke_handler,
    token_handler,
    token_response,
)
from socialhub.sandbox.web import Medium, missing_page, post_page, size
from socialhub.sandbox.x_text import stored_text, text_refusal

PROBLEM = "https://api.x.com/2/problems/"
WINDOW = 15 * 60
# Per-user limits per 15 minutes (PLATFORMS.md §3 table; docs.x.com rate limits).
LIMITS = {
    "GET /2/users/me": 75,
    "POST /2/tweets": 100,
    "GET /2/tweets": 5000,
    "GET /2/tweets/{id}": 900,
    "GET /2/users/{id}/tweets": 900,
    "POST /2/media/upload": 500,
    "GET /2/media/upload": 1000,
    "POST /2/media/upload/initialize": 1875,
    "POST /2/media/upload/{id}/append": 1875,
    "POST /2/media/upload/{id}/finalize": 1875,
    "POST /2/media/metadata": 500,
}
CATEGORIES = {"tweet_image", "tweet_video", "tweet_gif", "dm_image", "dm_video", "dm_gif", "subtitles", "amplify_video"}
MAX_BYTES = {"tweet_image": 5 * 1024 * 1024, "tweet_gif": 15 * 1024 * 1024, "tweet_video": 512 * 1024 * 1024}
MEDIA_KEY_PREFIX = {"tweet_image": "3", "tweet_gif": "16", "tweet_video": "7", "amplify_video": "13"}
DUPLICATE_DETAIL = "You are not allowed to create a Tweet with duplicate content."
MEDIA_INVALID = "Your media IDs are invalid."


# --- envelopes -------------------------------------------------------------------------------------------------


def problem(status: int, title: str, detail: str, kind: str = "about:blank", **extra: Any) -> JSONResponse:
    body = {"title": title, "detail": detail, "type": kind if kind == "about:blank" else PROBLEM + kind}
    body |= {"status": status} | extra
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def invalid_request(message: str, parameters: dict[str, Any] | None = None) -> JSONResponse:
    """X's 400: the per-parameter messages under "errors", a generic detail on top."""
    return JSONResponse(
        {
            "errors": [{"parameters": parameters or {}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": PROBLEM + "invalid-request",
        },
        status_code=400,
    )


def render_fault(fault: Fault, request: Request) -> Response:
    if fault.kind == "429":
        reset = int(time.time()) + fault.reset_in
        headers = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)}
        response = problem(429, "Too Many Requests", "Too Many Requests")
        response.headers.update(headers)
        return response
    if fault.kind == "usage-capped":
        detail = "Usage cap exceeded: Monthly product cap"
        return problem(429, "UsageCapExceeded", detail, "usage-capped", period="Monthly", scope="Product")
    if fault.kind == "401":
        return problem(401, "Unauthorized", "Unauthorized")
    if fault.kind == "duplicate":
        return problem(403, "Forbidden", DUPLICATE_DETAIL)
    if fault.kind == "503":
        return problem(503, "Service Unavailable", "Service Unavailable")
    return problem(500, "Internal Server Error", "Internal Server Error")


def render_error(_request: Request, status: int) -> Response:
    """An unknown path or a wrong method, in X's problem shape (as its 401 and 429 are)."""
    title = {404: "Not Found", 405: "Method Not Allowed"}.get(status, "Bad Request")
    return problem(status, title, title)


def not_found_error(value: str, parameter: str) -> dict[str, Any]:
    """One entry of X's ``errors`` for a post it does not have (the answer is still HTTP 200)."""
    return {
        "value": value,
        "detail": f"Could not find tweet with id: [{value}].",
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": parameter,
        "resource_id": value,
        "type": PROBLEM + "resource-not-found",
    }


def _page_token(offset: int) -> str:
    """An opaque-looking ``next_token`` (X's are lower-case base32-like strings), holding the page's offset."""
    return base64.b32encode(f"page:{offset}".encode()).decode().rstrip("=").lower()


def _page_offset(token: str | None) -> int | None:
    if not token:
        return 0
    try:
        text = base64.b32decode(token.upper() + "=" * (-len(token) % 8)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return int(text[5:]) if text.startswith("page:") and text[5:].isdigit() else None


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(moment % 1 * 1000):03d}Z"


def _parse_time(value: str) -> float | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


# --- the app ----------------------------------------------------------------------------------------------------

Handler = Callable[[Request, Token], Awaitable[Response]]


def build() -> tuple[Any, SandboxState]:
    state = SandboxState(
        "x",
        OAuthRules(
            token_auth="client_secret_basic",
            pkce_required=True,
            access_ttl=7200,
            issue_refresh=True,
            rotate_refresh=True,
            code_ttl=30,
        ),
        SandboxUser(
            id="1798200000000000001",
            username="sandbox_creator",
            name="Sandbox Creator",
            avatar_url="https://pbs.twimg.com/profile_images/1798200000000000001/sandbox_normal.jpg",
        ),
    )

    def media_store() -> dict[str, dict[str, Any]]:
        with state.lock:
            return state.objects.setdefault("media", {})

    def api(endpoint: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """Bearer auth, then the per-user 15-minute window; every answer carries x-rate-limit-* headers."""

        async def endpoint_handler(request: Request) -> Response:
            try:
                token = state.authenticate(request)
            except TokenError:
                return problem(401, "Unauthorized", "Unauthorized")
            now = time.time()
            with state.lock:
                limit = state.objects.setdefault("limits", {}).get(endpoint, LIMITS[endpoint])
                windows = state.objects.setdefault("windows", {})
                key = f"{token.user_id} {endpoint}"
                window = windows.get(key)
                if window is None or window["reset"] <= now:
                    window = windows[key] = {"reset": int(now) + WINDOW, "used": 0}
                exhausted = window["used"] >= limit
                if not exhausted:
                    window["used"] += 1
                headers = {
                    "x-rate-limit-limit": str(limit),
                    "x-rate-limit-remaining": str(max(0, limit - window["used"])),
                    "x-rate-limit-reset": str(window["reset"]),
                }
            response = problem(429, "Too Many Requests", "Too Many Requests") if exhausted else None
            if response is None:
                response = await handler(request, token)
            response.headers.update(headers)
            return response

        return endpoint_handler

    # -- OAuth --------------------------------------------------------------------------------------------------

    def render_token(token: Token) -> dict[str, Any]:
        body = token_response(token)
        if "offline.access" not in token.scopes:  # X issues a refresh token only with offline.access
            body.pop("refresh_token", None)
        return body

    common_revoke = revoke_handler(state)

    async def revoke(request: Request) -> Response:
        form = await read_form(request)
        basic = request.headers.get("authorization", "").lower().startswith("basic ")
        if not basic and not form.get("client_id"):
            return oauth_error("invalid_client", "Missing client authentication", 401)
        if not form.get("token"):
            return oauth_error("invalid_request", "Missing required parameter [token].")
        await common_revoke(request)
        return JSONResponse({"revoked": True})

    # -- users --------------------------------------------------------------------------------------------------

    async def me(request: Request, token: Token) -> Response:
        fields = set(request.query_params.get("user.fields", "").split(","))
        user = {"id": state.user.id, "name": state.user.name, "username": state.user.username}
        if "profile_image_url" in fields:
            user["profile_image_url"] = state.user.avatar_url
        if "verified" in fields:
            user["verified"] = False
        return JSONResponse({"data": user})

    def render_post(post: Any, fields: set[str]) -> dict[str, Any]:
        item: dict[str, Any] = {"id": post.id, "text": post.payload["stored_text"], "edit_history_tweet_ids": [post.id]}
        if "created_at" in fields:
            item["created_at"] = _iso(post.created_at)
        if "attachments" in fields and post.payload["media_keys"]:
            item["attachments"] = {"media_keys": post.payload["media_keys"]}
        if "public_metrics" in fields:
            # X has answered "retweet_count" for years; its 2026 OpenAPI says "repost_count": both, for either client.
            item["public_metrics"] = post.payload.get("public_metrics") or {
                "retweet_count": 0,
                "repost_count": 0,
                "reply_count": 0,
                "like_count": 0,
                "quote_count": 0,
                "bookmark_count": 0,
                "impression_count": 0,
            }
        return item

    def fields_of(request: Request) -> set[str]:
        # The 2026 OpenAPI calls the parameter post.fields; older clients send tweet.fields.
        q = request.query_params
        return set((q.get("tweet.fields") or q.get("post.fields") or "").split(","))

    async def timeline(request: Request, token: Token) -> Response:
        user_id = request.path_params["id"]
        q = request.query_params
        try:
            max_results = int(q.get("max_results", "10"))
        except ValueError:
            max_results = 0
        if not 5 <= max_results <= 100:
            return invalid_request(
                f"The `max_results` query parameter value [{q.get('max_results')}] is not between 5 and 100",
                {"max_results": [q.get("max_results")]},
            )
        start = _parse_time(q["start_time"]) if q.get("start_time") else None
        if q.get("start_time") and start is None:
            return invalid_request("Invalid start_time", {"start_time": [q["start_time"]]})
        if user_id != state.user.id:
            return JSONResponse(
                {
                    "errors": [
                        {
                            "value": user_id,
                            "detail": f"Could not find user with id: [{user_id}].",
                            "title": "Not Found Error",
                            "resource_type": "user",
                            "parameter": "id",
                            "resource_id": user_id,
                            "type": PROBLEM + "resource-not-found",
                        }
                    ]
                }
            )
        offset = _page_offset(q.get("pagination_token"))
        if offset is None:
            return invalid_request("Invalid pagination_token", {"pagination_token": [q["pagination_token"]]})
        with state.lock:
            posts = [p for p in state.published if p.user_id == user_id and (start is None or p.created_at >= start)]
        ordered = sorted(posts, key=lambda p: p.created_at, reverse=True)
        posts = ordered[offset : offset + max_results]
        if not posts:
            return JSONResponse({"meta": {"result_count": 0}})
        fields = fields_of(request)
        meta: dict[str, Any] = {"result_count": len(posts), "newest_id": posts[0].id, "oldest_id": posts[-1].id}
        if offset + max_results < len(ordered):  # X pages newest first and says where the next page starts
            meta["next_token"] = _page_token(offset + max_results)
        return JSONResponse({"data": [render_post(p, fields) for p in posts], "meta": meta})

    # -- posts --------------------------------------------------------------------------------------------------

    async def lookup(request: Request, token: Token) -> Response:
        ids = [i for i in request.query_params.get("ids", "").split(",") if i]
        if not 1 <= len(ids) <= 100 or not all(i.isdigit() for i in ids):
            return invalid_request("The `ids` query parameter must hold 1 to 100 numeric post ids", {"ids": ids})
        with state.lock:
            by_id = {p.id: p for p in state.published}
        fields = fields_of(request)
        data = [render_post(by_id[i], fields) for i in ids if i in by_id]
        errors = [not_found_error(i, "ids") for i in ids if i not in by_id]
        return JSONResponse(({"data": data} if data else {}) | ({"errors": errors} if errors else {}))

    async def lookup_one(request: Request, token: Token) -> Response:
        post_id = request.path_params["id"]
        if not post_id.isdigit():
            return invalid_request(f"The `id` query parameter value [{post_id}] is not valid", {"id": [post_id]})
        post = find_post(post_id)
        if post is None:  # X answers 200 with the problem in "errors"
            return JSONResponse({"errors": [not_found_error(post_id, "id")]})
        return JSONResponse({"data": render_post(post, fields_of(request))})

    def find_post(post_id: str) -> Published | None:
        with state.lock:
            return next((p for p in state.published if p.id == post_id), None)

    async def create_post(request: Request, token: Token) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return invalid_request("Requests with bodies must have content-type of application/json.")
        text = body.get("text") or ""
        media_ids = [str(m) for m in ((body.get("media") or {}).get("media_ids") or [])]
        if not text and not media_ids:
            return invalid_request("You must provide either text or media.", {"text": [text]})
        if (refusal := text_refusal(text)) is not None:
            return invalid_request(refusal, {"text": [text]})
        if media_ids and not 1 <= len(media_ids) <= 4:
            return invalid_request(
                f"[media.media_ids] holds {len(media_ids)} items; it must hold between 1 and 4",
                {"media.media_ids": media_ids},
            )
        store = media_store()
        with state.lock:
            uploads = [store.get(m) for m in media_ids]
        ready = all(u is not None and u["user_id"] == token.user_id and u["state"] == "succeeded" for u in uploads)
        kinds = {u["category"] for u in uploads if u is not None}
        # One video or one GIF alone; images up to four, never mixed with either.
        mixed = len(kinds) > 1 or (kinds & {"tweet_video", "tweet_gif"} and len(media_ids) > 1)
        if not ready or mixed:
            return invalid_request(MEDIA_INVALID, {"media.media_ids": media_ids})
        with state.lock:
            duplicate = text and any(p.user_id == token.user_id and p.payload["text"] == text for p in state.published)
        if duplicate:
            return problem(403, "Forbidden", DUPLICATE_DETAIL)
        kind = {"tweet_image": "image", "tweet_video": "video", "tweet_gif": "gif"}.get(next(iter(kinds), ""), "text")
        payload = {
            "text": text,
            "stored_text": stored_text(text, bool(media_ids)),
            "media_ids": media_ids,
            "media_keys": [u["media_key"] for u in uploads if u],
            "alt_texts": [u.get("alt_text") for u in uploads if u],
        }
        post = state.publish(kind, payload, token.user_id)
        state.count("posts")
        data = {"id": post.id, "text": payload["stored_text"], "edit_history_tweet_ids": [post.id]}
        return JSONResponse({"data": data}, status_code=201)

    # -- media --------------------------------------------------------------------------------------------------

    def new_media(token: Token, category: str, media_type: str, total: int) -> dict[str, Any]:
        media_id = state.new_id()
        record = {
            "id": media_id,
            "media_key": f"{MEDIA_KEY_PREFIX.get(category, '3')}_{media_id}",
            "user_id": token.user_id,
            "category": category,
            "media_type": media_type,
            "total_bytes": total,
            "segments": {},
            "state": "initialized",
        }
        with state.lock:
            media_store()[media_id] = record
        return record

    def media_view(record: dict[str, Any]) -> dict[str, Any]:
        view = {"id": record["id"], "media_key": record["media_key"], "expires_after_secs": 86400}
        info = record.get("processing_info")
        if info is not None:
            view["processing_info"] = info
        return view

    async def simple_upload(request: Request, token: Token) -> Response:
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await request.json()
            category, data = body.get("media_category"), base64.b64decode(body.get("media") or "")
            media_type = "image/jpeg"
        else:
            form = await request.form()
            category, upload = form.get("media_category"), form.get("media")
            if upload is None or isinstance(upload, str):
                return invalid_request("The `media` field is required.", {"media": []})
            data, media_type = await upload.read(), upload.content_type or "application/octet-stream"
        if category not in CATEGORIES:
            return invalid_request(f"Invalid media_category [{category}].", {"media_category": [category]})
        if len(data) > MAX_BYTES.get(str(category), MAX_BYTES["tweet_image"]):
            return invalid_request(f"File size exceeds {MAX_BYTES['tweet_image']} bytes.", {"media": []})
        record = new_media(token, str(category), media_type, len(data))
        # The checksum lets a test prove the very bytes arrived, not only a file of the right size.
        record |= {"state": "succeeded", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        state.count("uploads")
        return JSONResponse({"data": media_view(record) | {"size": len(data), "image": {"image_type": media_type}}})

    async def initialize(request: Request, token: Token) -> Response:
        body = await request.json()
        category, media_type, total = body.get("media_category"), body.get("media_type"), body.get("total_bytes")
        if category not in CATEGORIES:
            return invalid_request(f"Invalid media_category [{category}].", {"media_category": [category]})
        if not isinstance(total, int) or total <= 0:
            return invalid_request("total_bytes must be a positive integer.", {"total_bytes": [total]})
        if total > MAX_BYTES.get(category, MAX_BYTES["tweet_video"]):
            return invalid_request(f"File size {total} exceeds the limit for {category}.", {"total_bytes": [total]})
        record = new_media(token, category, str(media_type), total)
        state.count("initialize")
        return JSONResponse({"data": media_view(record)})

    def owned(request: Request, token: Token) -> dict[str, Any] | None:
        with state.lock:
            record = media_store().get(request.path_params["id"])
        return record if record is not None and record["user_id"] == token.user_id else None

    async def append(request: Request, token: Token) -> Response:
        record = owned(request, token)
        if record is None or record["state"] != "initialized":
            return invalid_request("Invalid or expired media id.", {"id": [request.path_params["id"]]})
        form = await request.form()
        segment, chunk = form.get("segment_index"), form.get("media")
        if not isinstance(segment, str) or not segment.isdigit() or not 0 <= int(segment) <= 999:
            return invalid_request("segment_index must be between 0 and 999.", {"segment_index": [segment]})
        if chunk is None or isinstance(chunk, str):
            return invalid_request("The `media` field is required.", {"media": []})
        data = await chunk.read()
        with state.lock:
            record["segments"][str(int(segment))] = data  # string keys: the state is saved as JSON
        state.count("append")
        return JSONResponse({"data": {"expires_at": int(time.time()) + 86400}})

    async def finalize(request: Request, token: Token) -> Response:
        record = owned(request, token)
        if record is None or record["state"] != "initialized":
            return invalid_request("Invalid or expired media id.", {"id": [request.path_params["id"]]})
        with state.lock:
            data = b"".join(record["segments"][i] for i in sorted(record["segments"], key=int))
            if len(data) != record["total_bytes"]:
                return invalid_request(
                    f"File size mismatch: received {len(data)} bytes, expected {record['total_bytes']}.",
                    {"id": [record["id"]]},
                )
            # The parts are done with: keep what is known of the file, not its bytes (the state is saved as JSON).
            record |= {
                "segments": {},
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "corrupt": data.startswith(b"CORRUPT"),
            }
            if record["category"] in ("tweet_video", "tweet_gif", "amplify_video"):
                record["state"] = "pending"
                record["processing_info"] = {"state": "pending", "check_after_secs": 1}
            else:
                record["state"] = "succeeded"
        state.count("finalize")
        return JSONResponse({"data": media_view(record) | {"size": len(data)}})

    async def status(request: Request, token: Token) -> Response:
        q = request.query_params
        if q.get("command") != "STATUS":
            return invalid_request("command must be STATUS.", {"command": [q.get("command")]})
        with state.lock:
            record = media_store().get(q.get("media_id", ""))
            if record is None or record["user_id"] != token.user_id:
                return invalid_request("Invalid or expired media id.", {"media_id": [q.get("media_id")]})
            # One step per poll, as X's async finalize moves: pending → in_progress → succeeded (or failed).
            if record["state"] == "pending":
                record["state"] = "in_progress"
                record["processing_info"] = {"state": "in_progress", "check_after_secs": 1, "progress_percent": 40}
            elif record["state"] == "in_progress" and record.get("corrupt"):
                record["state"] = "failed"
                record["processing_info"] = {
                    "state": "failed",
                    "progress_percent": 40,
                    "error": {
                        "code": 1,
                        "name": "InvalidMedia",
                        "message": "Invalid or Unsupported media, Reason: UnsupportedMedia.",
                    },
                }
            elif record["state"] == "in_progress":
                record["state"] = "succeeded"
                record["processing_info"] = {"state": "succeeded", "progress_percent": 100}
        state.count("status")
        return JSONResponse({"data": media_view(record)})

    async def metadata(request: Request, token: Token) -> Response:
        body = await request.json()
        with state.lock:
            record = media_store().get(str(body.get("id")))
        if record is None or record["user_id"] != token.user_id:
            return invalid_request("Invalid or expired media id.", {"id": [body.get("id")]})
        alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
        if alt is not None and len(alt) > 1000:
            return invalid_request("alt_text.text must be at most 1000 characters.", {"alt_text": [alt[:20]]})
        record["alt_text"] = alt
        return JSONResponse({"data": {"id": record["id"], "associated_metadata": body.get("metadata") or {}}})

    # -- x.com: the Sandbox's view of a published post ---------------------------------------------------------

    async def web_post(request: Request) -> Response:
        post = find_post(request.path_params["id"])
        if post is None:
            return missing_page("X", "post")
        with state.lock:
            uploads = [media_store().get(m) or {} for m in post.payload["media_ids"]]
        media = [
            Medium(
                {"tweet_video": "video", "tweet_gif": "gif"}.get(u.get("category", ""), "image"),
                ", ".join(filter(None, [u.get("media_type"), size(int(u.get("size") or 0)), u.get("alt_text") or ""])),
            )
            for u in uploads
        ]
        return post_page(
            platform="X",
            author=state.user.name,
            handle=f"@{state.user.username}",
            created_at=post.created_at,
            text=post.payload["text"],
            media=media,
            details=[("Post id", post.id)],
        )

    # -- sandbox control ----------------------------------------------------------------------------------------

    async def set_limit(request: Request) -> Response:
        body = await request.json()
        if body.get("endpoint") not in LIMITS:
            return JSONResponse({"error": f"unknown endpoint; one of {sorted(LIMITS)}"}, status_code=400)
        with state.lock:
            state.objects.setdefault("limits", {})[body["endpoint"]] = int(body["limit"])
        return JSONResponse({"ok": True})

    routes = [
        Route("/_sandbox/rate-limits", set_limit, methods=["POST"]),
        Route("/i/oauth2/authorize", authorize_handler(state), methods=["GET"]),
        Route("/2/oauth2/token", token_handler(state, render=render_token), methods=["POST"]),
        Route("/2/oauth2/revoke", revoke, methods=["POST"]),
        Route("/2/users/me", api("GET /2/users/me", me), methods=["GET"]),
        Route("/2/users/{id}/tweets", api("GET /2/users/{id}/tweets", timeline), methods=["GET"]),
        Route("/2/tweets", api("POST /2/tweets", create_post), methods=["POST"]),
        Route("/2/tweets", api("GET /2/tweets", lookup), methods=["GET"]),
        Route("/2/tweets/{id}", api("GET /2/tweets/{id}", lookup_one), methods=["GET"]),
        Route("/2/media/upload/initialize", api("POST /2/media/upload/initialize", initialize), methods=["POST"]),
        Route("/2/media/upload/{id}/append", api("POST /2/media/upload/{id}/append", append), methods=["POST"]),
        Route("/2/media/upload/{id}/finalize", api("POST /2/media/upload/{id}/finalize", finalize), methods=["POST"]),
        Route("/2/media/upload", api("POST /2/media/upload", simple_upload), methods=["POST"]),
        Route("/2/media/upload", api("GET /2/media/upload", status), methods=["GET"]),
        Route("/2/media/metadata", api("POST /2/media/metadata", metadata), methods=["POST"]),
        Route("/i/web/status/{id}", web_post, methods=["GET"]),
        Route("/{username}/status/{id}", web_post, methods=["GET"]),
    ]
    return sandbox_app(state, routes, render_fault, render_error), state


__all__ = ["build"]
