"""Huey tasks. Each is thin: parse, call one service, return a plain value."""

from __future__ import annotations

from huey import crontab

from socialhub.services import social_accounts, system
from socialhub.worker.huey import huey


@huey.task(name="system.ping")
def ping(token: str) -> dict[str, str]:
    """Proves a consumer is taking work (used by `socialhub check` and the embedded smoke test)."""
    return system.worker_echo(token)


@huey.periodic_task(crontab(minute="*/10"), name="accounts.refresh_expiring")
@huey.lock_task("accounts.refresh_expiring")  # several consumers: only one runs it at a time
def refresh_expiring_accounts() -> dict[str, int]:
    """Refresh platform sign-ins before they expire; dead ones are marked for reconnecting."""
    return social_accounts.refresh_expiring()
