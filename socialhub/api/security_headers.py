"""Security headers on every HTTP response the app serves: pages, Reflex's upload route and the API.

Installed once, on the outer FastAPI app that wraps Reflex (``create_api``), so pages, uploads and the API get
the same policy. The Content-Security-Policy is what Reflex's front end runs under:

* ``script-src 'self' 'unsafe-eval'`` plus the SHA-256 of each inline ``<script>`` of the very HTML document being
  sent. React Router's build inlines its bootstrap scripts (and Swagger UI at /api/v1/docs inlines its set-up),
  so hashing them per response is exact; an injected inline script or ``on…=`` attribute still cannot run.
  ``'unsafe-eval'`` because Reflex runs the JavaScript its server sends by ``eval`` (every ``rx.toast``,
  ``rx.call_script``): without it no toast appears.
* ``style-src 'unsafe-inline'``: Emotion and Radix set styles at run time in ``<style>`` elements and attributes.
* ``connect-src 'self'``: the websocket and uploads go to the page's own origin (``'self'`` covers ws:/wss:).
* ``img-src``/``media-src``: the page's own origin (thumbnails are signed links under /api/v1/media/public),
  ``data:``/``blob:`` (local previews), and the S3 endpoint when media live there (presigned links).
* ``frame-ancestors 'none'`` (with ``X-Frame-Options: DENY`` for older browsers), ``object-src 'none'``,
  ``base-uri 'self'``, ``form-action 'self'``.

Top-level navigations (the OAuth consent page of a platform or of the sandbox) are not governed by CSP.
``Strict-Transport-Security`` is sent when the request came over https or ``APP_URL`` is https (a TLS proxy in
front); browsers ignore it over plain http anyway. Websocket handshakes pass through untouched.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import logging
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from socialhub.api.origins import origin_of
from socialhub.settings import Settings

__all__ = ["SecurityHeadersMiddleware", "content_security_policy", "inline_script_hashes"]

log = logging.getLogger("socialhub.api")

HSTS_MAX_AGE_SECONDS = 365 * 24 * 3600
MAX_HTML_BYTES = 4 * 1024 * 1024  # a page bigger than this is not ours; it is passed on without hashes


class _InlineScripts(HTMLParser):
    """Collects the text of every ``<script>`` without a ``src``: exactly the bytes a browser hashes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self._inside: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self._inside = []

    def handle_data(self, data: str) -> None:
        if self._inside is not None:
            self._inside.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._inside is not None:
            self.scripts.append("".join(self._inside))
            self._inside = None


def inline_script_hashes(html: str) -> list[str]:
    """CSP source expressions (``'sha256-…'``) for the inline scripts of an HTML document, in order, unique."""
    parser = _InlineScripts()
    parser.feed(html)
    parser.close()
    hashes = (base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in parser.scripts if s)
    return list(dict.fromkeys(f"'sha256-{h}'" for h in hashes))


def _media_sources(settings: Settings) -> list[str]:
    """Where presigned S3 links point, when media are stored in S3."""
    if not settings.s3_bucket:
        return []
    if settings.s3_endpoint_url:
        origin = origin_of(settings.s3_endpoint_url)
        if not origin:
            return []
        scheme, _, host = origin.partition("://")
        # Virtual-hosted addressing puts the bucket in front of the endpoint's host.
        return [origin, f"{scheme}://*.{host}"] if settings.s3_addressing_style != "path" else [origin]
    return ["https://*.amazonaws.com"]


def content_security_policy(settings: Settings, script_hashes: Sequence[str] = ()) -> str:
    media = " ".join(["'self'", "data:", "blob:", *_media_sources(settings)])
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", "'unsafe-eval'", *script_hashes]),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": media,
        "media-src": media,
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _read_small(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.stat().st_size <= MAX_HTML_BYTES else None
    except OSError:
        return None


class SecurityHeadersMiddleware:
    """Adds the headers above to every HTTP response; hashes the inline scripts of HTML responses into the CSP.

    An HTML response's start is held until its body is known (pages are a few kilobytes), because its header must
    name the hashes of what the body contains: the last body chunk, or the file of a zero-copy ``pathsend`` (what
    granian offers and Starlette's file responses use). Reflex serves pages gzip-compressed from disk; those are
    decompressed only to read the scripts and are sent on as they were.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.base_policy = content_security_policy(settings)
        self.https_app = urlsplit(settings.app_url).scheme == "https"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        start: Message | None = None
        held: list[bytes] = []
        holding = False

        async def send_with_headers(message: Message) -> None:
            nonlocal start, holding
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                self._add_static_headers(scope, headers)
                if message["status"] == 304:
                    # A browser merges a 304's headers into the cached page: a policy here would be one without
                    # the page's hashes (a 304 has no body) and would block the cached page's scripts.
                    await send(message)
                    return
                if headers.get("content-type", "").startswith("text/html") and "content-security-policy" not in headers:
                    start, holding = message, True
                    return
                headers.setdefault("Content-Security-Policy", self.base_policy)
                await send(message)
                return
            if message["type"] == "http.response.pathsend" and holding and start is not None:
                # Granian's zero-copy file send (Starlette's FileResponse uses it): the page is read from its file.
                holding = False
                MutableHeaders(scope=start)["Content-Security-Policy"] = self._policy_for(
                    start, _read_small(Path(message["path"]))
                )
                await send(start)
                await send(message)
                return
            if message["type"] == "http.response.body" and holding and start is not None:
                held.append(message.get("body", b""))
                more = message.get("more_body", False)
                if more and sum(map(len, held)) <= MAX_HTML_BYTES:
                    return
                holding = False
                body = b"".join(held)
                policy = self.base_policy if more else self._policy_for(start, body)
                MutableHeaders(scope=start)["Content-Security-Policy"] = policy
                await send(start)
                await send({"type": "http.response.body", "body": body, "more_body": more})
                return
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _add_static_headers(self, scope: Scope, headers: MutableHeaders) -> None:
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if self.https_app or scope.get("scheme") == "https":
            headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_MAX_AGE_SECONDS}")

    def _policy_for(self, start: Message, body: bytes | None) -> str:
        if body is None:
            return self.base_policy
        encoding = MutableHeaders(scope=start).get("content-encoding", "identity").lower()
        try:
            raw = gzip.decompress(body) if encoding == "gzip" else body if encoding == "identity" else None
        except (OSError, EOFError):
            raw = None
        if raw is None:
            log.warning("an HTML response in %s encoding was sent without its inline scripts allowed", encoding)
            return self.base_policy
        return content_security_policy(self.settings, inline_script_hashes(raw.decode("utf-8", "replace")))
