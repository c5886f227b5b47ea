"""Huey tasks. Each is thin: parse, call one service, return a plain value."""

from __future__ import annotations

from socialhub.services import system
from socialhub.worker.huey import huey


@huey.task(name="system.ping")
def ping(token: str) -> dict[str, str]:
    """Proves a consumer is taking work (used by `socialhub doctor` and the embedded smoke test)."""
    return system.worker_echo(token)
