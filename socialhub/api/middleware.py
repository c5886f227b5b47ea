"""Pure ASGI middleware: request id + one access-log line per request, and a request body size limit.

Both pass non-HTTP scopes (websocket, lifespan) through untouched.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from socialhub.api.errors import REQUEST_ID_HEADER, error_response, request_id_of
from socialhub.log import loggable_path, route_template

__all__ = ["BodySizeLimitMiddleware", "RequestContextMiddleware"]

access_logger = logging.getLogger("socialhub.access")


class RequestContextMiddleware:
    """Gives each request an id and logs one JSON line for it once the response is sent.

    The id is a valid incoming ``X-Request-ID`` (``[A-Za-z0-9._-]{1,100}``) or a new ``uuid4().hex``. It is stored
    in ``scope["state"]["request_id"]`` (``request.state.request_id``) and echoed in the ``X-Request-ID`` response
    header. The log line (logger ``socialhub.access``, INFO, the message is the JSON) carries ``request_id, method,
    path, route, status, latency_ms, client_ip, tenant_id, user_id``; tenant and user are whatever the auth
    dependency left in ``scope["state"]``. ``path`` is ``loggable_path``: credentials in the path (invitation
    tokens) stay placeholders. It never carries the query string (signed links and OAuth codes travel there) or
    headers.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()
        request_id = request_id_of(scope)
        status = 500

        async def send_with_request_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        except Exception:
            status = 500  # ServerErrorMiddleware, further out, turns it into the 500 response
            raise
        finally:
            _log_access(scope, request_id=request_id, status=status, started=started)


def _log_access(scope: Scope, *, request_id: str, status: int, started: float) -> None:
    state = scope.get("state") or {}
    client = scope.get("client")
    line = {
        "request_id": request_id,
        "method": scope.get("method"),
        "path": loggable_path(scope),
        "route": route_template(scope),
        "status": status,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        "client_ip": client[0] if client else None,
        "tenant_id": state.get("tenant_id"),
        "user_id": state.get("user_id"),
    }
    access_logger.info(json.dumps(line, default=str, separators=(",", ":")))


class _BodyTooLarge(HTTPException):
    """Raised from ``receive``. An ``HTTPException`` so FastAPI's body parsing re-raises it rather than turning
    it into a 400; the HTTPException handler (or this middleware, if nothing handled it) answers 413."""


class BodySizeLimitMiddleware:
    """Answers 413 ``payload_too_large`` for a body over ``max_bytes``.

    A declared ``Content-Length`` over the limit is refused before the app runs. A chunked or under-declared body
    is counted as the app reads it; the read that crosses the limit raises instead of returning, so the rest is
    never read into memory. ``larger`` names the few routes allowed more, as ``{(method, path): max_bytes}`` with
    the path as the app sees it (under its mount), e.g. ``{("POST", "/media"): 513 * 1024 * 1024}`` for uploads.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, *, larger: Mapping[tuple[str, str], int] | None = None) -> None:
        if max_bytes < 0 or any(limit < 0 for limit in (larger or {}).values()):
            raise ValueError("max_bytes must not be negative")
        self.app = app
        self.max_bytes = max_bytes
        self.larger = dict(larger or {})
        self.message = _too_large(max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        max_bytes = self.larger.get((scope.get("method", ""), _route_path(scope)), self.max_bytes)
        message_text = self.message if max_bytes == self.max_bytes else _too_large(max_bytes)
        declared = _content_length(scope)
        if declared is not None and declared > max_bytes:
            await self._refuse(scope, receive, send, message_text)
            return

        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise _BodyTooLarge(413, message_text)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if response_started:
                raise
            await self._refuse(scope, receive, send, message_text)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, message: str) -> None:
        request_id = request_id_of(scope)
        # The unread body stays on the wire: ask the client to open a new connection for the next request.
        headers = {REQUEST_ID_HEADER: request_id, "Connection": "close"}
        response = error_response(413, "payload_too_large", message, request_id=request_id, headers=headers)
        await response(scope, receive, send)


def _too_large(max_bytes: int) -> str:
    return f"The request body is too large: the limit is {_size_in_words(max_bytes)}."


def _route_path(scope: Scope) -> str:
    """The path below the app's mount (``/media`` for ``/api/v1/media``), as its routes are written."""
    path, root = scope.get("path", ""), scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None  # the server rejects a malformed length; the streamed count still applies


def _size_in_words(size: int) -> str:
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{round(size / factor, 1):g} {unit}"
    return "1 byte" if size == 1 else f"{size} bytes"
