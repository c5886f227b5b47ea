"""Publishing under failure, counted by the X sandbox: every target ends published exactly once or
`unconfirmed` (with a check-the-platform message) — 0 lost, 0 duplicates, and at most 1 % unconfirmed: X's
lookup is authoritative, so an attempt it does not list once nothing of it can still land is published.

- kill -9 the consumer again and again during a burst;
- Redis flushed mid-burst (queued messages and locks gone): the sweeper finds the work again in PostgreSQL;
- two consumers at once: nothing is published twice.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from sqlmodel import func, select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import AuditLog, ErrorClass, Post, PostPlatform, PostStatus, PublishStatus, Role, utcnow
from socialhub.settings import get_settings
from tests.conftest import Sandbox
from tests.factories import connect_sandbox_account, make_tenant, make_user
from tests.web import app_environment

CALLBACK = "http://localhost:3000/accounts/callback"
UNSETTLED = (PublishStatus.QUEUED, PublishStatus.RETRY_WAIT, PublishStatus.PUBLISHING)
UNCONFIRMED_GOAL = 0.01  # of the burst (issue 13, item 34)


@dataclass
class Burst:
    tenant_id: uuid.UUID
    size: int
    env: dict[str, str]
    log: Path
    sandbox: Sandbox
    redis_url: str

    def consumer(self, workers: int = 4) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "socialhub", "worker", "--workers", str(workers)],
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def counts(self) -> Counter[PublishStatus]:
        with tenant_session(Context.system(self.tenant_id)) as session:
            rows = session.exec(select(PostPlatform.status, func.count()).group_by(PostPlatform.status)).all()
        return Counter({status: n for status, n in rows})

    def wait_until_settled(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while any(self.counts()[s] for s in UNSETTLED):
            assert time.monotonic() < deadline, f"not settled: {self.counts()}"
            time.sleep(0.5)

    def wait_until_published(self, *, more_than: int, timeout: float = 120) -> int:
        """Until more than ``more_than`` targets are published (a consumer that started is really working)."""
        deadline = time.monotonic() + timeout
        while (done := self.counts()[PublishStatus.PUBLISHED]) <= more_than:
            assert time.monotonic() < deadline, f"no consumer published anything: {self.counts()}"
            time.sleep(0.05)
        return done

    def check(self, name: str, **figures: object) -> dict[str, object]:
        """Compare the rows with what the platform received; write the figures; assert the guarantees."""
        final = self.counts()
        sent = [p["payload"]["text"] for p in self.sandbox.control("x", "GET", "state").json()["published"]]
        with tenant_session(Context.system(self.tenant_id)) as session:
            rows = session.exec(select(PostPlatform, Post).where(PostPlatform.post_id == Post.id)).all()
            found_by_lookup = session.exec(
                select(func.count())
                .select_from(AuditLog)
                .where(AuditLog.action == "post.published", AuditLog.after["reconciled"].as_boolean())
            ).one()
        duplicates = [text for text, n in Counter(sent).items() if n > 1]
        # The sandbox, like X, refuses an identical re-post (403 duplicate content), and the row is then published
        # as the original: a post sent twice that X happened to catch. X does not promise to catch every one.
        resent = [post.content for row, post in rows if row.error_class is ErrorClass.DUPLICATE]
        missing = [
            post.content for row, post in rows if row.status is PublishStatus.PUBLISHED and post.content not in sent
        ]
        unconfirmed = final[PublishStatus.UNCONFIRMED]
        log = self.log.read_text(errors="replace")
        result = {
            **figures,
            "burst": self.size,
            "final": {k.value: v for k, v in final.items()},
            "sent_to_platform": len(sent),
            "published": final[PublishStatus.PUBLISHED],
            "unconfirmed": unconfirmed,
            "unconfirmed_pct": round(100 * unconfirmed / self.size, 2),
            "unconfirmed_that_reached_the_platform": sum(
                1 for row, post in rows if row.status is PublishStatus.UNCONFIRMED and post.content in set(sent)
            ),
            "found_by_lookup": found_by_lookup,  # an attempt that had reached X, recognised after the crash
            "published_after_proven_absent": log.count("after it settled: publishing it now"),
            "duplicates": len(duplicates),
            "resent_and_refused_as_duplicate": len(resent),
            "published_rows_missing_at_platform": len(missing),
        }
        (self.log.parent / f"reliability-{name}.txt").write_text(f"{result}\n")
        print(f"reliability {name}: {result}")
        assert duplicates == [] and resent == []  # nothing posted twice, nor even sent twice
        assert missing == []  # every row that says published is at the platform
        assert final[PublishStatus.PUBLISHED] + unconfirmed == self.size  # nothing lost
        assert unconfirmed <= UNCONFIRMED_GOAL * self.size, result
        return result


@pytest.fixture
def burst(
    request: pytest.FixtureRequest,
    database: dict[str, str],
    sandbox: Sandbox,
    redis_url: str,
    artifacts: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Burst]:
    """A connected sandbox X account and N targets due now, with a short lease so recovery is quick."""
    size = request.param if hasattr(request, "param") else 500  # the burst
    monkeypatch.setenv("SANDBOX_BASE_URL", sandbox.url)
    get_settings.cache_clear()
    sandbox.states["x"].reset()
    # X answering in 300 ms keeps a burst in flight long enough for the kills and the flush to land mid-way.
    sandbox.states["x"].latency_ms = 300
    for endpoint in ("POST /2/tweets", "GET /2/users/{id}/tweets", "GET /2/users/me"):
        sandbox.control("x", "POST", "rate-limits", json={"endpoint": endpoint, "limit": 100_000}).raise_for_status()
    tenant = make_tenant()
    admin = make_user(tenant, role=Role.ADMIN)
    ctx = Context(tenant.id, admin.id, Role.ADMIN)
    account = connect_sandbox_account(ctx, "x")
    with tenant_session(Context.system(tenant.id)) as session:
        for n in range(size):
            post = Post(
                tenant_id=tenant.id,
                created_by=admin.id,
                status=PostStatus.SCHEDULED,
                content=f"Burst post {n:04d} {uuid.uuid4().hex[:6]}",
            )
            session.add(post)
            session.flush()
            session.add(
                PostPlatform(
                    tenant_id=tenant.id,
                    post_id=post.id,
                    social_account_id=account.id,
                    platform=account.platform,
                    status=PublishStatus.QUEUED,
                    next_attempt_at=utcnow(),
                )
            )
        session.commit()
    env = app_environment(
        REDIS_URL=redis_url, SANDBOX_BASE_URL=sandbox.url, PUBLISH_LEASE_SECONDS="3", PLATFORM_TIMEOUT_SECONDS="3"
    )
    log = artifacts / f"reliability-{request.node.name}.log"
    log.write_text("")
    yield Burst(tenant.id, size, env, log, sandbox, redis_url)
    get_settings.cache_clear()


def stop_now(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=30)


def test_kill_9_during_a_burst_loses_nothing_and_posts_nothing_twice(burst: Burst) -> None:
    rng = random.Random(9)
    started = time.monotonic()
    for _ in range(6):  # a consumer works for a moment, then dies without warning
        at_start = burst.counts()[PublishStatus.PUBLISHED]
        consumer = burst.consumer(workers=16)  # many attempts in flight at each kill
        # However long a consumer takes to start here, the kill lands once it is publishing: its first new
        # post, then a moment more with other posts in flight. Three of them X creates but answers only after
        # the client's timeout, so the kill also catches attempts that did reach X: they must be found, not
        # sent again (a post whose request is cut off before X reads it never appears: proven absent later).
        burst.wait_until_published(more_than=at_start)
        burst.sandbox.fault("x", "/2/tweets$", "crash_after_commit", method="POST", times=3, seconds=5)
        time.sleep(rng.uniform(0.5, 1.5))
        os.killpg(consumer.pid, signal.SIGKILL)
        consumer.wait()
    before = burst.counts()[PublishStatus.PUBLISHED]
    survivor = burst.consumer()
    try:
        burst.wait_until_settled()
    finally:
        stop_now(survivor)
    burst.check("kill-9", kills=6, published_before_last_kill=before, elapsed_s=round(time.monotonic() - started, 1))
    assert 0 < before < burst.size  # the kills really interrupted work in progress


def test_redis_flushed_mid_burst_is_recovered_by_the_sweeper(burst: Burst) -> None:
    consumer = burst.consumer()
    try:
        deadline = time.monotonic() + 60
        while burst.counts()[PublishStatus.PUBLISHED] < 20 and time.monotonic() < deadline:
            time.sleep(0.1)  # flush once the burst is really under way
        before = burst.counts()[PublishStatus.PUBLISHED]
        redis.Redis.from_url(burst.redis_url).flushdb()  # queued messages, results and locks: all gone
        burst.wait_until_settled()
    finally:
        stop_now(consumer)
    burst.check("redis-flush", published_before_flush=before)
    assert 0 < before < burst.size  # the flush happened mid-burst


def test_two_consumers_at_once_publish_nothing_twice(burst: Burst) -> None:
    consumers = [burst.consumer(), burst.consumer()]
    try:
        burst.wait_until_settled()
    finally:
        for consumer in consumers:
            stop_now(consumer)
    result = burst.check("two-consumers")
    assert result["final"] == {"published": burst.size}  # no crash here, so nothing is even unconfirmed
    runs = sum(line.count("publish.sweeper") for line in burst.log.read_text().splitlines() if "Executing" in line)
    locked = burst.log.read_text().count("unable to acquire lock publish.sweeper")
    (burst.log.parent / "reliability-two-consumers-sweeper.txt").write_text(f"sweeper runs={runs} refused={locked}\n")
