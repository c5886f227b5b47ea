"""What every sandbox platform shares: tokens and their rules (the OAuth endpoints are in ``oauth.py``), a store of what
was "published", fault injection, simulated latency, and a control API for tests.

A sandbox app reproduces one platform's contract (paths, envelopes, headers, status codes) per
PLATFORMS.md, on loopback. It imports nothing from the rest of SocialHub: the product reaches it by URL
only, exactly as it reaches the real platform.

Control API (JSON), under each platform's prefix:
    GET    /_sandbox/state           published posts, issued tokens, counters
    POST   /_sandbox/faults          {"path": regex, "method": "POST", "kind": "429"|"500"|"503"|"401"|
                                      "timeout"|"crash_after_commit"|"duplicate", "times": 1, "seconds": 5}
    DELETE /_sandbox/faults          clear faults
    POST   /_sandbox/expire-tokens   every access token issued so far expires now
    POST   /_sandbox/latency         {"ms": 50}: every answer comes that much later (an async sleep, so the
                                      sandbox still serves concurrently)
    POST   /_sandbox/knobs           {"name": value, …}: merged into ``state.objects``, where each platform reads
                                      its test knobs (limits, throttles); a dict value is merged one level down
    POST   /_sandbox/reset           forget everything (the latency goes back to the server's default)

``GET /_sandbox/state`` also reports ``peak_in_flight`` (the most API requests this platform was answering at
once, so a test can check a concurrency cap from the platform's side) and ``counters.requests`` (every API
request, so a test can prove that nothing reached the platform).

Routing is the platforms' own, not Starlette's defaults: a path answers with or without a trailing slash (PRAW
sends ``/api/submit/``, the Graph SDK ``/{node}/``, TikTok's paths end in ``/``) instead of a 307 redirect, and an
unknown path or a wrong method answers in the platform's error envelope (``sandbox_app``'s ``render_error``).
"""

from __future__ import annotations

import asyncio
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

SANDBOX_CLIENT_ID = "sandbox-client"
SANDBOX_CLIENT_SECRET = "sandbox-secret"


@dataclass
class SandboxUser:
    id: str
    username: str
    name: str
    avatar_url: str = ""


@dataclass
class Token:
    access_token: str
    refresh_token: str | None
    user_id: str
    scopes: list[str]
    expires_at: float
    revoked: bool = False


@dataclass
class Fault:
    path: str  # regex on the request path (after the platform prefix)
    kind: str
    method: str | None = None
    times: int = 1
    seconds: float = 5.0  # for timeouts and hangs
    reset_in: int = 60  # for 429: seconds until the window resets


@dataclass
class Published:
    id: str
    kind: str
    payload: dict[str, Any]
    user_id: str
    created_at: float = field(default_factory=time.time)


class TokenError(Exception):
    """Raised by ``SandboxState.authenticate``; each platform renders it in its own 401 envelope."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "missing", "invalid", "expired", "revoked"


@dataclass
class OAuthRules:
    """How this platform's real OAuth behaves (PLATFORMS.md)."""

    token_auth: str = "client_secret_post"  # "client_secret_basic", "client_secret_post", "none"
    pkce_required: bool = False
    access_ttl: int = 7200
    issue_refresh: bool = True
    rotate_refresh: bool = False
    code_ttl: int = 30


class SandboxState:
    """Everything one sandbox platform remembers. Thread-safe: tests read it while the app serves."""

    def __init__(self, platform: str, rules: OAuthRules, user: SandboxUser) -> None:
        self.platform = platform
        self.rules = rules
        self.user = user
        self.lock = threading.RLock()
        self.default_latency_ms = 0  # what reset() returns to: the server's setting, not the last test's
        self.in_flight = 0  # not reset: requests being answered during a reset still finish and count down
        # Called after every request the app answered (Sandbox mode saves the state then; see store.py).
        self.on_change: Callable[[], None] | None = None
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.codes: dict[str, dict[str, Any]] = {}
            self.tokens: dict[str, Token] = {}
            self.refresh_tokens: dict[str, Token] = {}
            self.published: list[Published] = []
            self.faults: list[Fault] = []
            self.latency_ms = self.default_latency_ms
            self.peak_in_flight = 0
            self.counters: dict[str, int] = {}
            self.objects: dict[str, dict[str, Any]] = {}  # uploads, containers, media: platform-specific

    # -- ids and counters ------------------------------------------------------------------------------

    def new_id(self, digits: int = 19) -> str:
        return str(secrets.randbelow(9 * 10 ** (digits - 1)) + 10 ** (digits - 1))

    def count(self, name: str) -> None:
        with self.lock:
            self.counters[name] = self.counters.get(name, 0) + 1

    def changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    # -- OAuth ------------------------------------------------------------------------------------------

    def issue_code(self, client_id: str, redirect_uri: str, scopes: list[str], challenge: str | None) -> str:
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = {
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "scopes": scopes,
                "challenge": challenge,
                "expires_at": time.time() + self.rules.code_ttl,
            }
        return code

    def issue_token(self, scopes: list[str], *, refresh: str | None = None) -> Token:
        token = Token(
            access_token=f"{self.platform}-at-{secrets.token_urlsafe(24)}",
            refresh_token=refresh
            if refresh is not None
            else (f"{self.platform}-rt-{secrets.token_urlsafe(24)}" if self.rules.issue_refresh else None),
            user_id=self.user.id,
            scopes=scopes,
            expires_at=time.time() + self.rules.access_ttl,
        )
        with self.lock:
            self.tokens[token.access_token] = token
            if token.refresh_token:
                self.refresh_tokens[token.refresh_token] = token
        return token

    def authenticate(self, request: Request, *, fallback: str | None = None) -> Token:
        """The request's token: a Bearer header, else an ``access_token`` query parameter, else ``fallback`` (a
        platform that also reads it from the form body passes it in)."""
        header = request.headers.get("authorization", "")
        value = header[7:] if header.lower().startswith("bearer ") else request.query_params.get("access_token", "")
        value = value or fallback or ""
        if not value:
            raise TokenError("missing")
        with self.lock:
            token = self.tokens.get(value)
        if token is None:
            raise TokenError("invalid")
        if token.revoked:
            raise TokenError("revoked")
        if token.expires_at <= time.time():
            raise TokenError("expired")
        return token

    def expire_all(self) -> None:
        with self.lock:
            for token in self.tokens.values():
                token.expires_at = time.time() - 1

    def publish(self, kind: str, payload: dict[str, Any], user_id: str, post_id: str | None = None) -> Published:
        record = Published(post_id or self.new_id(), kind, payload, user_id)
        with self.lock:
            self.published.append(record)
        return record

    # -- faults -----------------------------------------------------------------------------------------

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if (
                    fault.times > 0
                    and (fault.method is None or fault.method.upper() == method)
                    and re.search(fault.path, path)
                ):
                    fault.times -= 1
                    return fault
        return None

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "platform": self.platform,
                "published": [asdict(p) for p in self.published],
                "tokens": len(self.tokens),
                "counters": dict(self.counters),
                "faults": [asdict(f) for f in self.faults if f.times > 0],
                "latency_ms": self.latency_ms,
                "peak_in_flight": self.peak_in_flight,
            }


# --- the app around a platform's routes ----------------------------------------------------------------------


def control_routes(state: SandboxState) -> list[BaseRoute]:
    async def get_state(_request: Request) -> Response:
        return JSONResponse(state.snapshot())

    async def add_fault(request: Request) -> Response:
        body = await request.json()
        with state.lock:
            state.faults.append(Fault(**body))
        return JSONResponse({"ok": True}, status_code=201)

    async def clear_faults(_request: Request) -> Response:
        with state.lock:
            state.faults.clear()
        return JSONResponse({"ok": True})

    async def expire(_request: Request) -> Response:
        state.expire_all()
        return JSONResponse({"ok": True})

    async def latency(request: Request) -> Response:
        state.latency_ms = int((await request.json()).get("ms", 0))
        return JSONResponse({"ok": True})

    async def knobs(request: Request) -> Response:
        body = await request.json()
        with state.lock:
            for name, value in body.items():
                current = state.objects.get(name)
                state.objects[name] = (
                    {**current, **value} if isinstance(current, dict) and isinstance(value, dict) else value
                )
        return JSONResponse({"ok": True})

    async def reset(_request: Request) -> Response:
        state.reset()
        return JSONResponse({"ok": True})

    return [
        Route("/_sandbox/state", get_state, methods=["GET"]),
        Route("/_sandbox/faults", add_fault, methods=["POST"]),
        Route("/_sandbox/faults", clear_faults, methods=["DELETE"]),
        Route("/_sandbox/expire-tokens", expire, methods=["POST"]),
        Route("/_sandbox/latency", latency, methods=["POST"]),
        Route("/_sandbox/knobs", knobs, methods=["POST"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
    ]


FaultRenderer = Callable[[Fault, Request], Response]


class FaultsAndLatency:
    """ASGI middleware: simulated latency, then any matching fault, rendered in the platform's envelope; after
    every request (control API included) the state is marked changed, which Sandbox mode saves.

    ``crash_after_commit`` lets the request succeed (the post is created) and then never answers within the
    client's timeout: the response is lost, as when a connection drops after the platform committed.
    """

    def __init__(self, app: Any, state: SandboxState, render: FaultRenderer) -> None:
        self.app, self.state, self.render = app, state, render

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = self.state
        if "/_sandbox/" in scope["path"]:  # the control API: not a platform request, but it may change the state
            try:
                await self.app(scope, receive, send)
            finally:
                state.changed()
            return
        with state.lock:
            state.in_flight += 1
            state.peak_in_flight = max(state.peak_in_flight, state.in_flight)
            state.counters["requests"] = state.counters.get("requests", 0) + 1
        try:
            await self._answer(scope, receive, send)
        finally:
            with state.lock:
                state.in_flight -= 1
            state.changed()

    async def _answer(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if self.state.latency_ms:
            await asyncio.sleep(self.state.latency_ms / 1000)
        fault = self.state.take_fault(scope["method"], local_path(scope))
        if fault is None:
            await self.app(scope, receive, send)
        elif fault.kind == "timeout":
            await asyncio.sleep(fault.seconds)
            await self.app(scope, receive, send)
        elif fault.kind == "crash_after_commit":
            await self.app(scope, receive, _discard)
            await asyncio.sleep(fault.seconds)
            await Response(status_code=502)(scope, receive, send)
        else:
            await self.render(fault, Request(scope, receive))(scope, receive, send)


def local_path(scope: dict[str, Any]) -> str:
    """The request path below this sandbox's mount point (fault patterns match against it)."""
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def sandbox_url(request: Request, path: str) -> str:
    """An absolute URL under this sandbox's own prefix, for upload targets it hands out.

    ``request.base_url`` names the top-level app, not the mounted sandbox, so URLs built from it would 404.
    """
    return f"{str(request.base_url).rstrip('/')}{request.scope.get('root_path', '')}/{path.lstrip('/')}"


async def _discard(_message: dict[str, Any]) -> None:
    return None


ErrorRenderer = Callable[[Request, int], Response]  # (request, 404 or 405) → the platform's own error answer


def slash_tolerant(routes: list[BaseRoute]) -> list[BaseRoute]:
    """Each route also under its path with the trailing slash added or removed, answering the same.

    The platforms serve both spellings (PRAW always sends the slash); Starlette would answer the other one with a
    307 redirect, which a client's POST does not survive.
    """
    both: list[BaseRoute] = []
    for route in routes:
        both.append(route)
        if isinstance(route, Route) and route.path != "/":
            other = route.path.rstrip("/") if route.path.endswith("/") else f"{route.path}/"
            both.append(Route(other, route.endpoint, methods=route.methods, name=route.name))
    return both


def sandbox_app(
    state: SandboxState, routes: list[BaseRoute], render_fault: FaultRenderer, render_error: ErrorRenderer
) -> Any:
    """One platform's app: its routes (both slash spellings), the control API, faults and latency, and its own
    error envelope for an unknown path (404) or a method the path does not take (405, with ``Allow``)."""

    async def routing_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        response = render_error(request, exc.status_code)
        response.headers.update(exc.headers or {})
        return response

    app = Starlette(
        routes=slash_tolerant([*control_routes(state), *routes]),
        exception_handlers={404: routing_error, 405: routing_error},
    )
    app.router.redirect_slashes = False
    app.state.sandbox = state
    return FaultsAndLatency(app, state, render_fault)
