"""The platforms SocialHub knows, one line each, and how to build a configured client for one."""

from __future__ import annotations

import importlib
from functools import lru_cache

import httpx

from socialhub.platforms.base import PlatformClient, PlatformConfig
from socialhub.settings import Settings, get_settings

# platform → "module:Class". Imported on first use, so one platform's module never burdens another's.
PLATFORMS: dict[str, str] = {
    "x": "socialhub.platforms.x:XClient",
    "linkedin": "socialhub.platforms.linkedin:LinkedInClient",
    "facebook": "socialhub.platforms.facebook:FacebookClient",
    "reddit": "socialhub.platforms.reddit:RedditClient",
    "pinterest": "socialhub.platforms.pinterest:PinterestClient",
}

SANDBOX_CLIENT_ID = "sandbox-client"  # the sandbox accepts any non-empty credentials; these say what they are
SANDBOX_CLIENT_SECRET = "sandbox-secret"


class UnknownPlatform(LookupError):
    pass


def platform_class(platform: str) -> type[PlatformClient]:
    try:
        module, _, name = PLATFORMS[platform].partition(":")
    except KeyError:
        raise UnknownPlatform(f"SocialHub does not support a platform called {platform!r} yet.") from None
    return getattr(importlib.import_module(module), name)


def client_config(platform: str, settings: Settings | None = None) -> PlatformConfig:
    settings = settings or get_settings()
    cls = platform_class(platform)
    client_id, client_secret = settings.platform_credentials(platform)
    endpoints = cls.default_endpoints
    if settings.sandbox_mode:
        endpoints = endpoints.rebased(f"{settings.sandbox_base_url.rstrip('/')}/{platform}")
        client_id, client_secret = client_id or SANDBOX_CLIENT_ID, client_secret or SANDBOX_CLIENT_SECRET
    elif platform in settings.platform_base_urls:
        endpoints = endpoints.rebased(settings.platform_base_urls[platform])
    return PlatformConfig(
        client_id=client_id or "",
        client_secret=client_secret or "",
        endpoints=endpoints,
        api_version=settings.platform_api_versions.get(platform),
        timeout_seconds=settings.platform_timeout_seconds,
        user_agent=f"web:socialhub:0.1 (SocialHub; {settings.app_url})",
    )


class _ProcessTransport(httpx.HTTPTransport):
    """The process's one connection pool, shared by every platform client (thread-safe).

    A client of its own per call would load the certificate store again (tens of milliseconds of CPU) and open a
    new connection for every publish. Each client still "closes" its transport when done, which must not close
    the pool under the others.
    """

    def close(self) -> None:
        return None


@lru_cache(maxsize=1)
def shared_transport() -> httpx.BaseTransport:
    # Idle connections are dropped after 2 s, before a server's own idle timeout (uvicorn's is 5 s, the
    # platforms' longer) can close one just as a request is written to it: a request lost that way could have
    # been applied, and would have to be looked up instead of simply answered.
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=64, keepalive_expiry=2.0)
    return _ProcessTransport(limits=limits)


def get_client(
    platform: str, *, settings: Settings | None = None, transport: httpx.BaseTransport | None = None
) -> PlatformClient:
    return platform_class(platform)(client_config(platform, settings), transport=transport or shared_transport())


def is_configured(platform: str, settings: Settings | None = None) -> bool:
    settings = settings or get_settings()
    return bool(settings.sandbox_mode or all(settings.platform_credentials(platform)))
