"""The platforms' shared limits (services/platform_gate.py), on real Redis and in process memory:
the cap holds under concurrent threads and processes, a crashed holder's slot comes back, and a lockout set by one
worker makes another worker's row wait for the reset without a single call to the platform."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
import redis
from sqlmodel import select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import (
    ErrorClass,
    Platform,
    Post,
    PostPlatform,
    PostStatus,
    PublishStatus,
    Role,
    SocialAccount,
    utcnow,
)
from socialhub.services import platform_gate, publishing
from socialhub.services.platform_gate import MemoryGate, PlatformGate, RedisGate, Slot, Wait
from socialhub.settings import get_settings
from tests.conftest import Sandbox
from tests.factories import connect_sandbox_account, make_tenant, make_user

GateFactory = Callable[..., PlatformGate]


@pytest.fixture(params=["redis", "memory"])
def new_gate(request: pytest.FixtureRequest) -> Iterator[GateFactory]:
    """Builds "another worker's" gate. On Redis every call gives a separate client sharing one key prefix (what
    separate consumers share); in memory they are one process's threads, so they share one instance."""
    if request.param == "memory":
        gates: list[MemoryGate] = []

        def memory(**kwargs: object) -> PlatformGate:
            if not gates:
                gates.append(MemoryGate(**kwargs))  # type: ignore[arg-type]
            return gates[0]

        yield memory
        return
    url = request.getfixturevalue("redis_url")
    prefix = f"test-gate-{uuid.uuid4().hex[:10]}"
    yield lambda **kwargs: RedisGate(url, prefix=prefix, **kwargs)  # type: ignore[arg-type]
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def hold_slots(gate: PlatformGate, *, threads: int, rounds: int, hold: float) -> tuple[int, int]:
    """(most slots held at once, slots granted): every thread takes a slot, holds it a moment, gives it back."""
    lock = threading.Lock()
    now, peak, granted = 0, 0, 0

    def worker() -> None:
        nonlocal now, peak, granted
        for _ in range(rounds):
            slot = gate.admit("x", "acct", wait=30)
            assert isinstance(slot, Slot)
            with lock:
                now, granted = now + 1, granted + 1
                peak = max(peak, now)
            time.sleep(hold)
            with lock:
                now -= 1
            gate.release(slot)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return peak, granted


class TestCap:
    def test_concurrent_threads_never_exceed_the_cap(self, new_gate: GateFactory) -> None:
        peak, granted = hold_slots(new_gate(caps={"x": 3}), threads=24, rounds=4, hold=0.01)
        assert peak == 3 and granted == 96

    def test_concurrent_processes_never_exceed_the_cap(self, redis_url: str) -> None:
        """Four processes of six threads each on one Redis: the moments each held a slot never overlap more
        than the cap allows (one machine, one clock)."""
        prefix = f"test-gate-{uuid.uuid4().hex[:10]}"
        child = f"""
import json, threading, time
from socialhub.services.platform_gate import RedisGate, Slot
gate = RedisGate({redis_url!r}, prefix={prefix!r}, caps={{"x": 3}})
spans, lock = [], threading.Lock()
def work():
    for _ in range(5):
        slot = gate.admit("x", "acct", wait=60)
        assert isinstance(slot, Slot)
        start = time.time()
        time.sleep(0.01)
        with lock:
            spans.append((start, time.time()))
        gate.release(slot)
pool = [threading.Thread(target=work) for _ in range(6)]
[t.start() for t in pool]
[t.join() for t in pool]
print(json.dumps(spans))
"""
        children = [subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE) for _ in range(4)]
        spans = [span for p in children for span in json.loads(p.communicate(timeout=120)[0])]
        assert all(p.returncode == 0 for p in children) and len(spans) == 4 * 6 * 5
        events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
        held, peak = 0, 0
        for _, change in events:  # at equal times the end (-1) sorts first: a handover is not an overlap
            held += change
            peak = max(peak, held)
        assert peak <= 3

    def test_when_every_slot_stays_taken_the_answer_is_to_come_back_soon(self, new_gate: GateFactory) -> None:
        gate = new_gate(caps={"x": 1})
        held = gate.admit("x", "acct")
        assert isinstance(held, Slot)
        started = time.monotonic()
        busy = gate.admit("x", "other", wait=0.2)
        assert isinstance(busy, Wait) and busy.reason == "busy"
        assert 0.2 <= time.monotonic() - started < 1.0  # a short wait, never a long block
        assert timedelta(seconds=0.5) < busy.until - utcnow() < timedelta(seconds=3)
        gate.release(held)
        assert isinstance(gate.admit("x", "other", wait=0), Slot)
        assert isinstance(gate.admit("linkedin", "other", wait=0), Slot)  # caps are per platform

    def test_a_crashed_holders_slot_comes_back_when_it_expires(self, redis_url: str) -> None:
        """A process takes the only slot and dies without giving it back."""
        prefix = f"test-gate-{uuid.uuid4().hex[:10]}"
        child = (
            "import os; from socialhub.services.platform_gate import RedisGate, Slot; "
            f"g = RedisGate({redis_url!r}, prefix={prefix!r}, caps={{'x': 1}}, slot_seconds=1.5); "
            "assert isinstance(g.admit('x', 'a'), Slot); os._exit(0)"
        )
        subprocess.run([sys.executable, "-c", child], check=True, timeout=60)
        gate = RedisGate(redis_url, prefix=prefix, caps={"x": 1}, slot_seconds=1.5)
        assert gate.in_use("x") == 1
        assert isinstance(gate.admit("x", "b", wait=0), Wait)
        assert isinstance(gate.admit("x", "b", wait=3), Slot)  # within the slot's 1.5 s lifetime

    def test_a_slot_never_given_back_in_memory_expires_too(self) -> None:
        gate = MemoryGate(caps={"x": 1}, slot_seconds=0.5)
        assert isinstance(gate.admit("x", "a"), Slot)  # and dropped, as by a thread that died
        assert isinstance(gate.admit("x", "b", wait=0), Wait)
        assert isinstance(gate.admit("x", "b", wait=2), Slot)


class TestLockout:
    def test_an_account_lockout_holds_that_account_until_the_reset(self, new_gate: GateFactory) -> None:
        gate = new_gate()
        gate.lock_out("x", "a", utcnow() + timedelta(seconds=1))
        waiting = gate.admit("x", "a")
        assert isinstance(waiting, Wait) and waiting.reason == "rate_limited" and not waiting.app_wide
        assert isinstance(gate.admit("x", "b"), Slot)  # another account on the same platform goes ahead
        gate.lock_out("x", "a", utcnow() + timedelta(seconds=0.2))  # an earlier reset never shortens it
        time.sleep(0.5)
        assert isinstance(gate.admit("x", "a", wait=0), Wait)
        time.sleep(0.7)
        assert isinstance(gate.admit("x", "a", wait=0), Slot)

    def test_an_app_wide_lockout_holds_every_account(self, new_gate: GateFactory) -> None:
        gate = new_gate()
        reset = utcnow() + timedelta(seconds=30)
        gate.lock_out("reddit", "a", reset, app_wide=True)
        waiting = gate.admit("reddit", "b")
        assert isinstance(waiting, Wait) and waiting.app_wide
        assert abs((waiting.until - reset).total_seconds()) < 0.01
        assert isinstance(gate.admit("x", "b"), Slot)


def test_the_settings_choose_the_gate(monkeypatch: pytest.MonkeyPatch, redis_url: str) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("PLATFORM_CONCURRENCY", '{"x": 2}')
    get_settings.cache_clear()
    memory = platform_gate.get_gate()
    assert isinstance(memory, MemoryGate) and memory.cap("x") == 2 and memory.cap("tiktok") == 4
    assert platform_gate.get_gate() is memory  # one per process: all its threads share it
    monkeypatch.setenv("REDIS_URL", redis_url)
    get_settings.cache_clear()
    assert isinstance(platform_gate.get_gate(), RedisGate)
    get_settings.cache_clear()


# --- through the publishing pipeline, counted at the sandbox -------------------------------------------------------


@pytest.fixture
def use_gate(monkeypatch: pytest.MonkeyPatch) -> Callable[[PlatformGate], None]:
    """Make publishing use this gate in the current thread (each "worker" below installs its own)."""
    local = threading.local()
    monkeypatch.setattr(platform_gate, "get_gate", lambda: local.gate)

    def install(gate: PlatformGate) -> None:
        local.gate = gate

    return install


def connect(sandbox: Sandbox, platform: str) -> SocialAccount:
    tenant = make_tenant()
    admin = make_user(tenant, role=Role.ADMIN)
    account = connect_sandbox_account(Context(tenant.id, admin.id, Role.ADMIN), platform)
    account.connected_by = admin.id
    return account


def due_target(account: SocialAccount, **options: str) -> PostPlatform:
    with tenant_session(Context.system(account.tenant_id)) as session:
        post = Post(
            tenant_id=account.tenant_id,
            created_by=account.connected_by,
            status=PostStatus.SCHEDULED,
            title="Gate test",
            content=f"Through the gate ({uuid.uuid4().hex[:8]})",
        )
        session.add(post)
        session.flush()
        target = PostPlatform(
            tenant_id=account.tenant_id,
            post_id=post.id,
            social_account_id=account.id,
            platform=account.platform,
            status=PublishStatus.QUEUED,
            next_attempt_at=utcnow(),
            options=dict(options),
        )
        session.add(target)
        session.commit()
    return target


def reload(target: PostPlatform) -> PostPlatform:
    with tenant_session(Context.system(target.tenant_id)) as session:
        row = session.exec(select(PostPlatform).where(PostPlatform.id == target.id)).one()
    return row


def requests_at(sandbox: Sandbox, platform: str) -> int:
    return int(sandbox.control(platform, "GET", "state").json()["counters"].get("requests", 0))


def in_thread(function: Callable[[], object]) -> object:
    """Run as another worker would: on a thread of its own (with its own gate, see ``use_gate``)."""
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(function()))
    thread.start()
    thread.join()
    return result[0]


def test_the_cap_holds_at_the_platform(
    sandboxed: Sandbox, database: dict[str, str], new_gate: GateFactory, use_gate: Callable[[PlatformGate], None]
) -> None:
    """Ten workers, ten X targets, a cap of 2, 100 ms per call: the sandbox never sees more than 2 at once,
    and every target goes out exactly once (the ones turned away come back)."""
    account = connect(sandboxed, "x")
    sandboxed.control("x", "POST", "latency", json={"ms": 100}).raise_for_status()
    targets = [due_target(account) for _ in range(10)]
    outcomes: list[PublishStatus | None] = []

    def worker(target: PostPlatform) -> None:
        use_gate(new_gate(caps={"x": 2}))
        deadline = time.monotonic() + 60
        while (status := publishing.publish_target(target.tenant_id, target.id)) is not PublishStatus.PUBLISHED:
            assert status in (PublishStatus.QUEUED, None) and time.monotonic() < deadline
            time.sleep(0.1)
        outcomes.append(status)

    pool = [threading.Thread(target=worker, args=(t,)) for t in targets]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    state = sandboxed.control("x", "GET", "state").json()
    assert state["peak_in_flight"] == 2
    texts = [p["payload"]["text"] for p in state["published"]]
    assert len(outcomes) == 10 and len(texts) == 10 == len(set(texts))
    assert all(reload(t).retry_count == 1 for t in targets)  # a deferral is not an attempt


def test_a_lockout_from_one_worker_makes_anothers_row_wait_without_calling(
    sandboxed: Sandbox, database: dict[str, str], new_gate: GateFactory, use_gate: Callable[[PlatformGate], None]
) -> None:
    account = connect(sandboxed, "x")
    first, second = due_target(account), due_target(account)
    sandboxed.fault("x", "/2/tweets$", "429", method="POST", reset_in=2)

    def worker_a() -> PublishStatus | None:
        use_gate(new_gate())
        return publishing.publish_target(first.tenant_id, first.id)

    assert in_thread(worker_a) is PublishStatus.RETRY_WAIT  # met the limit: the lockout is recorded
    calls_before = requests_at(sandboxed, "x")
    requeued: list[datetime] = []

    def worker_b() -> PublishStatus | None:
        use_gate(new_gate())
        return publishing.publish_target(second.tenant_id, second.id, requeue=requeued.append)

    assert in_thread(worker_b) is PublishStatus.RETRY_WAIT
    assert requests_at(sandboxed, "x") == calls_before  # not one request reached X
    row = reload(second)
    assert row.error_class is ErrorClass.RATE and row.error_code == "rate_limit_lockout"
    assert row.retry_count == 0 and row.armed_at is None and row.lease_token is None
    assert row.next_attempt_at is not None and timedelta(0) < row.next_attempt_at - utcnow() <= timedelta(seconds=3)
    assert requeued == [row.next_attempt_at]
    assert "X asked SocialHub to wait" in (row.error_message or "")

    time.sleep(max(0.0, (row.next_attempt_at - utcnow()).total_seconds()) + 0.1)  # the reset passes
    assert in_thread(worker_b) is PublishStatus.PUBLISHED
    assert in_thread(worker_a) is PublishStatus.PUBLISHED
    assert len(sandboxed.control("x", "GET", "state").json()["published"]) == 2


def test_an_app_wide_limit_holds_the_other_tenants_accounts(
    sandboxed: Sandbox, database: dict[str, str], new_gate: GateFactory, use_gate: Callable[[PlatformGate], None]
) -> None:
    """Reddit's quota is per OAuth client: a 429 for one tenant's account holds every tenant's Reddit rows."""
    mine, theirs = connect(sandboxed, "reddit"), connect(sandboxed, "reddit")
    assert mine.platform is Platform.REDDIT and mine.tenant_id != theirs.tenant_id
    first, second = due_target(mine, subreddit="sandbox"), due_target(theirs, subreddit="sandbox")
    sandboxed.fault("reddit", "/api/submit", "429", method="POST", reset_in=60)
    use_gate(new_gate())  # the fixture's gates are this test's own: the lockout ends with it
    assert publishing.publish_target(first.tenant_id, first.id) is PublishStatus.RETRY_WAIT
    calls_before = requests_at(sandboxed, "reddit")

    def other_worker() -> PublishStatus | None:
        use_gate(new_gate())
        return publishing.publish_target(second.tenant_id, second.id)

    assert in_thread(other_worker) is PublishStatus.RETRY_WAIT
    assert requests_at(sandboxed, "reddit") == calls_before
    row = reload(second)
    assert "from any account" in (row.error_message or "") and row.retry_count == 0
    assert timedelta(seconds=50) < row.next_attempt_at - utcnow() < timedelta(seconds=65)  # type: ignore[operator]
