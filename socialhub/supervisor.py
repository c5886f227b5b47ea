"""Keeps the launcher's child processes running: a child that dies is started again, with backoff.

Each child runs in a process group of its own; when one dies, whatever is left of its group (Reflex's granian
workers and bun, say) is stopped before it starts again, so the new one finds its port free.

Restart delays double from ``BACKOFF_START`` up to ``BACKOFF_MAX`` while a child keeps dying quickly, and start
again from the bottom once it has stayed up ``STABLE_AFTER`` seconds. A service marked
``restart_after_ready_only`` (the web app) is restarted only if it had answered its ``ready_url`` before it
died: dying before ever answering is a start-up failure (port taken, broken build, bad setting) that a restart
would only repeat, so the supervisor then asks to stop everything instead.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Service", "Supervisor", "describe_exit", "restart_delay"]

log = logging.getLogger("socialhub.launcher")

BACKOFF_START = 1.0
BACKOFF_MAX = 30.0
STABLE_AFTER = 60.0
STOP_GRACE_SECONDS = 15
LEFTOVER_GRACE_SECONDS = 5


@dataclass(frozen=True)
class Service:
    name: str
    command: list[str]
    ready_url: str | None = None  # polled until it answers 200; then the service counts as serving
    ready_message: str | None = None  # logged when it first answers (each start)
    restart_after_ready_only: bool = False


@dataclass
class _Child:
    service: Service
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    ready: bool = False
    quick_deaths: int = 0
    restart_at: float | None = None


def restart_delay(quick_deaths: int) -> float:
    """Seconds before the next start after the n-th quick death in a row (1, 2, 4, … up to BACKOFF_MAX)."""
    return min(BACKOFF_MAX, BACKOFF_START * 2 ** max(0, quick_deaths - 1))


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"signal {-returncode}"
    return f"code {returncode}"


# No proxy: the probe asks a loopback address of our own, which an HTTP_PROXY from the environment cannot reach.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def answers(url: str) -> bool:
    """Whether ``url`` answers 200 (urllib: unlike httpx it logs nothing, and this asks twice a second)."""
    try:
        with _DIRECT.open(url, timeout=1.0) as response:
            return bool(response.status == 200)
    except (OSError, ValueError):
        return False


def _signal_group(pid: int, sig: int) -> bool:
    """Send ``sig`` to a process group; False when the group no longer exists."""
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):  # gone (or its number already reused by someone else's group)
        return False
    return True


def _group_alive(pid: int) -> bool:
    return _signal_group(pid, 0)  # signal 0: only asks whether the group exists


def _tree_alive(process: subprocess.Popen[bytes]) -> bool:
    """The child itself (reaped here once it exits) or anything else in its process group still runs."""
    return process.poll() is None or _group_alive(process.pid)


class Supervisor:
    def __init__(
        self,
        services: list[Service],
        *,
        env: Mapping[str, str],
        cwd: Path,
        clock: Callable[[], float] = time.monotonic,
        probe: Callable[[str], bool] = answers,
    ) -> None:
        self.children = [_Child(s) for s in services]
        self.env = dict(env)
        self.cwd = cwd
        self.clock = clock
        self.probe = probe

    def start(self) -> None:
        for child in self.children:
            self._spawn(child)

    def step(self) -> int | None:
        """Look at every child once. None: keep going; a number: stop everything and exit with it."""
        now = self.clock()
        for child in self.children:
            process = child.process
            if process is None:
                if child.restart_at is not None and now >= child.restart_at:
                    self._spawn(child)
                    log.info("%s started again (pid %s)", child.service.name, child.process.pid)  # type: ignore[union-attr]
                continue
            returncode = process.poll()
            if returncode is None:
                self._check_ready(child)
                continue
            self._stop_leftovers(process.pid)
            child.process = None
            code = self._after_exit(child, returncode, now)
            if code is not None:
                return code
        return None

    def stop(self) -> None:
        """Ctrl-C, then SIGTERM, then SIGKILL to every child's process group, each after a grace period."""
        processes = [c.process for c in self.children if c.process is not None]
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            if not any(map(_tree_alive, processes)):
                break
            for process in processes:
                _signal_group(process.pid, sig)
            deadline = time.monotonic() + STOP_GRACE_SECONDS
            while time.monotonic() < deadline and any(map(_tree_alive, processes)):
                time.sleep(0.2)
        for child in self.children:
            child.process = None

    # --- internals -----------------------------------------------------------------------------------------

    def _spawn(self, child: _Child) -> None:
        child.process = subprocess.Popen(child.service.command, env=self.env, cwd=self.cwd, start_new_session=True)
        child.started_at = self.clock()
        child.ready = child.service.ready_url is None
        child.restart_at = None

    def _check_ready(self, child: _Child) -> None:
        url = child.service.ready_url
        if child.ready or url is None or not self.probe(url):
            return
        child.ready = True
        if child.service.ready_message:
            log.info("%s", child.service.ready_message)

    def _after_exit(self, child: _Child, returncode: int, now: float) -> int | None:
        name, how = child.service.name, describe_exit(returncode)
        if child.service.restart_after_ready_only and not child.ready:
            log.error(
                "%s exited with %s before it ever answered; stopping SocialHub (the lines above say why, and a "
                "restart would fail the same way)",
                name,
                how,
            )
            return returncode or 1
        child.quick_deaths = child.quick_deaths + 1 if now - child.started_at < STABLE_AFTER else 1
        delay = restart_delay(child.quick_deaths)
        child.restart_at = now + delay
        consequence = (
            "until it answers again, open pages say they cannot connect and reconnect by themselves"
            if child.service.restart_after_ready_only
            else "the web app keeps running"
        )
        log.warning("%s exited with %s; starting it again in %g s (%s)", name, how, delay, consequence)
        return None

    def _stop_leftovers(self, pid: int) -> None:
        """The child's own process has exited: stop what is left of its group (Reflex's workers, bun)."""
        if not _signal_group(pid, signal.SIGTERM):
            return
        deadline = time.monotonic() + LEFTOVER_GRACE_SECONDS
        while time.monotonic() < deadline and _group_alive(pid):
            time.sleep(0.1)
        _signal_group(pid, signal.SIGKILL)
