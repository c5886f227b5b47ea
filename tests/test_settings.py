"""Settings: safe development defaults, and production refuses them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from socialhub.settings import Environment, Settings


@pytest.fixture(autouse=True)
def no_database_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)


def test_production_refuses_development_secrets() -> None:
    with pytest.raises(
        ValidationError, match="JWT_SECRET, VAULT_KEYS, OAUTH_STATE_SECRET, MEDIA_LINK_SECRET, DATABASE_URL"
    ):
        Settings(environment=Environment.PRODUCTION)


def test_production_refuses_sandbox_mode() -> None:
    secrets = {
        "jwt_secret": "j" * 40,
        "vault_keys": "k1:" + "v" * 40,
        "oauth_state_secret": "s" * 40,
        "media_link_secret": "m" * 40,
        "database_url": "postgresql://app@db/socialhub",
    }
    assert Settings(environment=Environment.PRODUCTION, **secrets).sandbox_mode is False
    with pytest.raises(ValidationError, match="SANDBOX_MODE"):
        Settings(environment=Environment.PRODUCTION, sandbox_mode=True, **secrets)


def test_development_defaults_to_sandbox_mode() -> None:
    assert Settings().sandbox_mode is True


def test_database_urls_are_normalised_to_psycopg3() -> None:
    s = Settings(database_url="postgres://a@h/d", migration_database_url="postgresql://o@h/d")
    assert s.database_url == "postgresql+psycopg://a@h/d"
    assert s.migration_database_url == "postgresql+psycopg://o@h/d"


def test_cors_origins_read_as_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ORIGINS", "https://app.example.com, https://admin.example.com")
    assert Settings().cors_origins == ["https://app.example.com", "https://admin.example.com"]


def test_platform_credentials_are_looked_up_by_name() -> None:
    assert Settings(x_client_id="id", x_client_secret="secret").platform_credentials("x") == ("id", "secret")
