"""Huey tasks. Each is thin: parse, call one service, return a plain value."""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from datetime import datetime

from huey import crontab

from socialhub.models import utcnow
from socialhub.services import publishing, social_accounts, system
from socialhub.services.shared_redis import redis_client
from socialhub.settings import get_settings
from socialhub.worker.huey import huey
from socialhub.worker.lease import Lease, LocalLease, RedisLease

# Half a second between sweeps: a due row waits at most that long to be enqueued (one indexed query per tick).
SWEEP_EVERY_SECONDS = 0.5
SWEEP_AFTER_FAILURE_SECONDS = 5.0
SWEEPER_LEASE_SECONDS = 10.0  # a killed sweeper's successor can take over this long after its last tick
log = logging.getLogger(__name__)
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
def publish_post_platform(tenant_id: str, post_platform_id: str) -> None:
    """Publish one target of a post. Ids only: PostgreSQL is the record, this message is just a nudge.

    Returns nothing: Huey would keep a returned value in its result store, where nobody reads it (the row holds
    the outcome) and, on Redis, it would pile up with every post ever published.
    """

    def requeue(when: datetime) -> None:
        # A row put back to wait (rate limit, backoff, platform busy) comes back at its time, not whenever the
        # sweeper's quiet period for it ends; if this message is lost, the sweeper still finds the row.
        delay = max(0.0, (when - utcnow()).total_seconds())
        publish_post_platform.schedule((tenant_id, post_platform_id), delay=delay)

    publishing.publish_target(uuid.UUID(tenant_id), uuid.UUID(post_platform_id), requeue=requeue)


def enqueue_target(tenant_id: uuid.UUID, post_platform_id: uuid.UUID) -> None:
    publish_post_platform(str(tenant_id), str(post_platform_id))


def _sweeper_lease() -> Lease:
    url = get_settings().redis_url
    if url:
        return RedisLease(redis_client(url), "socialhub:publish.sweeper", seconds=SWEEPER_LEASE_SECONDS)
    return LocalLease("publish.sweeper")


def _sweep_while_leased() -> int | None:
    """Sweep every half second until the consumer stops or the lease is lost; None if another sweeper runs."""
    lease = _sweeper_lease()
    if not lease.acquire():
        return None
    recently: dict[uuid.UUID, float] = {}
    sent = 0
    try:
        while not _stopping.is_set():
            try:
                sent += publishing.sweep(enqueue_target, recently=recently)
            except Exception:  # a database or queue hiccup: keep the lease and try again shortly
                log.exception("sweeping failed; trying again")
                _stopping.wait(SWEEP_AFTER_FAILURE_SECONDS)
            _stopping.wait(SWEEP_EVERY_SECONDS)
            if not lease.renew():
                log.warning("another consumer took over sweeping")
                break
    finally:
        with contextlib.suppress(Exception):
            lease.release()
    return sent


@huey.periodic_task(crontab(minute="*"), name="publish.sweeper")
def sweeper() -> int:
    """Enqueue rows that are due and recover rows whose lease expired, every half second, for as long as the
    consumer runs.

    One sweeper at a time across consumers, through a lease renewed on every tick. This run, every minute, only
    starts one when none is running: after the consumer that swept stopped, or was killed (its lease lapses
    within SWEEPER_LEASE_SECONDS). Work lost from the queue (a killed consumer, a flushed Redis) is found here
    again, because the rows in PostgreSQL still say it is due.
    """
    return _sweep_while_leased() or 0


@huey.task(name="publish.start_sweeping")
def start_sweeping(attempts: int = 2) -> int:
    """Sweep from the moment a consumer starts. Refused because a killed consumer's lease has not lapsed yet:
    try again once it has (when a live sweeper holds it, the retry is simply refused too)."""
    sent = _sweep_while_leased()
    if sent is None and attempts > 1:
        start_sweeping.schedule((attempts - 1,), delay=SWEEPER_LEASE_SECONDS + 1)
    return sent or 0


_kicked = threading.Lock()
_kicked_once = False


@huey.on_startup(name="kick-sweeper")
def _kick_sweeper() -> None:
    """Start sweeping as soon as a consumer starts, not at the next periodic run.

    Startup hooks run once per worker thread; only the first enqueues. With several consumers the
    sweeper's lease lets one run and the others stop at once.
    """
    global _kicked_once
    with _kicked:
        if _kicked_once:
            return
        _kicked_once = True
    start_sweeping()  # enqueues a run now


@huey.periodic_task(crontab(minute="*/10"), name="accounts.refresh_expiring")
@huey.lock_task("accounts.refresh_expiring")
def refresh_expiring_accounts() -> dict[str, int]:
    """Refresh platform sign-ins before they expire; dead ones are marked for reconnecting."""
    return social_accounts.refresh_expiring()
