"""The FastAPI application Reflex mounts its own routes under (``rx.App(api_transformer=...)``).

The REST API is a sub-application mounted at /api/v1, so its gateway (CORS, request log, body limit, rate
limit, error handling) wraps only the API, never Reflex's own websocket and upload routes. The security headers
(``security_headers.py``) wrap the outer app, so pages, uploads and the API all get them. Order, outermost
first: CORS → request id + access log → body-size limit → rate limit → routes (JWT guard as a dependency)
→ exception handlers. The access log sits outside the limiters so that refusals (413, 429) are logged too.
"""

from __future__ import annotations

import re

from fastapi import Depends, FastAPI
from fastapi_offline import FastAPIOffline
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount
from starlette.types import Scope

from socialhub import __version__
from socialhub.api import auth, health, media, posts, social_accounts, team, tenant
from socialhub.api.deps import refuse_unstorable_text
from socialhub.api.errors import document_errors, install_error_handlers
from socialhub.api.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from socialhub.api.origins import allowed_origins
from socialhub.api.ratelimit import RateLimitMiddleware
from socialhub.api.security_headers import SecurityHeadersMiddleware
from socialhub.log import configure_logging
from socialhub.security import jwt
from socialhub.settings import get_settings

API_PREFIX = "/api/v1"
MAX_JSON_BODY_BYTES = 1024 * 1024
# An upload's body is its file plus the multipart envelope and the alt text; the file's own limit is checked
# exactly as it streams in (MEDIA_MAX_UPLOAD_BYTES), this only bounds the whole request.
MULTIPART_ALLOWANCE_BYTES = 1024 * 1024
# Liveness and readiness must answer even for a client that is being throttled (load balancers).
RATE_LIMIT_EXEMPT = ("/health", "/ready", "/docs", "/openapi.json")


def identify(scope: Scope) -> str | None:
    """The user behind a request for rate limiting: a validly signed access token's subject, else None.

    Signature and expiry only, no database: the limiter runs before the JWT guard and must stay cheap.
    """
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token:
                try:
                    return str(jwt.decode_access_token(token, secret=get_settings().jwt_secret).user_id)
                except jwt.InvalidToken:
                    return None
    return None


def create_api_v1() -> FastAPI:
    settings = get_settings()
    api = FastAPIOffline(  # Swagger UI served from a PyPI package: /docs works with no internet access
        title="SocialHub API",
        version=__version__,
        description="Write once, publish everywhere. Every error is "
        '`{"error": {"code", "message", "details", "request_id"}}`.',
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        dependencies=[Depends(refuse_unstorable_text)],
    )
    routers = (
        health.router,
        auth.router,
        team.router,
        team.public,
        tenant.router,
        social_accounts.router,
        posts.router,
        media.router,
    )
    for router in routers:
        api.include_router(router)
    install_error_handlers(api)
    document_errors(api, rate_limit_exempt=RATE_LIMIT_EXEMPT)
    api.add_middleware(
        RateLimitMiddleware,
        storage_uri=settings.redis_url or "memory://",
        per_minute=settings.rate_limit_per_minute,
        identify=identify,
        exempt_paths=RATE_LIMIT_EXEMPT,
    )
    upload_limit = settings.media_max_upload_bytes + MULTIPART_ALLOWANCE_BYTES
    api.add_middleware(
        BodySizeLimitMiddleware, max_bytes=MAX_JSON_BODY_BYTES, larger={("POST", "/media"): upload_limit}
    )
    api.add_middleware(RequestContextMiddleware)
    api.add_middleware(
        CORSMiddleware,
        allow_origins=allowed_origins(settings),
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=[
            "X-Request-ID",
            "X-RateLimit-Limit",
            "X-RateLimit-Remaining",
            "X-RateLimit-Reset",
            "Retry-After",
        ],
    )
    return api


def create_api() -> FastAPI:
    """The app Reflex mounts itself under: the API at /api/v1, and the security headers on everything it serves.

    A fresh app each call: a FastAPI object cannot take middleware once it has served a request.
    """
    settings = get_settings()
    configure_logging(settings.log_level)
    outer = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    mount = Mount(API_PREFIX, create_api_v1())
    # Starlette compiles a mount's pattern without DOTALL, so a path with an encoded newline (%0A) would miss the
    # API and get the front end's plain-text 404: everything under the prefix is the API's to answer.
    mount.path_regex = re.compile(mount.path_regex.pattern, re.DOTALL)
    outer.router.routes.append(mount)
    # Reflex mounts its pages, websocket and upload route under this app, so its middleware sees all of them.
    outer.add_middleware(SecurityHeadersMiddleware, settings=settings)
    return outer
