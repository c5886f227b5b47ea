"""What the system reports about itself: it must say "not ready" when a part is down."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from socialhub.api.app import create_api
from socialhub.services.system import queue_reachable, system_status
from socialhub.settings import get_settings


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def apply(**values: str) -> None:
        for key, value in values.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()

    yield apply
    get_settings.cache_clear()


def test_status_of_a_migrated_database(database: dict[str, str]) -> None:
    status = system_status()
    assert status.database_ok and status.schema_current
    assert status.database.startswith(("PostgreSQL", "embedded PostgreSQL"))


def test_sqlite_queue_is_reachable(database: dict[str, str]) -> None:
    assert queue_reachable()


def test_redis_queue_is_reachable(redis_url: str, settings_env) -> None:  # type: ignore[no-untyped-def]
    settings_env(REDIS_URL=redis_url)
    assert queue_reachable()


def test_unreachable_redis_makes_the_app_not_ready(database: dict[str, str], settings_env) -> None:  # type: ignore[no-untyped-def]
    settings_env(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = TestClient(create_api()).get("/api/v1/ready")
    assert response.status_code == 503
    assert response.json()["status"] == "not_ready"
    assert response.json()["queue_ok"] is False


def test_unreachable_database_makes_the_app_not_ready(database: dict[str, str], settings_env) -> None:  # type: ignore[no-untyped-def]
    settings_env(DATABASE_URL=database["app"].replace(database["name"], "no_such_database"))
    from socialhub.db import dispose_engine

    dispose_engine()
    try:
        body = TestClient(create_api()).get("/api/v1/ready").json()
        assert body["database_ok"] is False and body["status"] == "not_ready"
    finally:
        dispose_engine()
