"""A tiny API behind ``RateLimitMiddleware``, run as separate uvicorn processes by the gateway tests.

``RATE_LIMIT_STORAGE`` (e.g. ``redis://127.0.0.1:6379/14``) and ``RATE_LIMIT_PER_MINUTE`` configure it; the user is
the ``X-Test-User`` header. ``/ping`` is exempt, for readiness polling.
"""

from __future__ import annotations

import os

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.types import Scope

from socialhub.api.errors import install_error_handlers
from socialhub.api.ratelimit import RateLimitMiddleware


def user_from_header(scope: Scope) -> str | None:
    return Headers(scope=scope).get("x-test-user")


app = FastAPI()
install_error_handlers(app)


@app.get("/ping")
def ping() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/hit")
def hit() -> dict[str, int]:
    return {"pid": os.getpid()}


app.add_middleware(
    RateLimitMiddleware,
    storage_uri=os.environ["RATE_LIMIT_STORAGE"],
    per_minute=int(os.environ["RATE_LIMIT_PER_MINUTE"]),
    identify=user_from_header,
    exempt_paths=("/ping",),
)
