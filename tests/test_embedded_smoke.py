"""The quick start's path: `python -m socialhub run` with nothing configured.

Embedded PostgreSQL 18 in DATA_DIR, migrations, the demo team, a SQLite-backed Huey consumer that really
takes work, the web app on one port, and a clean stop on Ctrl-C that also stops the database.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

from tests.web import app_environment, free_port, running


def _get_when_up(url: str, timeout: float = 30) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(url)
        except httpx.ConnectError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def postmasters_for(data_dir: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "postgres" and str(data_dir) in " ".join(proc.info["cmdline"] or []):
            found.append(proc)
    return found


def test_run_with_embedded_defaults(tmp_path: Path, artifacts: Path) -> None:
    data_dir = tmp_path / "data"
    port = free_port()
    while not _port_free(port + 1):
        port = free_port()
    env = app_environment(
        DATABASE_URL=None,
        MIGRATION_DATABASE_URL=None,
        REDIS_URL=None,
        DATABASE_EMBEDDED=None,
        DATA_DIR=str(data_dir),
        ENVIRONMENT="development",
        APP_URL=None,
        SANDBOX_BASE_URL=None,
        # Its own front-end build: the session's browser tests serve .web/ built for another port meanwhile.
        REFLEX_WEB_WORKDIR=".web-embedded-smoke",
    )
    log = artifacts / "embedded-run.log"
    cmd = [sys.executable, "-m", "socialhub", "run", "--port", str(port)]

    with running(cmd, env=env, log=log, ready_path="/api/v1/ready", port=port) as url:
        ready = httpx.get(f"{url}/api/v1/ready").json()
        assert ready["database"].startswith("embedded PostgreSQL 18")
        assert ready["queue"] == "SQLite (local)" and ready["schema_current"]
        assert postmasters_for(data_dir), "the embedded server should run from DATA_DIR"
        assert httpx.get(url).status_code == 200
        # Sandbox mode: the fake platforms answer from their own server on the next port.
        sandbox = _get_when_up(f"http://127.0.0.1:{port + 1}/x/_sandbox/state")
        assert sandbox.status_code == 200 and sandbox.json()["platform"] == "x"

        # The consumer started by `run` takes a task from the same SQLite queue and answers.
        check = subprocess.run(
            [sys.executable, "-m", "socialhub", "check", "--worker-timeout", "60"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert check.returncode == 0, check.stdout + check.stderr
        assert "worker    answered from" in check.stdout

    text = log.read_text()
    assert "demo team created" in text
    assert "Traceback" not in text
    # The launcher held the embedded server; after a clean stop nothing is left running.
    deadline = time.monotonic() + 15
    while postmasters_for(data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert postmasters_for(data_dir) == []
