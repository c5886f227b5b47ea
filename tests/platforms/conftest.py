"""The sandbox on loopback (uvicorn in a thread), and production clients pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from socialhub.platforms.base import PlatformClient, PlatformConfig
from socialhub.platforms.registry import platform_class
from socialhub.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from tests.conftest import Sandbox

REDIRECT_URI = "http://localhost:3000/accounts/callback"


@pytest.fixture
def make_client(sandbox: Sandbox) -> Iterator[Callable[..., PlatformClient]]:
    """Build a production client for a platform, pointed at a fresh sandbox state."""
    made: list[PlatformClient] = []

    def make(platform: str, *, timeout: float = 5.0, **config: Any) -> PlatformClient:
        sandbox.states[platform].reset()
        cls = platform_class(platform)
        client = cls(
            PlatformConfig(
                client_id=SANDBOX_CLIENT_ID,
                client_secret=SANDBOX_CLIENT_SECRET,
                endpoints=cls.default_endpoints.rebased(sandbox.base(platform)),
                timeout_seconds=timeout,
                **config,
            )
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def connect(client: PlatformClient, sandbox: Sandbox) -> Any:
    """The whole OAuth dance against the sandbox: authorize (auto-approved), follow the redirect, exchange."""
    from urllib.parse import parse_qs, urlsplit

    request = client.authorization_url(state="test-state", redirect_uri=REDIRECT_URI)
    consent = httpx.get(request.url, follow_redirects=False)
    assert consent.status_code in (302, 303), consent.text
    query = parse_qs(urlsplit(consent.headers["location"]).query)
    assert query["state"] == ["test-state"]
    return client.exchange_code(code=query["code"][0], redirect_uri=REDIRECT_URI, code_verifier=request.code_verifier)
