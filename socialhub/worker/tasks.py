"""Huey tasks. Each is thin: parse, call one service, return a plain value."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from datetime import datetime

from huey import crontab

from socialhub.models import utcnow
from socialhub.services import publishing, social_accounts, system
from socialhub.services.shared_redis import redis_client
from socialhub.settings import get_settings
from socialhub.worker.huey import huey
from socialhub.worker.lease import Lease, LocalLease, RedisLease

# A due row waits at most this long to be enqueued, and the rows of one tick reach the workers together, so the
# last of them also waits for the others: a quarter second keeps both short, for one indexed query per tick.
SWEEP_EVERY_SECONDS = 0.25
SWEEP_AFTER_FAILURE_SECONDS = 5.0
SWEEPER_LEASE_SECONDS = 10.0  # a killed sweeper's successor can take over this long after its last tick
SWEEPER_STANDBY_SECONDS = 55.0  # a little under the minute between periodic runs
log = logging.getLogger(__name__)
_stopping = threading.Event()
_this_process = threading.Lock()  # one thread per consumer sweeps or stands by; the others stay free to publish


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


def _sweep_while_leased(*, standby: float) -> int | None:
    """Sweep every SWEEP_EVERY_SECONDS until the consumer stops or the lease is lost. While another consumer
    holds the lease, stand by for up to ``standby`` seconds to take over the moment it is released or lapses.
    None when this run never swept (another thread of this consumer sweeps or stands by, or the wait ran out)."""
    if not _this_process.acquire(blocking=False):
        return None
    try:
        lease = _sweeper_lease()
        give_up = time.monotonic() + standby
        while not lease.acquire():
            if _stopping.wait(SWEEP_EVERY_SECONDS) or time.monotonic() > give_up:
                return None
        return _sweep(lease)
    finally:
        _this_process.release()


def _sweep(lease: Lease) -> int:
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
    """Enqueue rows that are due and recover rows whose lease expired, four times a second, for as long as the
    consumer runs.

    One sweeper at a time across consumers, through a lease renewed on every tick. On the other consumers this
    run, every minute, stands by for most of the minute, so when the sweeping consumer stops (or is killed, and
    its lease lapses within SWEEPER_LEASE_SECONDS) another takes over at once rather than at its next run. Work
    lost from the queue (a killed consumer, a flushed Redis) is found here again, because the rows in
    PostgreSQL still say it is due.
    """
    return _sweep_while_leased(standby=SWEEPER_STANDBY_SECONDS) or 0


@huey.task(name="publish.start_sweeping")
def start_sweeping() -> None:
    """Sweep from the moment a consumer starts; if a killed consumer's lease has not lapsed yet, wait for it.
    (No return value: Huey would keep it in its result store, one per consumer start, unread.)"""
    _sweep_while_leased(standby=SWEEPER_LEASE_SECONDS + 1)


_kicked = threading.Lock()
_kicked_once = False


@huey.on_startup(name="kick-sweeper")
def _kick_sweeper() -> None:
    """Start sweeping as soon as a consumer starts, not at the next periodic run.

    Startup hooks run once per worker thread; only the first enqueues. With several consumers the
    sweeper's lease lets one run and the others stand by.
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
