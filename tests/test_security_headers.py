"""The security headers middleware (socialhub/api/security_headers.py), on a small app of its own.

The real app's pages, API, uploads and media links are checked in Chromium in test_access_browser.py.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.testclient import TestClient

from socialhub.api.security_headers import SecurityHeadersMiddleware, content_security_policy, inline_script_hashes
from socialhub.settings import Settings

BOOT = 'window.__ctx = {"a": 1};'
MODULE = 'import "/assets/entry.js";'
PAGE = (
    "<!doctype html><html><head><script>" + BOOT + "</script>"
    '<script type="module" async="">' + MODULE + "</script>"
    '<script src="/assets/app.js"></script></head>'
    "<body><p>hi</p><script>" + BOOT + "</script></body></html>"
)


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def client(settings: Settings | None = None, *, base_url: str = "http://testserver") -> TestClient:
    app = FastAPI()

    @app.get("/page")
    def page() -> HTMLResponse:
        return HTMLResponse(PAGE)

    @app.get("/page.gz")
    def compressed() -> Response:
        return Response(gzip.compress(PAGE.encode()), media_type="text/html", headers={"Content-Encoding": "gzip"})

    @app.get("/streamed")
    def streamed() -> StreamingResponse:
        return StreamingResponse(iter([PAGE[:40].encode(), PAGE[40:].encode()]), media_type="text/html")

    @app.get("/api")
    def api() -> JSONResponse:
        return JSONResponse({"ok": True})

    settings = settings or Settings(app_url="http://localhost:3000")
    return TestClient(SecurityHeadersMiddleware(app, settings=settings), base_url=base_url)


def directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        name, *values = part.split()
        found[name] = values
    return found


def test_inline_scripts_are_hashed_once_each_and_external_ones_not() -> None:
    assert inline_script_hashes(PAGE) == [sha(BOOT), sha(MODULE)]


@pytest.mark.parametrize("path", ["/page", "/page.gz", "/streamed"])
def test_an_html_page_allows_exactly_its_own_inline_scripts(path: str) -> None:
    response = client().get(path)
    assert response.text == PAGE  # the body is passed on as it was (decompressed here by the client)
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'", "'unsafe-eval'", sha(BOOT), sha(MODULE)]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert policy["connect-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]


def test_every_response_gets_the_other_headers() -> None:
    response = client().get("/api")
    assert response.json() == {"ok": True}
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert directives(response.headers["content-security-policy"])["script-src"] == ["'self'", "'unsafe-eval'"]
    assert "strict-transport-security" not in response.headers  # plain http, APP_URL http


def test_hsts_when_served_over_https_or_when_app_url_is_https() -> None:
    over_https = client(base_url="https://testserver").get("/api")
    assert over_https.headers["strict-transport-security"] == "max-age=31536000"
    behind_tls_proxy = client(Settings(app_url="https://social.example.com")).get("/api")
    assert behind_tls_proxy.headers["strict-transport-security"] == "max-age=31536000"


def test_media_in_s3_may_be_shown_from_its_endpoint() -> None:
    aws = directives(content_security_policy(Settings(s3_bucket="media")))
    assert aws["img-src"] == ["'self'", "data:", "blob:", "https://*.amazonaws.com"]
    minio = Settings(s3_bucket="media", s3_endpoint_url="http://127.0.0.1:9000/", s3_addressing_style="path")
    assert directives(content_security_policy(minio))["img-src"][-1] == "http://127.0.0.1:9000"
    virtual = Settings(s3_bucket="media", s3_endpoint_url="https://r2.example.com", s3_addressing_style="virtual")
    assert directives(content_security_policy(virtual))["media-src"][-2:] == [
        "https://r2.example.com",
        "https://*.r2.example.com",
    ]
    assert directives(content_security_policy(Settings()))["img-src"] == ["'self'", "data:", "blob:"]


def test_a_page_sent_as_a_file_by_pathsend_is_hashed_from_its_file(tmp_path: Path) -> None:
    """granian offers the ``http.response.pathsend`` extension, and Starlette's FileResponse (Reflex's pages) uses
    it: the body never passes through the middleware, so the page is read from its file."""
    page = tmp_path / "index.html.gz"
    page.write_bytes(gzip.compress(PAGE.encode()))
    app = FileResponse(page, media_type="text/html", headers={"Content-Encoding": "gzip"})
    middleware = SecurityHeadersMiddleware(app, settings=Settings())
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": [],
        "scheme": "http",
        "extensions": {"http.response.pathsend": {}},
    }
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    # In a thread of its own: a session's Playwright browser keeps an event loop running in the main thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, middleware(scope, receive, send)).result()
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.pathsend"]
    headers = {k.decode(): v.decode() for k, v in sent[0]["headers"]}  # type: ignore[attr-defined]
    assert directives(headers["content-security-policy"])["script-src"][2:] == [sha(BOOT), sha(MODULE)]
    assert sent[1]["path"] == str(page)


def test_a_304_keeps_the_cached_page_s_policy() -> None:
    """A 304's headers replace the cached response's: a policy on it (no body, so no hashes) would break the page."""
    app = FastAPI()

    @app.get("/page")
    def page() -> Response:
        return Response(status_code=304, headers={"Content-Type": "text/html; charset=utf-8", "ETag": '"1"'})

    response = TestClient(SecurityHeadersMiddleware(app, settings=Settings())).get("/page")
    assert response.status_code == 304
    assert "content-security-policy" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"
