"""Facebook Pages on loopback: the Graph API's contract per PLATFORMS.md §2, §11 and §13.

Reproduced: the versioned dialog and GET token exchanges (short-lived, then a ~60-day token; no refresh
tokens), ``/me/accounts`` answering at most two Pages per call so clients must follow ``paging.next``,
business-owned Pages, Page tokens required for publishing, text/link posts, photos (published and
unpublished + ``attached_media``), the chunked ``upload_phase`` video flow with a processing status that
advances on each poll, 506 duplicate status messages, ``/published_posts``, post insights, usage headers
counted per token (``X-App-Usage`` for user tokens, ``X-Business-Use-Case-Usage`` for Page tokens) and the
Graph error envelope for every failure, injected faults and unknown paths included.

What the official Business SDK sends is accepted as Graph accepts it: the token as an ``access_token`` query or
form parameter, list parameters as JSON arrays (``metric=["a","b"]``), a photo's file under any part name
(the SDK names it ``source0``), node reads with a trailing slash (``/{page-id}/``), and the Page node itself
(``GET /{page-id}?fields=…``). Posts' ``permalink_url`` points at this sandbox's own facebook.com view of them.

Knobs for tests (in ``state.objects``): ``call_limit`` (calls per token before code 4/80001) and
``invalid_metrics`` (insight names to reject as Facebook does for retired metrics).
"""

from __future__ import annotations

import json
import math
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from socialhub.sandbox.common import (
    Fault,
    OAuthRules,
    SandboxState,
    SandboxUser,
    Token,
    TokenError,
    local_path,
    sandbox_app,
    sandbox_url,
)
from socialhub.sandbox.oauth import authorize_handler, read_form
from socialhub.sandbox.web import Medium, missing_page, post_page, size

SHORT_LIVED_SECONDS = 3600
LONG_LIVED_SECONDS = 5_183_944
PAGE_SIZE = 2  # /me/accounts answers at most this many per call, so clients must follow paging.next
CHUNK_BYTES = 1024 * 1024  # the chunk size this "server" asks for through start_offset/end_offset
PROCESSING_POLLS = 2  # status polls answered "processing" before a video is "ready"
CALL_LIMIT = 4800
REGAIN_MINUTES = 10
DUPLICATE_WINDOW = 24 * 3600
MAX_PHOTO_BYTES = 10 * 1024 * 1024
VERSION = re.compile(r"v\d+\.\d+")
PAGES = [
    {"id": "104000000000001", "name": "Sandbox Bakery", "username": "sandboxbakery"},
    {"id": "104000000000002", "name": "Sandbox Books", "username": "sandboxbooks"},
    {"id": "104000000000003", "name": "Sandbox Cycles", "username": "sandboxcycles"},
]
BUSINESS = {"id": "205000000000001", "name": "Sandbox Holdings"}
BUSINESS_PAGES = [{"id": "104000000000004", "name": "Sandbox Holdings HQ", "username": "sandboxhq"}]
ALL_PAGES = {page["id"]: page for page in PAGES + BUSINESS_PAGES}
PAGE_FIELDS = {"category": "Local business", "fan_count": 1280, "followers_count": 1312, "verification_status": "none"}
TASKS = ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"]
METRICS: dict[str, Any] = {
    "post_media_view": 120,
    "post_total_media_view_unique": 80,
    "post_clicks": 7,
    "post_reactions_by_type_total": {"like": 5, "love": 2},
    "post_video_views": 42,
}
UNKNOWN_OBJECT = (
    "Unsupported {method} request. Object with ID '{id}' does not exist, cannot be loaded due to missing "
    "permissions, or does not support this operation. Please read the Graph API documentation at "
    "https://developers.facebook.com/docs/graph-api"
)


class GraphError(Exception):
    def __init__(self, message: str, code: int, *, subcode: int | None = None, status: int = 400, **extra: Any):
        super().__init__(message)
        self.body: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, **extra}
        if subcode:
            self.body["error_subcode"] = subcode
        self.body["fbtrace_id"] = secrets.token_urlsafe(9)
        self.status = status
        self.headers: dict[str, str] = {}

    def response(self) -> JSONResponse:
        return JSONResponse({"error": self.body}, status_code=self.status, headers=self.headers)


def _token_problem(reason: str) -> GraphError:
    if reason == "missing":
        return GraphError("An active access token must be used to query information about the current user.", 2500)
    if reason == "expired":
        return GraphError("Error validating access token: Session has expired.", 190, subcode=463)
    if reason == "revoked":
        return GraphError("Error validating access token: The user has not authorized application.", 190, subcode=458)
    return GraphError("Invalid OAuth access token - Cannot parse access token", 190)


def _graph_time(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(epoch))


class Graph:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.authorize = authorize_handler(state, scope_separator=",")

    # -- helpers -----------------------------------------------------------------------------------------------

    def objects(self, name: str) -> dict[str, Any]:
        with self.state.lock:
            return self.state.objects.setdefault(name, {})

    def page_of(self, token: Token) -> str | None:
        return token.user_id if token.user_id in ALL_PAGES else None

    def page_token(self, user_token: Token, page_id: str) -> str:
        """A Page token derived from the user's: stable per login; no expiry when the user's is long-lived."""
        tokens = self.objects("page_tokens")
        key = f"{user_token.access_token}:{page_id}"
        if key not in tokens:
            long_lived = user_token.expires_at - time.time() > SHORT_LIVED_SECONDS
            token = Token(
                f"facebook-page-{secrets.token_urlsafe(24)}",
                None,
                page_id,
                user_token.scopes,
                time.time() + (10 * 365 * 86400 if long_lived else SHORT_LIVED_SECONDS),
            )
            with self.state.lock:
                self.state.tokens[token.access_token] = token
            tokens[key] = token.access_token
        return tokens[key]

    def usage_headers(self, token: Token, calls: int) -> dict[str, str]:
        limit = int(self.state.objects.get("call_limit", CALL_LIMIT))
        percent = min(100, math.ceil(calls * 100 / limit))
        usage = {"call_count": percent, "total_cputime": percent // 2, "total_time": percent // 2}
        page = self.page_of(token)
        if page is None:
            return {"X-App-Usage": json.dumps(usage)}
        regain = REGAIN_MINUTES if calls > limit else 0
        buc = {page: [{"type": "pages", **usage, "estimated_time_to_regain_access": regain}]}
        return {"X-Business-Use-Case-Usage": json.dumps(buc)}

    def limited(self, token: Token, headers: dict[str, str]) -> GraphError:
        if self.page_of(token):
            error = GraphError(
                "(#80001) There have been too many calls to this Page account. Wait a bit and try again. For more "
                "info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
                80001,
            )
        else:
            error = GraphError("(#4) Application request limit reached", 4, is_transient=True)
        error.headers = headers
        return error

    def require_page_token(self, token: Token, page_id: str) -> None:
        if self.page_of(token) != page_id:
            raise GraphError("(#200) Permissions error", 200, status=403)
        if "pages_manage_posts" not in token.scopes:
            raise GraphError("(#200) The pages_manage_posts permission is required for this action.", 200, status=403)

    def post_record(self, page_id: str, kind: str, message: str, **extra: Any) -> dict[str, Any]:
        post_id = str(extra.pop("post_id", None) or f"{page_id}_{self.state.new_id(16)}")
        post = {
            "id": post_id,
            "page_id": page_id,
            "message": message,
            "kind": kind,
            "created": time.time(),
            # facebook.com's path; answers make it absolute on this sandbox (see _public), where the web view is.
            "permalink_url": f"/{page_id}/posts/{post_id.split('_')[-1]}",
            **extra,
        }
        self.objects("posts")[post_id] = post
        self.state.publish(kind, {k: v for k, v in post.items() if k != "created"}, page_id, post_id)
        return post

    # -- OAuth -------------------------------------------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        try:
            return JSONResponse(self.exchange(await read_form(request)))
        except GraphError as exc:
            return exc.response()

    def exchange(self, form: dict[str, str]) -> dict[str, Any]:
        if not form.get("client_id"):
            raise GraphError("Missing client_id parameter.", 101)
        if not form.get("client_secret"):
            raise GraphError("Missing client_secret parameter.", 1)
        if form.get("grant_type") == "fb_exchange_token":
            short = self.state.tokens.get(form.get("fb_exchange_token", ""))
            if short is None or short.revoked or short.expires_at <= time.time() or self.page_of(short):
                raise GraphError("Invalid OAuth access token.", 190)
            token = self.state.issue_token(short.scopes)
            token.expires_at = time.time() + LONG_LIVED_SECONDS
        else:
            code = form.get("code", "")
            with self.state.lock:
                issued = self.state.codes.pop(code, None)
                used = code in self.state.objects.setdefault("used_codes", set())
                self.state.objects["used_codes"].add(code)
            if used:
                raise GraphError("This authorization code has been used.", 100, subcode=36009)
            if issued is None or issued["expires_at"] < time.time():
                raise GraphError("Invalid verification code format.", 100, subcode=36007)
            if issued["redirect_uri"] != form.get("redirect_uri"):
                raise GraphError(
                    "Error validating verification code. Please make sure your redirect_uri is identical to the "
                    "one you used in the OAuth dialog request",
                    100,
                    subcode=36008,
                )
            token = self.state.issue_token(issued["scopes"])
        self.state.count("token")
        return {
            "access_token": token.access_token,
            "token_type": "bearer",
            "expires_in": int(token.expires_at - time.time()),
        }

    async def dialog(self, request: Request) -> Response:
        if not VERSION.fullmatch(request.path_params["version"]):
            return Response("This page isn't available.", status_code=404)
        return await self.authorize(request)

    # -- the Graph: /{version}/{node}[/{edge}] -----------------------------------------------------------------

    async def dispatch(self, request: Request) -> Response:
        params = request.path_params
        node, edge = params["node"], params.get("edge")
        if not VERSION.fullmatch(params["version"]):
            return GraphError(f"Unknown path components: /{params['version']}", 2500).response()
        try:
            try:
                token = self.state.authenticate(request, fallback=await _form_token(request))
            except TokenError as exc:
                raise _token_problem(exc.reason) from exc
            calls = self.count_call(token)
            headers = self.usage_headers(token, calls)
            if calls > int(self.state.objects.get("call_limit", CALL_LIMIT)):
                raise self.limited(token, headers)
            if node == "me":
                node = self.page_of(token) or token.user_id
            handler = self.route(request.method, node, edge)
            response = await handler(request, token, node)
            response.headers.update(headers)
            return response
        except GraphError as exc:
            return exc.response()

    def count_call(self, token: Token) -> int:
        key = f"calls:{token.access_token}"
        self.state.count(key)
        return self.state.counters[key]

    def route(self, method: str, node: str, edge: str | None) -> Callable[[Request, Token, str], Awaitable[Response]]:
        user, page = node == self.state.user.id, node in ALL_PAGES
        table: dict[tuple[str, bool, str | None], Any] = {
            ("GET", user, None): self.get_user,
            ("GET", page, None): self.get_page,
            ("GET", user, "accounts"): self.get_accounts,
            ("GET", user, "businesses"): self.get_businesses,
            ("GET", user, "permissions"): self.get_permissions,
            ("DELETE", user, "permissions"): self.delete_permissions,
            ("GET", node == BUSINESS["id"], "owned_pages"): self.get_business_pages,
            ("GET", node == BUSINESS["id"], "client_pages"): self.get_business_pages,
            ("POST", page, "feed"): self.post_feed,
            ("POST", page, "photos"): self.post_photos,
            ("POST", page, "videos"): self.post_videos,
            ("GET", page, "published_posts"): self.get_published_posts,
            ("GET", page, "feed"): self.get_published_posts,
            ("GET", node in self.objects("posts") or node in self.objects("videos"), None): self.get_object,
            ("GET", node in self.objects("posts") or node in self.objects("videos"), "insights"): self.get_insights,
        }
        handler = table.get((method, True, edge))
        if handler is None:
            if edge and (user or page):
                raise GraphError(f"Unknown path components: /{edge}", 2500)
            raise GraphError(UNKNOWN_OBJECT.format(method=method.lower(), id=node), 100, subcode=33)
        return handler

    # -- people, Pages, businesses -----------------------------------------------------------------------------

    async def get_user(self, request: Request, token: Token, node: str) -> Response:
        user = self.state.user
        body = {"id": user.id, "name": user.name, "picture": {"data": {"url": user.avatar_url}}}
        return JSONResponse(_only(body, request.query_params.get("fields", "id,name")))

    async def get_page(self, request: Request, token: Token, node: str) -> Response:
        """The Page node: its public fields answer any valid token; its own token is only for the Page's."""
        page = ALL_PAGES[node]
        body: dict[str, Any] = {
            **page,
            **PAGE_FIELDS,
            "link": sandbox_url(request, f"/{page['id']}"),
            "picture": {"data": {"url": f"https://scontent.example/{page['id']}.jpg"}},
        }
        if self.page_of(token) == node:
            body["access_token"] = token.access_token
        return JSONResponse(_only(body, request.query_params.get("fields", "id,name")))

    def page_list(self, request: Request, token: Token, pages: list[dict[str, str]]) -> Response:
        limit = min(PAGE_SIZE, int(request.query_params.get("limit") or 25))
        start = int(request.query_params.get("after") or 0)
        fields = request.query_params.get("fields", "id,name,access_token")
        data = []
        for page in pages[start : start + limit]:
            full = {
                **page,
                "tasks": TASKS,
                "category": "Local business",
                "access_token": self.page_token(token, page["id"]),
                "picture": {"data": {"url": f"https://scontent.example/{page['id']}.jpg"}},
            }
            data.append(_only(full, fields))
        body: dict[str, Any] = {
            "data": data,
            "paging": {"cursors": {"before": str(start), "after": str(start + limit)}},
        }
        if start + limit < len(pages):
            # Absolute, on this host and mount, carrying the whole query (token included), as Graph does.
            query = dict(request.query_params) | {"after": str(start + limit), "access_token": token.access_token}
            body["paging"]["next"] = str(request.url.replace_query_params(**query))
        return JSONResponse(body)

    async def get_accounts(self, request: Request, token: Token, node: str) -> Response:
        return self.page_list(request, token, PAGES)

    async def get_businesses(self, request: Request, token: Token, node: str) -> Response:
        if "business_management" not in token.scopes:
            raise GraphError("(#100) Missing Permission: business_management", 100, status=403)
        return JSONResponse({"data": [BUSINESS], "paging": {"cursors": {"before": "0", "after": "1"}}})

    async def get_business_pages(self, request: Request, token: Token, node: str) -> Response:
        return self.page_list(request, token, BUSINESS_PAGES if request.path_params["edge"] == "owned_pages" else [])

    async def get_permissions(self, request: Request, token: Token, node: str) -> Response:
        return JSONResponse({"data": [{"permission": scope, "status": "granted"} for scope in token.scopes]})

    async def delete_permissions(self, request: Request, token: Token, node: str) -> Response:
        with self.state.lock:  # the app is removed: the login and every Page token derived from it die
            for issued in self.state.tokens.values():
                issued.revoked = True
        self.state.count("revoke")
        return JSONResponse({"success": True})

    # -- publishing --------------------------------------------------------------------------------------------

    async def post_feed(self, request: Request, token: Token, page_id: str) -> Response:
        self.require_page_token(token, page_id)
        body = await _body(request)
        message, link = str(body.get("message") or ""), str(body.get("link") or "")
        media = body.get("attached_media") or []
        if not message and not link and not media:
            raise GraphError("(#100) Missing message or attachment", 100)
        if link and not re.match(r"https?://", link):
            raise GraphError("(#100) The link URL is not properly formatted", 100)
        photos = self.objects("photos")
        ids = [str(item.get("media_fbid")) for item in media if isinstance(item, dict)]
        for index, media_id in enumerate(ids):
            photo = photos.get(media_id)
            if photo is None or photo["page_id"] != page_id or photo["published"]:
                raise GraphError(f"(#100) param attached_media[{index}] has invalid media_fbid", 100)
        if not ids and message and self.is_duplicate(page_id, message, link):
            raise GraphError("(#506) Duplicate status message", 506)
        for media_id in ids:
            photos[media_id]["published"] = True
        kind = "photos" if ids else ("link" if link else "text")
        post = self.post_record(page_id, kind, message, link=link or None, attached_media=ids)
        fields = request.query_params.get("fields", "id")
        return JSONResponse(_only(post | {"permalink_url": _permalink(request, post)}, fields))

    def is_duplicate(self, page_id: str, message: str, link: str) -> bool:
        return any(
            post["page_id"] == page_id
            and post["message"] == message
            and (post.get("link") or "") == link
            and post["created"] > time.time() - DUPLICATE_WINDOW
            for post in self.objects("posts").values()
        )

    async def post_photos(self, request: Request, token: Token, page_id: str) -> Response:
        self.require_page_token(token, page_id)
        form = await request.form()
        url = str(form.get("url") or "")
        # Graph takes the photo from whichever file part came: "source", or the Business SDK's "source0".
        source = form.get("source")
        if not isinstance(source, UploadFile):
            source = next((value for value in form.values() if isinstance(value, UploadFile)), None)
        if isinstance(source, UploadFile):
            data = await source.read()
        elif url:
            data = b"pulled-from-url"
        else:
            raise GraphError("(#324) Requires upload file", 324)
        if not data or len(data) > MAX_PHOTO_BYTES:
            raise GraphError(
                "Your photos couldn't be uploaded. Photos should be less than 4 MB and saved as JPG, PNG, GIF, "
                "TIFF, HEIF or WebP files.",
                100,
                subcode=1366046,
            )
        photo_id = self.state.new_id(16)
        published = str(form.get("published", "true")).lower() != "false"
        self.objects("photos")[photo_id] = {"id": photo_id, "page_id": page_id, "published": published}
        if not published:  # kept ~24 h for attached_media; nothing is on the Page yet
            return JSONResponse({"id": photo_id})
        caption = str(form.get("caption") or form.get("message") or "")
        media = {"bytes": len(data), "content_type": source.content_type if isinstance(source, UploadFile) else None}
        post = self.post_record(page_id, "photo", caption, photo_id=photo_id, url=url or None, **media)
        return JSONResponse({"id": photo_id, "post_id": post["id"]})

    async def post_videos(self, request: Request, token: Token, page_id: str) -> Response:
        self.require_page_token(token, page_id)
        form = await request.form()
        phase = str(form.get("upload_phase") or "")
        sessions = self.objects("upload_sessions")
        if phase == "start":
            size = str(form.get("file_size") or "")
            if not size.isdigit() or int(size) <= 0:
                raise GraphError("(#100) The parameter file_size is required", 100)
            session = {"id": self.state.new_id(16), "video_id": self.state.new_id(16), "size": int(size)}
            session |= {"page_id": page_id, "data": bytearray()}
            sessions[session["id"]] = session
            end = min(int(size), CHUNK_BYTES)
            return JSONResponse(
                {
                    "upload_session_id": session["id"],
                    "video_id": session["video_id"],
                    "start_offset": "0",
                    "end_offset": str(end),
                }
            )
        if phase in ("transfer", "finish"):
            session = sessions.get(str(form.get("upload_session_id") or ""))
            if session is None or session["page_id"] != page_id:
                raise GraphError("(#100) Invalid upload_session_id", 100)
            if phase == "transfer":
                return await self.transfer(session, form)
            if len(session["data"]) != session["size"]:
                raise GraphError("There was a problem uploading your video file. Please try again.", 6001)
            del sessions[session["id"]]
            self.create_video(page_id, session["video_id"], bytes(session["data"]), form)
            return JSONResponse({"success": True})
        if form.get("file_url") or isinstance(form.get("source"), UploadFile):  # the simple, one-call upload
            source = form.get("source")
            data = await source.read() if isinstance(source, UploadFile) else b"pulled-from-url"
            video_id = self.state.new_id(16)
            self.create_video(page_id, video_id, data, form)
            return JSONResponse({"id": video_id})
        raise GraphError("(#100) No file was uploaded", 100)

    async def transfer(self, session: dict[str, Any], form: Any) -> Response:
        chunk = form.get("video_file_chunk")
        offset = str(form.get("start_offset") or "")
        received: bytearray = session["data"]
        if not isinstance(chunk, UploadFile) or not offset.isdigit() or int(offset) != len(received):
            raise GraphError("There was a problem uploading your video file. Please try again.", 6000)
        data = await chunk.read()
        if len(data) != min(CHUNK_BYTES, session["size"] - len(received)):
            raise GraphError("There was a problem uploading your video file. Please try again.", 6000)
        received.extend(data)
        start = len(received)
        return JSONResponse({"start_offset": str(start), "end_offset": str(min(session["size"], start + CHUNK_BYTES))})

    def create_video(self, page_id: str, video_id: str, data: bytes, form: Any) -> None:
        description, username = str(form.get("description") or ""), ALL_PAGES[page_id]["username"]
        self.objects("videos")[video_id] = {
            "page_id": page_id,
            "polls": 0,
            "broken": data.startswith(b"CORRUPT"),  # a test's way to get a file Facebook can't process
            "permalink_url": f"/{username}/videos/{video_id}/",  # Graph answers video permalinks relative
        }
        self.post_record(
            page_id,
            "video",
            description,
            post_id=f"{page_id}_{video_id}",
            video_id=video_id,
            bytes=len(data),
            title=str(form.get("title") or "") or None,
        )

    # -- reading -----------------------------------------------------------------------------------------------

    async def get_published_posts(self, request: Request, token: Token, page_id: str) -> Response:
        if self.page_of(token) != page_id:
            raise GraphError("(#190) This method must be called with a Page Access Token", 190)
        posts = sorted(
            (post for post in self.objects("posts").values() if post["page_id"] == page_id),
            key=lambda post: post["created"],
            reverse=True,
        )[: int(request.query_params.get("limit") or 25)]
        fields = request.query_params.get("fields", "id,message,created_time")
        return JSONResponse({"data": [_only(_public(post, request), fields) for post in posts]})

    async def get_object(self, request: Request, token: Token, node: str) -> Response:
        fields = request.query_params.get("fields", "id")
        video = self.objects("videos").get(node)
        if video is not None:
            video["polls"] += 1  # each status poll moves processing along
            state = "error" if video["broken"] else ("ready" if video["polls"] > PROCESSING_POLLS else "processing")
            status: dict[str, Any] = {"video_status": state, "processing_progress": min(100, video["polls"] * 50)}
            if state == "error":
                errors = [
                    {"code": 6000, "message": "The video file you selected is in a format that we don't support."}
                ]
                status["processing_phase"] = {"status": "error", "errors": errors}
            body = {"id": node, "status": status, "permalink_url": video["permalink_url"]}
            return JSONResponse(_only(body, fields))
        post = _public(self.objects("posts")[node], request)
        post |= {
            "shares": {"count": 1},
            "reactions": {"data": [], "summary": {"total_count": 7}},
            "comments": {"data": [], "summary": {"total_count": 3}},
        }
        return JSONResponse(_only(post, fields))

    async def get_insights(self, request: Request, token: Token, node: str) -> Response:
        if node in self.objects("videos"):
            node = f"{self.objects('videos')[node]['page_id']}_{node}"
        rejected = set(self.state.objects.get("invalid_metrics", ()))
        data = []
        for name in _list_param(request.query_params.get("metric", "")):
            if name not in METRICS or name in rejected:
                raise GraphError("(#100) The value must be a valid insights metric", 100)
            data.append(
                {
                    "name": name,
                    "period": "lifetime",
                    "values": [{"value": METRICS[name]}],
                    "title": name.replace("_", " ").capitalize(),
                    "id": f"{node}/insights/{name}/lifetime",
                }
            )
        return JSONResponse({"data": data, "paging": {}})

    # -- facebook.com: the Sandbox's view of a published post -------------------------------------------------

    async def web_post(self, request: Request) -> Response:
        """``/{page-id}/posts/{n}``, ``/{page-or-username}/videos/{id}`` or ``/{post-or-photo-id}``."""
        params, posts = request.path_params, self.objects("posts")
        wanted = str(params.get("object_id") or params.get("post") or "")
        page_key = str(params.get("page") or "")
        page_id = next((p["id"] for p in ALL_PAGES.values() if page_key in (p["id"], p["username"])), page_key)
        post = (
            posts.get(wanted)
            or posts.get(f"{page_id}_{wanted}")
            or next((p for p in posts.values() if wanted and wanted in (p.get("photo_id"), p.get("video_id"))), None)
        )
        if post is None:
            return missing_page("Facebook", "post")
        page = ALL_PAGES[post["page_id"]]
        return post_page(
            platform="Facebook",
            author=page["name"],
            handle=f"@{page['username']}",
            created_at=post["created"],
            text=post["message"],
            media=self.media_of(post),
            details=[("Post id", post["id"])],
        )

    def media_of(self, post: dict[str, Any]) -> list[Medium]:
        if post["kind"] == "link":
            return [Medium("link", url=post.get("link"))]
        if post["kind"] == "video":
            return [Medium("video", ", ".join(filter(None, [post.get("title"), size(int(post.get("bytes") or 0))])))]
        if post["kind"] == "photo":
            described = ", ".join(filter(None, [post.get("content_type"), size(int(post.get("bytes") or 0))]))
            return [Medium("image", described, post.get("url"))]
        if post["kind"] == "photos":
            return [Medium("image", f"photo {media_id}") for media_id in post.get("attached_media") or []]
        return []

    # -- faults and routing errors in Graph's envelope ---------------------------------------------------------

    def render_error(self, request: Request, status: int) -> Response:
        """Graph answers an unknown path or an unsupported method with a 400 in its envelope, not a 404/405."""
        if status == 405:
            error = GraphError(f"Unsupported {request.method.lower()} request.", 100, type="GraphMethodException")
        else:
            # Only paths past /{version}/{node}/{edge} are unrouted; Graph names what follows the edge.
            segments = local_path(request.scope).strip("/").split("/")
            error = GraphError(f"Unknown path components: /{'/'.join(segments[3:] or segments)}", 2500)
        return error.response()

    def render_fault(self, fault: Fault, request: Request) -> Response:
        if fault.kind == "401":
            error = GraphError("Error validating access token: Session has expired.", 190, subcode=463)
            error.headers = {"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token" "Session has expired"'}
        elif fault.kind == "429":
            error = self.fault_limited(request, fault)
        elif fault.kind == "503":
            error = GraphError("An unexpected error has occurred. Please retry your request later.", 2, status=503)
            error.body["is_transient"] = True
        elif fault.kind == "duplicate":
            error = GraphError("(#506) Duplicate status message", 506)
        else:
            error = GraphError("An unknown error has occurred.", 1, status=500)
        return error.response()

    def fault_limited(self, request: Request, fault: Fault) -> GraphError:
        header = request.headers.get("authorization", "")
        token = self.state.tokens.get(header[7:]) if header.lower().startswith("bearer ") else None
        if token is None or self.page_of(token) is None:
            error = GraphError("(#4) Application request limit reached", 4, is_transient=True)
            error.headers = {"X-App-Usage": json.dumps({"call_count": 100, "total_cputime": 40, "total_time": 40})}
            return error
        regain = max(1, math.ceil(fault.reset_in / 60))
        error = self.limited(token, {})
        usage = {"type": "pages", "call_count": 100, "total_cputime": 40, "total_time": 40}
        buc = {token.user_id: [usage | {"estimated_time_to_regain_access": regain}]}
        error.headers = {"X-Business-Use-Case-Usage": json.dumps(buc)}
        return error


# --- small helpers --------------------------------------------------------------------------------------------


def _list_param(value: str) -> list[str]:
    """A Graph list parameter, as a comma list (``a,b``) or, as the Business SDK sends it, a JSON array."""
    if value.lstrip().startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            items = None
        if isinstance(items, list):
            return [str(item) for item in items if item]
    return [item.strip() for item in value.split(",") if item.strip()]


def _only(body: dict[str, Any], fields: str) -> dict[str, Any]:
    """Graph returns the requested fields (plus id); ``reactions.limit(0).summary(true)`` names ``reactions``."""
    wanted = {field.split(".")[0].split("{")[0] for field in _list_param(fields)} | {"id"}
    return {key: value for key, value in body.items() if key in wanted and value is not None}


def _permalink(request: Request, post: dict[str, Any]) -> str:
    """A post's facebook.com address: on this sandbox, where its web view is; video permalinks stay relative."""
    path = post["permalink_url"]
    return sandbox_url(request, path) if "/posts/" in path else path


def _public(post: dict[str, Any], request: Request) -> dict[str, Any]:
    return {
        "id": post["id"],
        "message": post["message"] or None,
        "created_time": _graph_time(post["created"]),
        "permalink_url": _permalink(request, post),
    }


async def _form_token(request: Request) -> str | None:
    """The ``access_token`` form field of a POST (Graph reads the token from the body as well as the query)."""
    content_type = request.headers.get("content-type", "")
    if request.method == "GET" or not content_type.startswith(("application/x-www-form-urlencoded", "multipart/")):
        return None
    value = (await request.form()).get("access_token")
    return value if isinstance(value, str) else None


async def _body(request: Request) -> dict[str, Any]:
    """JSON or form; in a form, ``attached_media[0]`` (or ``attached_media``) holds JSON."""
    if request.headers.get("content-type", "").startswith("application/json"):
        return await request.json()
    form = await read_form(request)
    body: dict[str, Any] = {k: v for k, v in form.items() if not k.startswith("attached_media")}
    items = [json.loads(v) for k, v in sorted(form.items()) if re.fullmatch(r"attached_media\[\d+\]", k)]
    if "attached_media" in form:
        items = json.loads(form["attached_media"])
    body["attached_media"] = items
    return body


def build() -> tuple[Any, SandboxState]:
    rules = OAuthRules(token_auth="client_secret_post", access_ttl=SHORT_LIVED_SECONDS, issue_refresh=False)
    user = SandboxUser("100000000000001", "sandbox.person", "Sandbox Person", "https://scontent.example/me.jpg")
    state = SandboxState("facebook", rules, user)
    graph = Graph(state)
    version = "{version:str}"
    routes = [
        # facebook.com's post pages first: a numeric first segment is never a Graph version ("v23.0").
        Route("/{page:int}/posts/{post:str}", graph.web_post, methods=["GET"]),
        Route("/{page:str}/videos/{post:str}", graph.web_post, methods=["GET"]),
        Route("/{object_id:str}", graph.web_post, methods=["GET"]),
        Route(f"/{version}/dialog/oauth", graph.dialog, methods=["GET"]),
        Route(f"/{version}/oauth/access_token", graph.token, methods=["GET", "POST"]),
        Route(f"/{version}/{{node}}", graph.dispatch, methods=["GET", "POST", "DELETE"]),
        Route(f"/{version}/{{node}}/{{edge}}", graph.dispatch, methods=["GET", "POST", "DELETE"]),
    ]
    return sandbox_app(state, routes, graph.render_fault, graph.render_error), state
