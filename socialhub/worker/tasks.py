"""Huey tasks. Each is thin: parse, call one service, return a plain value."""

from __future__ import annotations

import threading
import time
import uuid

from huey import crontab

from socialhub.services import publishing, social_accounts, system
from socialhub.worker.huey import huey

SWEEP_EVERY_SECONDS = 2.0
SWEEP_FOR_SECONDS = 55.0  # a little under the minute between periodic runs
_stopping = threading.Event()


@huey.on_shutdown(name="stop-sweeping")
def _stop_sweeping() -> None:
    """Idle worker threads stop first on Ctrl-C; telling the sweeper lets the consumer exit within a tick."""
    _stopping.set()


@huey.task(name="system.ping")
def ping(token: str) -> dict[str, str]:
    """Proves a consumer is taking work (used by `socialhub check` and the embedded smoke test)."""
    return system.worker_echo(token)


@huey.task(name="publish.post_platform")
def publish_post_platform(tenant_id: str, post_platform_id: str) -> str | None:
    """Publish one target of a post. Ids only: PostgreSQL is the record, this message is just a nudge."""
    status = publishing.publish_target(uuid.UUID(tenant_id), uuid.UUID(post_platform_id))
    return status.value if status else None


def enqueue_target(tenant_id: uuid.UUID, post_platform_id: uuid.UUID) -> None:
    publish_post_platform(str(tenant_id), str(post_platform_id))


@huey.periodic_task(crontab(minute="*"), name="publish.sweeper")
@huey.lock_task("publish.sweeper")  # several consumers: one sweeper at a time
def sweeper() -> int:
    """Every few seconds: enqueue rows that are due and recover rows whose lease expired.

    Huey's periodic tasks run at most once a minute, so each run sweeps in a loop for just under a
    minute. Work lost from the queue (a killed consumer, a flushed Redis) is found here again, because
    the rows in PostgreSQL still say it is due.
    """
    recently: dict[uuid.UUID, float] = {}
    sent = 0
    deadline = time.monotonic() + SWEEP_FOR_SECONDS
    while time.monotonic() < deadline and not _stopping.is_set():
        sent += publishing.sweep(enqueue_target, recently=recently)
        _stopping.wait(SWEEP_EVERY_SECONDS)
    return sent


_kicked = threading.Lock()
_kicked_once = False


@huey.on_startup(name="kick-sweeper")
def _kick_sweeper() -> None:
    """Start sweeping as soon as a consumer starts, not at the next minute boundary.

    Startup hooks run once per worker thread; only the first enqueues. With several consumers the
    sweeper's lock lets one run and the others stop at once.
    """
    global _kicked_once
    with _kicked:
        if _kicked_once:
            return
        _kicked_once = True
    sweeper()  # enqueues a run now


@huey.periodic_task(crontab(minute="*/10"), name="accounts.refresh_expiring")
@huey.lock_task("accounts.refresh_expiring")
def refresh_expiring_accounts() -> dict[str, int]:
    """Refresh platform sign-ins before they expire; dead ones are marked for reconnecting."""
    return social_accounts.refresh_expiring()
