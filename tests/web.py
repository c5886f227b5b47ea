"""Running the real app as a subprocess for end-to-end tests, and a browser to look at it."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psutil

from socialhub.launcher import child_environment
from socialhub.settings import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_environment(**overrides: str | None) -> dict[str, str]:
    """The launcher's environment for its children, with overrides (None removes a variable)."""
    env = child_environment()
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, *, timeout: float = 240) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return response
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout}s:\n{log.read_text()[-4000:]}")


def stop(process: subprocess.Popen[bytes], *, grace: float = 30) -> int:
    """Ctrl-C to the whole process group, then harder; returns the exit code."""
    for sig in (signal.SIGINT, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            return process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
    return process.wait()


def start(cmd: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``cmd`` in a session of its own (so ``stop`` reaches its whole tree), its output into ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(
            cmd, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


@contextmanager
def running(
    cmd: list[str], *, env: dict[str, str], log: Path, ready_path: str, port: int, timeout: float = 240
) -> Iterator[str]:
    process = start(cmd, env=env, log=log)
    base = f"http://localhost:{port}"
    try:
        wait_for(base + ready_path, process, log, timeout=timeout)
        yield base
    finally:
        stop(process)


def websocket_handshake(base: str, *, origin: str) -> int:
    """The status of a websocket handshake to the app's event endpoint, sent as a browser would from ``origin``."""
    url = urlsplit(base)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        "GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\n"
        f"Host: {url.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
    )
    with socket.create_connection((url.hostname, url.port or 80), timeout=10) as conn:
        conn.sendall(request.encode())
        status_line = conn.makefile("rb").readline().decode()
    return int(status_line.split()[1])


def listening_addresses(port: int) -> set[str]:
    """The local addresses something on this machine listens on at ``port`` (TCP)."""
    return {
        c.laddr.ip
        for c in psutil.net_connections(kind="tcp")
        if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port
    }
