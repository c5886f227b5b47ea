"""The quick start's path: `python -m socialhub run` with nothing configured.

Embedded PostgreSQL 18 in DATA_DIR, migrations, the demo team, a SQLite-backed Huey consumer that really
takes work, the web app on one port listening on this machine only, a clean stop on Ctrl-C that also stops the
database, and a checkout left as it was: running the app rewrites no tracked file.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

from socialhub.settings import PROJECT_ROOT
from tests.web import app_environment, free_port, listening_addresses, running

WEB_WORKDIR = ".web-embedded-smoke"


def checkout_snapshot() -> dict[str, str]:
    """Every tracked file's content hash, and every untracked file git does not ignore (as "untracked")."""

    def git(*args: str) -> list[str]:
        out = subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout
        return [line for line in out.split("\0") if line]

    found = {}
    for path in git("ls-files", "-z"):
        file = PROJECT_ROOT / path
        found[path] = hashlib.sha256(file.read_bytes()).hexdigest() if file.is_file() else "missing"
    for path in git("ls-files", "-z", "--others", "--exclude-standard"):
        found[path] = "untracked"
    return found


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
        REFLEX_WEB_WORKDIR=WEB_WORKDIR,
    )
    # As in a fresh clone: Reflex creates the web directory from scratch, and writes reflex.lock/ as it does.
    shutil.rmtree(PROJECT_ROOT / WEB_WORKDIR, ignore_errors=True)
    log = artifacts / "embedded-run.log"
    cmd = [sys.executable, "-m", "socialhub", "run", "--port", str(port)]
    before = checkout_snapshot()

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

        # Nothing listens beyond this machine unless asked (`--host`), and the log says how to open it.
        assert listening_addresses(port) == {"127.0.0.1"}
        assert listening_addresses(port + 1) == {"127.0.0.1"}
        assert f"SocialHub listens on 127.0.0.1:{port} (this machine only); open http://localhost:{port}" in (
            log.read_text()
        )

    text = log.read_text()
    assert "demo team created" in text
    assert "Traceback" not in text
    # Generated files are either committed exactly as the build writes them (reflex.lock/) or ignored (.web*).
    changed = {path for path, digest in checkout_snapshot().items() if before.get(path) != digest}
    assert changed == set(), f"running the app changed the checkout: {sorted(changed)}"
    # The launcher held the embedded server; after a clean stop nothing is left running.
    deadline = time.monotonic() + 15
    while postmasters_for(data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert postmasters_for(data_dir) == []
