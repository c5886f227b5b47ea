"""Test fixtures: a throwaway database per run, built by the migrations, on a real PostgreSQL.

Which server: ``DATABASE_ADMIN_URL`` if set, else ``DATABASE_URL`` (CI passes the machine's PostgreSQL
as a role that may create databases and roles), else an embedded PostgreSQL in a temporary directory.
The run's database is provisioned with the same two roles as production (owner + application role),
migrated as the owner, used as the application role, and dropped at the end.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, sync_playwright

from socialhub.sandbox import SandboxState, create_sandbox
from socialhub.settings import get_settings
from tests.web import CHROMIUM, CHROMIUM_ARGS, app_environment, free_port, running

_ADMIN_URL: str | None = None
_REDIS_URL: str | None = None
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def pytest_configure(config: pytest.Config) -> None:
    """Isolate the process environment before any test module reads settings."""
    global _ADMIN_URL, _REDIS_URL
    _ADMIN_URL = os.environ.pop("DATABASE_ADMIN_URL", None) or os.environ.pop("DATABASE_URL", None)
    _REDIS_URL = os.environ.pop("REDIS_URL", None)
    for name in ("MIGRATION_DATABASE_URL", "DATABASE_EMBEDDED"):
        os.environ.pop(name, None)
    os.environ["ENVIRONMENT"] = "test"
    # Tests make many requests from one client; the rate-limit tests set their own limit.
    os.environ["RATE_LIMIT_PER_MINUTE"] = "100000"
    os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="socialhub-test-data-")
    get_settings.cache_clear()


def redis_server_url() -> str | None:
    return _REDIS_URL


@pytest.fixture(scope="session")
def admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A superuser connection to the server the tests use."""
    if _ADMIN_URL:
        from socialhub.settings import normalise_database_url

        yield str(normalise_database_url(_ADMIN_URL))
        return
    from socialhub.embedded_pg import start_embedded_server

    server = start_embedded_server(tmp_path_factory.mktemp("pg") / "18", cleanup_mode="delete")
    yield server.superuser_url


@contextmanager
def provisioned_database(admin_url: str) -> Iterator[dict[str, str]]:
    """A new database on the test server: provisioned with both roles, migrated as the owner, dropped after."""
    from sqlalchemy.engine import make_url

    from socialhub import migrations
    from socialhub.provision import APP_ROLE, OWNER_ROLE, RoleSpec, drop_database, provision_database

    name = f"socialhub_test_{uuid.uuid4().hex[:10]}"
    provision_database(admin_url, database=name, owner=RoleSpec(OWNER_ROLE), app=RoleSpec(APP_ROLE))
    base = make_url(admin_url).set(database=name)
    urls = {
        "app": base.set(username=APP_ROLE, password=None).render_as_string(hide_password=False),
        "owner": base.set(username=OWNER_ROLE, password=None).render_as_string(hide_password=False),
        "admin": base.render_as_string(hide_password=False),
        "name": name,
    }
    try:
        migrations.upgrade(url=urls["owner"], app_role=APP_ROLE)
        yield urls
    finally:
        drop_database(admin_url, name)


@pytest.fixture(scope="session")
def database(admin_url: str) -> Iterator[dict[str, str]]:
    """This run's database: provisioned, migrated, and named by DATABASE_URL for the code under test."""
    from socialhub.db import dispose_engine

    with provisioned_database(admin_url) as urls:
        os.environ["DATABASE_URL"] = urls["app"]
        os.environ["MIGRATION_DATABASE_URL"] = urls["owner"]
        get_settings.cache_clear()
        dispose_engine()
        yield urls
        dispose_engine()


@pytest.fixture
def redis_url() -> str:
    if not _REDIS_URL:
        pytest.skip("no Redis server configured (REDIS_URL); CI always has one")
    return _REDIS_URL


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# --- the platform sandbox on loopback (uvicorn in a thread) -------------------------------------------------


@dataclass
class Sandbox:
    url: str
    states: dict[str, SandboxState]

    def base(self, platform: str) -> str:
        return f"{self.url}/{platform}"

    def control(self, platform: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(method, f"{self.base(platform)}/_sandbox/{path}", **kwargs)

    def fault(self, platform: str, path: str, kind: str, **kwargs: Any) -> None:
        self.control(platform, "POST", "faults", json={"path": path, "kind": kind, **kwargs}).raise_for_status()


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    app, states = create_sandbox()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the sandbox did not start"
        time.sleep(0.05)
    yield Sandbox(f"http://127.0.0.1:{port}", states)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def sandboxed(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """The sandbox with every platform reset, and the settings pointing the registry at it."""
    monkeypatch.setenv("SANDBOX_BASE_URL", sandbox.url)
    get_settings.cache_clear()
    for state in sandbox.states.values():
        state.reset()
    yield sandbox
    get_settings.cache_clear()


# --- S3 on loopback: moto's server mode, reached by the real boto3 client through endpoint_url -----------


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


# --- the real app and a browser (shared by every browser test) -------------------------------------------


@pytest.fixture(scope="session")
def app_url(database: dict[str, str], artifacts: Path, sandbox: Sandbox) -> Iterator[str]:
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "reflex",
        "run",
        "--env",
        "prod",
        "--frontend-port",
        str(port),
        "--backend-port",
        str(port),
    ]
    env = app_environment(APP_URL=f"http://localhost:{port}", SANDBOX_BASE_URL=sandbox.url)
    with running(cmd, env=env, log=artifacts / "web-app.log", ready_path="/", port=port) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        message = f"no browser at {CHROMIUM}: install Debian's chromium to run the browser tests"
        if os.environ.get("SOCIALHUB_REQUIRE_BROWSER"):
            pytest.fail(message)  # CI installs it; a missing browser there is a broken build, not a skip
        pytest.skip(message)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
