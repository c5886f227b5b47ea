"""The FastAPI application Reflex mounts its own routes under (``rx.App(api_transformer=...)``)."""

from __future__ import annotations

from fastapi import FastAPI

from socialhub import __version__
from socialhub.api import health

API_PREFIX = "/api/v1"


def create_api() -> FastAPI:
    """A fresh app each call: a FastAPI object cannot take middleware once it has served a request."""
    api = FastAPI(
        title="SocialHub API",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # the CDN-hosted Swagger UI cannot load offline; served locally by a later change
        redoc_url=None,
    )
    api.include_router(health.router, prefix=API_PREFIX)
    return api
