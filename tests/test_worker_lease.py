"""The sweeper's lease (worker/lease.py): one holder at a time, renewed by its holder only, lapsing when the
holder dies, surviving a flushed Redis; and the sweeper loop that holds it."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from socialhub.worker.lease import LocalLease, RedisLease


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    yield redis.Redis.from_url(redis_url)


@pytest.fixture
def key(client: redis.Redis) -> Iterator[str]:
    name = f"test-lease-{uuid.uuid4().hex[:10]}"
    yield name
    client.delete(name)


class TestRedisLease:
    def test_one_holder_at_a_time_and_only_the_holder_renews_or_releases(self, client: redis.Redis, key: str) -> None:
        mine, theirs = RedisLease(client, key, seconds=5), RedisLease(client, key, seconds=5)
        assert mine.acquire() and not theirs.acquire()
        assert mine.renew() and not theirs.renew()
        theirs.release()  # not theirs to give back
        assert not theirs.acquire()
        mine.release()
        assert theirs.acquire()

    def test_a_dead_holders_lease_lapses(self, client: redis.Redis, key: str) -> None:
        dead, successor = RedisLease(client, key, seconds=0.5), RedisLease(client, key, seconds=0.5)
        assert dead.acquire()  # and never renewed again
        assert not successor.acquire()
        time.sleep(0.7)
        assert successor.acquire()
        assert not dead.renew()  # the old holder finds out and stops

    def test_a_flushed_lease_is_taken_again_by_its_holder(self, client: redis.Redis, key: str) -> None:
        holder = RedisLease(client, key, seconds=5)
        assert holder.acquire()
        client.delete(key)  # as FLUSHDB would
        assert holder.renew() and not RedisLease(client, key, seconds=5).acquire()


def test_local_lease_is_one_holder_per_name_in_the_process() -> None:
    name = f"test-{uuid.uuid4().hex[:8]}"
    first, second, other = LocalLease(name), LocalLease(name), LocalLease(f"{name}-other")
    assert first.acquire() and not second.acquire() and other.acquire()
    assert first.renew() and not second.renew()
    first.release()
    assert second.acquire()
    second.release()
    other.release()


def test_only_one_sweeper_loop_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two runs of the sweeper at once (two consumers, or the periodic run beside the start-up one): one sweeps
    until the consumer stops, the other returns at once."""
    from socialhub.worker import tasks

    ticks: list[str] = []
    stopping = threading.Event()
    monkeypatch.setattr(tasks, "_stopping", stopping)
    monkeypatch.setattr(tasks, "SWEEP_EVERY_SECONDS", 0.01)
    monkeypatch.setattr(tasks, "_sweeper_lease", lambda: LocalLease("test-sweeper"))
    monkeypatch.setattr(tasks.publishing, "sweep", lambda enqueue, recently: ticks.append("tick") or 1)
    results: list[int | None] = []
    runs = [threading.Thread(target=lambda: results.append(tasks._sweep_while_leased(standby=5))) for _ in range(2)]
    for run in runs:
        run.start()
    time.sleep(0.3)
    stopping.set()
    for run in runs:
        run.join(timeout=5)
    assert sorted(results, key=lambda r: r is not None) == [None, len(ticks)] and len(ticks) > 5


def test_a_standby_sweeper_takes_over_when_the_dead_holders_lease_lapses(
    monkeypatch: pytest.MonkeyPatch, client: redis.Redis, key: str
) -> None:
    from socialhub.worker import tasks

    assert RedisLease(client, key, seconds=0.5).acquire()  # a consumer that was killed while sweeping
    ticks: list[float] = []
    stopping = threading.Event()
    monkeypatch.setattr(tasks, "_stopping", stopping)
    monkeypatch.setattr(tasks, "SWEEP_EVERY_SECONDS", 0.05)
    monkeypatch.setattr(tasks, "_sweeper_lease", lambda: RedisLease(client, key, seconds=0.5))
    monkeypatch.setattr(tasks.publishing, "sweep", lambda enqueue, recently: ticks.append(time.monotonic()) or 0)
    started = time.monotonic()
    result: list[int | None] = []
    run = threading.Thread(target=lambda: result.append(tasks._sweep_while_leased(standby=5)))
    run.start()
    time.sleep(1.0)
    stopping.set()
    run.join(timeout=5)
    assert result == [0] and ticks and 0.4 < ticks[0] - started < 0.8
