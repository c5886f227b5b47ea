"""Pinterest API v5 on loopback: OAuth with rotating continuous refresh tokens, the account and its boards,
pins (image, carousel, video), the S3-style video upload, and pin analytics (PLATFORMS.md §7 and §13).

As Pinterest does: errors are ``{"code": <int>, "message": …}``; ``board_id`` must be digits and name an
existing board; carousels take 2–5 items; a video pin needs a processed ``media_id`` and a cover; every
refresh returns a new refresh token and retires the old one; each endpoint counts calls per token in its
rate-limit category (org_write 100/min, org_read 1,000/min, org_analytics 60/min) and answers
``x-ratelimit-*`` headers, then 429 when the window is spent.

Boards can be created (``POST /v5/boards``) and read one by one (``GET /v5/boards/{id}``), and a pin read back
(``GET /v5/pins/{id}``): the official SDK re-reads every pin it creates. Unknown paths and wrong methods answer
``{code, message}`` too, and ``/pin/{id}/`` is the Sandbox's web view of a published pin.

Tests may tune it through ``state.objects["config"]`` (see ``DEFAULTS``), ``["boards"]`` and ``["metrics"]``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from socialhub.sandbox.common import Fault, OAuthRules, SandboxState, SandboxUser, Token, TokenError, sandbox_app
from socialhub.sandbox.oauth import authorize_handler, read_form, token_handler, token_response
from socialhub.sandbox.web import Medium, missing_page, post_page

USER = SandboxUser(
    id="2783136121146311751",
    username="sandboxstudio",
    name="Sandbox Studio",
    avatar_url="https://i.pinimg.test/75x75_RS/sandbox.jpg",
)
BOARDS = [
    {"id": "549755885175", "name": "Recipes", "privacy": "PUBLIC", "description": "Things to cook"},
    {"id": "549755885176", "name": "Secret plans", "privacy": "SECRET", "description": ""},
]
BOARD_PRIVACY = ("PUBLIC", "PROTECTED", "SECRET")
BOARDS_CREATED_AT = "2024-03-01T09:00:00"  # the seeded boards' creation time
DEFAULTS: dict[str, Any] = {
    "limits": {"org_write": 100, "org_read": 1000, "org_analytics": 60},  # calls per token per minute
    "video_polls": 2,  # status polls answered "processing" before "succeeded"
    "fail_processing": False,
}
DEFAULT_METRICS = {
    "IMPRESSION": 240,
    "OUTBOUND_CLICK": 20,
    "PIN_CLICK": 37,
    "SAVE": 21,
    "USER_FOLLOW": 2,
    "PROFILE_VISIT": 5,
    "TOTAL_COMMENTS": 10,
    "TOTAL_REACTIONS": 12,
}
LIFETIME = {"TOTAL_COMMENTS", "TOTAL_REACTIONS"}
REFRESH_TTL = 60 * 86400  # continuous refresh tokens: 60 days, renewed by every refresh
Handler = Callable[[Request, Token], Awaitable[Response]]


def build() -> tuple[Any, SandboxState]:
    rules = OAuthRules(token_auth="client_secret_basic", access_ttl=30 * 86400, rotate_refresh=True)
    state = SandboxState("pinterest", rules, USER)
    return sandbox_app(state, routes(state), render_fault, render_error), state


def error(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"code": code, "message": message}, status_code=status, headers=headers)


def render_fault(fault: Fault, _request: Request) -> Response:
    if fault.kind == "401":
        return error(401, 2, "Authentication failed.")
    if fault.kind == "429":
        limits = {"x-ratelimit-limit": "100", "x-ratelimit-remaining": "0", "x-ratelimit-reset": str(fault.reset_in)}
        return error(429, 8, "You have exceeded your rate limit. Try again later.", limits)
    if fault.kind == "503":
        return error(503, 503, "Service unavailable. Please try again later.")
    return error(500, 500, "Internal server error.")


def render_error(_request: Request, status: int) -> Response:
    """Unknown paths and wrong methods, in Pinterest's ``{code, message}``."""
    return error(status, status, {404: "Not found.", 405: "Method not allowed."}.get(status, "Bad request."))


def invalid(message: str) -> Response:
    return error(400, 1, f"Invalid request body: {message}")


def page(items: list[dict[str, Any]], request: Request, default_size: int = 25) -> dict[str, Any]:
    """Bookmark pagination: an opaque bookmark while more items follow, None at the end."""
    size = min(int(request.query_params.get("page_size", default_size)), 250)
    bookmark = request.query_params.get("bookmark")
    start = int(base64.urlsafe_b64decode(bookmark).decode()) if bookmark else 0
    more = start + size < len(items)
    return {
        "items": items[start : start + size],
        "bookmark": base64.urlsafe_b64encode(str(start + size).encode()).decode() if more else None,
    }


def routes(state: SandboxState) -> list[BaseRoute]:
    def config() -> dict[str, Any]:
        return {**DEFAULTS, **state.objects.get("config", {})}

    def table(name: str, default: Any = None) -> Any:
        with state.lock:
            return state.objects.setdefault(name, {} if default is None else default)

    def boards() -> list[dict[str, Any]]:
        return table("boards", [dict(b) for b in BOARDS])

    def endpoint(category: str, scope: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """Authentication, scope, and the per-token rate-limit window of the endpoint's category."""

        async def wrapped(request: Request) -> Response:
            try:
                token = state.authenticate(request)
            except TokenError:
                return error(401, 2, "Authentication failed.")
            if scope not in token.scopes:
                return error(403, 3, f"Authorization failed: the token lacks the {scope} scope.")
            limit, now = int(config()["limits"][category]), time.time()
            with state.lock:
                windows = table("windows")
                key = f"{token.access_token} {category}"
                window = windows.get(key)
                if window is None or window["reset"] <= now:
                    window = windows[key] = {"reset": now + 60, "used": 0}
                window["used"] += 1
            headers = {
                "x-ratelimit-limit": str(limit),
                "x-ratelimit-remaining": str(max(0, limit - window["used"])),
                "x-ratelimit-reset": str(max(1, int(window["reset"] - now))),
            }
            if window["used"] > limit:
                return error(429, 8, "You have exceeded your rate limit. Try again later.", headers)
            response = await handler(request, token)
            response.headers.update(headers)
            return response

        return wrapped

    # -- OAuth: continuous refresh tokens, each refresh retires the old one ------------------------------------

    def render_token(token: Token) -> dict[str, Any]:
        body = token_response(token, ",")
        if token.refresh_token:
            body |= {
                "refresh_token_expires_in": REFRESH_TTL,
                "refresh_token_expires_at": int(time.time()) + REFRESH_TTL,
            }
        return body

    inner_token = token_handler(state, scope_separator=",", render=render_token)

    async def token(request: Request) -> Response:
        if (await read_form(request)).get("continuous_refresh") == "true":
            state.count("continuous_refresh")
        return await inner_token(request)

    # -- account and boards -----------------------------------------------------------------------------------

    async def user_account(_request: Request, _token: Token) -> Response:
        return JSONResponse(
            {
                "id": USER.id,
                "username": USER.username,
                "account_type": "BUSINESS",
                "business_name": USER.name,
                "profile_image": USER.avatar_url,
                "website_url": "https://studio.example.test",
                "board_count": len(boards()),
                "pin_count": len(state.published),
                "follower_count": 42,
                "following_count": 7,
                "monthly_views": 1234,
            }
        )

    async def list_boards(request: Request, _token: Token) -> Response:
        return JSONResponse(page([board_object(b) for b in boards()], request))

    async def create_board(request: Request, _token: Token) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return invalid("the body must be JSON")
        name, privacy = body.get("name"), body.get("privacy") or "PUBLIC"
        if not isinstance(name, str) or not name.strip():
            return invalid("'name' is a required property")
        if len(name) > 180:
            return invalid("'name' is too long (constraint: maxLength=180)")
        if privacy not in BOARD_PRIVACY:
            return invalid(f"{privacy!r} is not one of {list(BOARD_PRIVACY)} - 'privacy'")
        board = {
            "id": state.new_id(18),
            "name": name,
            "description": str(body.get("description") or ""),
            "privacy": privacy,
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        }
        with state.lock:
            boards().append(board)
        return JSONResponse(board_object(board), status_code=201)

    async def get_board(request: Request, _token: Token) -> Response:
        board = next((b for b in boards() if b["id"] == request.path_params["board_id"]), None)
        if board is None:
            return error(404, 404, "Board not found.")
        return JSONResponse(board_object(board))

    def board_object(board: dict[str, Any]) -> dict[str, Any]:
        created = board.get("created_at") or BOARDS_CREATED_AT
        pins = sum(1 for p in state.published if p.payload["board_id"] == board["id"])
        return {
            "id": board["id"],
            "name": board["name"],
            "description": board.get("description") or None,
            "privacy": board.get("privacy", "PUBLIC"),
            "created_at": created,
            "board_pins_modified_at": created,
            "collaborator_count": 0,
            "pin_count": pins,
            "follower_count": 0,
            "media": {"image_cover_url": None, "pin_thumbnail_urls": []},
            "owner": {"username": USER.username},
        }

    async def board_pins(request: Request, _token: Token) -> Response:
        board_id = request.path_params["board_id"]
        if not any(b["id"] == board_id for b in boards()):
            return error(404, 404, "Board not found.")
        pins = [pin_object(p.id, p.payload) for p in reversed(state.published) if p.payload["board_id"] == board_id]
        return JSONResponse(page(pins, request))

    # -- video upload: register → S3 form POST (204) → status polls ------------------------------------------

    async def register_media(request: Request, token: Token) -> Response:
        body = await request.json()
        if body.get("media_type") != "video":
            return invalid(f"{body.get('media_type')!r} is not one of ['video'] - 'media_type'")
        media_id = state.new_id()
        stamp = datetime.now(UTC)
        params = {
            "x-amz-date": f"{stamp:%Y%m%dT%H%M%SZ}",
            "x-amz-signature": secrets.token_hex(32),
            "x-amz-security-token": secrets.token_urlsafe(24),
            "x-amz-algorithm": "AWS4-HMAC-SHA256",
            "key": f"uploads/{media_id[:2]}/{media_id[2:4]}/{token.user_id}:video:{media_id}",
            "policy": base64.b64encode(
                json.dumps({"expiration": f"{stamp + timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}"}).encode()
            ).decode(),
            "x-amz-credential": f"ASIASANDBOX/{stamp:%Y%m%d}/us-east-1/s3/aws4_request",
            "Content-Type": "multipart/form-data",
        }
        table("media")[media_id] = {"owner": token.user_id, "status": "registered", "params": params, "polls": 0}
        upload_url = f"{request.url.scheme}://{request.url.netloc}{request.scope.get('root_path', '')}/media-upload/"
        body = {"media_id": media_id, "media_type": "video", "upload_url": upload_url, "upload_parameters": params}
        return JSONResponse(body, status_code=201)

    async def s3_upload(request: Request) -> Response:
        form = await request.form()
        media = next((m for m in table("media").values() if m["params"]["key"] == form.get("key")), None)
        file = form.get("file")
        if media is None or any(form.get(k) != v for k, v in media["params"].items()):
            return s3_error("AccessDenied", "Invalid according to Policy: Policy Condition failed")
        if not isinstance(file, UploadFile) or not await file.read():
            return s3_error("InvalidArgument", "POST requires exactly one file upload per request.", 400)
        media["status"] = "processing"
        return Response(status_code=204)

    async def media_status(request: Request, token: Token) -> Response:
        media_id = request.path_params["media_id"]
        media = table("media").get(media_id)
        if media is None or media["owner"] != token.user_id:
            return error(404, 404, "Media upload not found.")
        state.count("media_status")
        if media["status"] == "processing":
            media["polls"] += 1
            if media["polls"] > int(config()["video_polls"]):
                media["status"] = "failed" if config()["fail_processing"] else "succeeded"
        return JSONResponse({"media_id": media_id, "media_type": "video", "status": media["status"]})

    # -- pins -------------------------------------------------------------------------------------------------

    def image_problem(content_type: Any, data: Any, where: str) -> Response | None:
        if content_type not in ("image/jpeg", "image/png"):
            return invalid(f"{content_type!r} is not one of ['image/jpeg', 'image/png'] - '{where}.content_type'")
        try:
            base64.b64decode(str(data), validate=True)
        except (binascii.Error, ValueError):
            return invalid(f"data does not match '^[a-zA-Z0-9+/=]+$' - '{where}.data'")
        return None

    def source_problem(source: dict[str, Any], token: Token) -> Response | None:
        kind = source.get("source_type")
        if kind == "image_base64":
            return image_problem(source.get("content_type"), source.get("data", ""), "media_source")
        if kind == "image_url":
            if ".invalid/" in str(source.get("url")) or str(source.get("url")).endswith(".invalid"):
                return error(400, 1, f"Unable to reach the URL: {source.get('url')}")
            return None
        if kind in ("multiple_image_base64", "multiple_image_urls"):
            items = source.get("items") or []
            if not 2 <= len(items) <= 5:
                bound = "maxItems=5" if len(items) > 5 else "minItems=2"
                return invalid(f"'media_source.items' has {len(items)} items (constraint: {bound})")
            for n, item in enumerate(items):
                if kind == "multiple_image_base64" and (
                    bad := image_problem(item.get("content_type"), item.get("data", ""), f"media_source.items[{n}]")
                ):
                    return bad
            return None
        if kind == "video_id":
            media = table("media").get(str(source.get("media_id")))
            if media is None or media["owner"] != token.user_id:
                return error(404, 404, "Media upload not found.")
            if media["status"] != "succeeded":
                return error(400, 1, f"Media upload {source['media_id']} is not ready (status {media['status']}).")
            has_cover = source.get("cover_image_url") or "cover_image_key_frame_time" in source
            if not has_cover and not (source.get("cover_image_data") and source.get("cover_image_content_type")):
                return invalid("missing required field: cover_image_url or cover_image_content_type")
            return None
        return invalid(f"{kind!r} is not a valid source_type - 'media_source.source_type'")

    async def create_pin(request: Request, token: Token) -> Response:
        body = await request.json()
        board_id = body.get("board_id")
        if board_id is None:
            return invalid("'board_id' is a required property")
        if not re.fullmatch(r"\d+", str(board_id)):
            return invalid(f"{board_id!r} does not match '^\\d+$' - 'board_id'")
        if not any(b["id"] == board_id for b in boards()):
            return error(404, 404, "Board not found.")
        for field, limit in (("title", 100), ("description", 800), ("link", 2048), ("alt_text", 500)):
            if len(str(body.get(field) or "")) > limit:
                return invalid(f"'{field}' is too long (constraint: maxLength={limit})")
        source = body.get("media_source")
        if not isinstance(source, dict):
            return invalid("'media_source' is a required property")
        if problem := source_problem(source, token):
            return problem
        kind = {"video_id": "video", "image_base64": "image", "image_url": "image"}.get(
            source["source_type"], "carousel"
        )
        payload = {key: body.get(key) or "" for key in ("title", "description", "link", "alt_text")}
        payload |= {
            "board_id": board_id,
            "source_type": source["source_type"],
            "items": len(source.get("items") or [1]),
            "created_at": datetime.now(UTC).isoformat(),
            # Pictures the pin named by address, for its web view (uploaded bytes are not kept).
            "image_urls": [str(i.get("url")) for i in source.get("items") or [source] if i.get("url")],
        }
        record = state.publish(kind, payload, token.user_id, post_id=state.new_id(18))
        if source["source_type"] == "image_base64":  # checksums of what arrived, so tests can prove the very bytes
            table("images")[record.id] = hashlib.sha256(base64.b64decode(source["data"])).hexdigest()
        return JSONResponse(pin_object(record.id, payload), status_code=201)

    def find_pin(pin_id: str, token: Token | None = None) -> Any:
        with state.lock:
            return next(
                (p for p in state.published if p.id == pin_id and (token is None or p.user_id == token.user_id)), None
            )

    async def get_pin(request: Request, token: Token) -> Response:
        pin = find_pin(request.path_params["pin_id"], token)
        if pin is None:
            return error(404, 404, "Pin not found.")
        return JSONResponse(pin_object(pin.id, pin.payload))

    async def web_pin(request: Request) -> Response:
        pin = find_pin(request.path_params["pin_id"])
        if pin is None:
            return missing_page("Pinterest", "pin")
        payload = pin.payload
        board = next((b for b in boards() if b["id"] == payload["board_id"]), {"name": payload["board_id"]})
        kind = {"video_id": "video"}.get(payload["source_type"], "image")
        urls = payload.get("image_urls") or [None] * int(payload.get("items") or 1)
        media = [Medium(kind, payload.get("alt_text") or "", url) for url in urls]
        if payload.get("link"):
            media.append(Medium("link", url=payload["link"]))
        return post_page(
            platform="Pinterest",
            author=USER.name,
            handle=f"@{USER.username} · board “{board['name']}”",
            created_at=pin.created_at,
            title=payload.get("title") or None,
            text=payload.get("description") or "",
            media=media,
            details=[("Pin id", pin.id), ("Source", payload["source_type"])],
        )

    async def pin_analytics(request: Request, token: Token) -> Response:
        pin_id, q = request.path_params["pin_id"], request.query_params
        if not any(p.id == pin_id and p.user_id == token.user_id for p in state.published):
            return error(404, 404, "Pin not found.")
        try:
            start, end = date.fromisoformat(q["start_date"]), date.fromisoformat(q["end_date"])
            wanted = [name for name in q["metric_types"].split(",") if name]
        except (KeyError, ValueError):
            return error(400, 400, "Invalid pins analytics parameters.")
        today = datetime.now(UTC).date()
        if start < today - timedelta(days=90) or end < start or (end - start).days > 90 or not wanted:
            return error(400, 400, "Invalid pins analytics parameters.")
        totals = {**DEFAULT_METRICS, **table("metrics").get(pin_id, {})}
        daily_names = [name for name in wanted if name not in LIFETIME and name in totals]
        days = [end - timedelta(days=n) for n in (3, 2, 1)]
        daily = [
            {
                "date": day.isoformat(),
                "data_status": "READY",
                "metrics": {name: totals[name] // 3 + (totals[name] % 3 if n == 2 else 0) for name in daily_names},
            }
            for n, day in enumerate(days)
        ]
        daily.append({"date": end.isoformat(), "data_status": "PROCESSING"})  # today's numbers are not in yet
        section = {
            "daily_metrics": daily,
            "summary_metrics": {name: totals[name] for name in daily_names},
            "lifetime_metrics": {name: totals[name] for name in wanted if name in LIFETIME},
        }
        return JSONResponse({"all": section})

    return [
        Route("/oauth/", authorize_handler(state, scope_separator=","), methods=["GET"]),
        Route("/v5/oauth/token", token, methods=["POST"]),
        Route("/v5/user_account", endpoint("org_read", "user_accounts:read", user_account), methods=["GET"]),
        Route("/v5/boards", endpoint("org_read", "boards:read", list_boards), methods=["GET"]),
        Route("/v5/boards", endpoint("org_write", "boards:write", create_board), methods=["POST"]),
        Route("/v5/boards/{board_id}", endpoint("org_read", "boards:read", get_board), methods=["GET"]),
        Route("/v5/boards/{board_id}/pins", endpoint("org_read", "pins:read", board_pins), methods=["GET"]),
        Route("/v5/media", endpoint("org_write", "pins:write", register_media), methods=["POST"]),
        Route("/v5/media/{media_id}", endpoint("org_read", "pins:read", media_status), methods=["GET"]),
        Route("/media-upload/", s3_upload, methods=["POST"]),
        Route("/v5/pins", endpoint("org_write", "pins:write", create_pin), methods=["POST"]),
        Route("/v5/pins/{pin_id}", endpoint("org_read", "pins:read", get_pin), methods=["GET"]),
        Route("/pin/{pin_id}/", web_pin, methods=["GET"]),
        Route("/v5/pins/{pin_id}/analytics", endpoint("org_analytics", "pins:read", pin_analytics), methods=["GET"]),
    ]


def pin_object(pin_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    media_type = {"video_id": "video", "image_base64": "image", "image_url": "image"}
    return {
        "id": pin_id,
        "created_at": payload["created_at"],
        "board_id": payload["board_id"],
        "title": payload["title"] or None,
        "description": payload["description"] or None,
        "link": payload["link"] or None,
        "alt_text": payload["alt_text"] or None,
        "is_owner": True,
        "board_owner": {"username": USER.username},
        "media": {"media_type": media_type.get(payload["source_type"], "multiple_images")},
    }


def s3_error(code: str, message: str, status: int = 403) -> Response:
    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return Response(xml, status_code=status, media_type="application/xml")
