"""Which origins may open the web app's websocket and call it across origins (socialhub/api/origins.py)."""

from __future__ import annotations

import logging

import pytest

from socialhub.api.origins import WebsocketOrigins, allowed_origins, origin_of
from socialhub.settings import Environment, Settings


def handshake(host: str, *, scheme: str = "ws") -> dict[str, object]:
    """What python-engineio's ASGI driver hands the policy for a websocket handshake."""
    return {"HTTP_HOST": host, "asgi.scope": {"type": "websocket", "scheme": scheme}}


def settings(**overrides: object) -> Settings:
    values: dict[str, object] = {"app_url": "http://localhost:3000", "cors_origins": [], **overrides}
    if values.get("environment") == Environment.PRODUCTION:
        values |= {
            "jwt_secret": "p" * 40,
            "vault_keys": "k1:" + "v" * 40,
            "oauth_state_secret": "s" * 40,
            "media_link_secret": "m" * 40,
            "database_url": "postgresql://app@db/socialhub",
            "sandbox_mode": False,
        }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://LOCALHOST:3000/", "http://localhost:3000"),
        ("https://app.example.com:443/path?q=1", "https://app.example.com"),
        ("http://app.example.com:80", "http://app.example.com"),
        ("http://[::1]:3000", "http://[::1]:3000"),
        ("ftp://example.com", None),
        ("http://:3000", None),
        ("http://example.com:99999", None),
        ("not a url", None),
    ],
)
def test_origin_of_normalises_or_refuses(url: str, origin: str | None) -> None:
    assert origin_of(url) == origin


def test_development_allows_the_loopback_aliases_of_a_local_app_url() -> None:
    found = allowed_origins(settings(cors_origins=["https://partner.example"]))
    assert found == [
        "http://localhost:3000",
        "https://partner.example",
        "http://127.0.0.1:3000",
        "http://[::1]:3000",
    ]


def test_production_allows_exactly_what_is_configured() -> None:
    prod = settings(environment=Environment.PRODUCTION, app_url="https://social.example.com/", cors_origins=[])
    assert allowed_origins(prod) == ["https://social.example.com"]
    local = settings(environment=Environment.PRODUCTION, app_url="http://localhost:3000")
    assert allowed_origins(local) == ["http://localhost:3000"]  # no aliases in production


def test_the_page_opened_at_127_0_0_1_may_open_its_websocket() -> None:
    policy = WebsocketOrigins(settings())
    assert policy("http://127.0.0.1:3000", handshake("127.0.0.1:3000"))
    assert policy("http://localhost:3000", handshake("localhost:3000"))


def test_dev_mode_page_on_the_front_end_port_may_reach_the_backend_port() -> None:
    # `run --dev`: the page is served by Vite on 3000, the websocket goes to the backend on 8000.
    policy = WebsocketOrigins(settings())
    assert policy("http://127.0.0.1:3000", handshake("127.0.0.1:8000"))


def test_a_phone_on_the_network_opening_the_lan_address_is_its_own_origin() -> None:
    policy = WebsocketOrigins(settings())
    assert policy("http://192.168.1.20:3000", handshake("192.168.1.20:3000"))
    assert policy("https://10.0.0.5", handshake("10.0.0.5", scheme="wss"))


def test_other_sites_are_refused_even_when_they_rebind_a_name_to_this_machine() -> None:
    policy = WebsocketOrigins(settings())
    assert not policy("https://evil.example", handshake("127.0.0.1:3000"))
    # DNS rebinding: the attacker's name now points here, so Host and Origin agree. A name is not enough.
    assert not policy("http://evil.example:3000", handshake("evil.example:3000"))
    assert not policy("null", handshake("127.0.0.1:3000"))
    assert not policy("http://192.168.1.20:3000", handshake("192.168.1.20:8000"))  # another port: not its own


def test_production_does_not_trust_the_host_header() -> None:
    policy = WebsocketOrigins(settings(environment=Environment.PRODUCTION, app_url="https://social.example.com"))
    assert policy("https://social.example.com", handshake("social.example.com", scheme="wss"))
    assert not policy("http://10.0.0.5:3000", handshake("10.0.0.5:3000"))


def test_a_refusal_is_logged_once_with_what_to_set(caplog: pytest.LogCaptureFixture) -> None:
    policy = WebsocketOrigins(settings())
    with caplog.at_level(logging.WARNING, logger="socialhub.origins"):
        for _ in range(3):
            assert not policy("http://my-laptop.local:3000", handshake("my-laptop.local:3000"))
    [record] = caplog.records
    message = record.getMessage()
    assert "'http://my-laptop.local:3000'" in message
    assert "set APP_URL=http://my-laptop.local:3000" in message and "CORS_ORIGINS" in message
    assert "http://localhost:3000" in message  # what is allowed now
