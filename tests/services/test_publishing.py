"""The publishing pipeline against the X sandbox: exactly once, error classes, reconciliation, claims."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import (
    AccountStatus,
    AnalyticsEvent,
    ErrorClass,
    Post,
    PostPlatform,
    PostStatus,
    PublishStatus,
    Role,
    SocialAccount,
    utcnow,
)
from socialhub.services import publishing
from socialhub.settings import get_settings
from tests.conftest import Sandbox
from tests.factories import connect_sandbox_account, make_tenant, make_user

CALLBACK = "http://localhost:3000/accounts/callback"


@pytest.fixture
def fast_sandbox(sandboxed: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """Short platform timeouts, so a lost response is noticed in a second."""
    monkeypatch.setenv("PLATFORM_TIMEOUT_SECONDS", "1")
    get_settings.cache_clear()
    return sandboxed


@pytest.fixture
def x_account(fast_sandbox: Sandbox, database: dict[str, str]) -> SocialAccount:
    tenant = make_tenant()
    admin = make_user(tenant, role=Role.ADMIN)
    account = connect_sandbox_account(Context(tenant.id, admin.id, Role.ADMIN), "x")
    account.connected_by = admin.id
    return account


def queued_target(account: SocialAccount, text: str | None = None) -> PostPlatform:
    """A post with one X target, due now."""
    ctx = Context.system(account.tenant_id)
    with tenant_session(ctx) as session:
        post = Post(
            tenant_id=account.tenant_id,
            created_by=account.connected_by,
            status=PostStatus.SCHEDULED,
            content=text or f"Fresh bread at 7 ({uuid.uuid4().hex[:8]})",
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
        )
        session.add(target)
        session.commit()
    return target


def reload(target: PostPlatform) -> tuple[PostPlatform, Post]:
    with tenant_session(Context.system(target.tenant_id)) as session:
        row = session.get(PostPlatform, target.id)
        assert row is not None
        post = session.get(Post, row.post_id)
        assert post is not None
        return row, post


def make_due(target: PostPlatform) -> None:
    with tenant_session(Context.system(target.tenant_id)) as session:
        row = session.get(PostPlatform, target.id)
        assert row is not None
        row.next_attempt_at = utcnow()
        session.commit()


def published(sandbox: Sandbox) -> list[dict]:  # type: ignore[type-arg]
    return sandbox.control("x", "GET", "state").json()["published"]


class TestPublish:
    def test_publishes_once_and_records_the_result(self, sandboxed: Sandbox, x_account: SocialAccount) -> None:
        target = queued_target(x_account)
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.PUBLISHED
        row, post = reload(target)
        # Sandbox mode: the permalink opens the sandbox's own page for the post, at x.com's path.
        assert (
            row.platform_post_id
            and row.permalink == f"{sandboxed.base('x')}/sandbox_creator/status/{row.platform_post_id}"
        )
        assert post.status is PostStatus.PUBLISHED and post.published_at is not None
        assert len(published(sandboxed)) == 1
        assert publishing.publish_target(target.tenant_id, target.id) is None  # not due any more
        assert len(published(sandboxed)) == 1
        with tenant_session(Context.system(target.tenant_id)) as session:
            events = session.exec(select(AnalyticsEvent).where(AnalyticsEvent.post_id == row.post_id)).all()
        assert [e.event_type for e in events] == ["published"]

    def test_only_one_of_many_concurrent_claims_wins(self, sandboxed: Sandbox, x_account: SocialAccount) -> None:
        target = queued_target(x_account)
        claims: list[object] = []
        barrier = threading.Barrier(8)

        def grab() -> None:
            barrier.wait()
            claims.append(publishing.claim(target.tenant_id, target.id))

        threads = [threading.Thread(target=grab) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(c is not None for c in claims) == 1


class TestErrorClasses:
    def test_rate_limit_waits_for_the_platforms_reset(self, sandboxed: Sandbox, x_account: SocialAccount) -> None:
        target = queued_target(x_account)
        sandboxed.fault("x", "/2/tweets$", "429", method="POST", reset_in=120)
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.RETRY_WAIT
        row, _ = reload(target)
        assert row.error_class is ErrorClass.RATE and row.retry_count == 0
        assert timedelta(seconds=100) < row.next_attempt_at - utcnow() < timedelta(seconds=130)  # type: ignore[operator]

    def test_transient_errors_back_off_growing_then_fail_after_three_retries(
        self, sandboxed: Sandbox, x_account: SocialAccount
    ) -> None:
        target = queued_target(x_account)
        sandboxed.fault("x", "/2/tweets$", "503", method="POST", times=10)
        delays, outcomes = [], []
        for _ in range(4):
            outcomes.append(publishing.publish_target(target.tenant_id, target.id))
            row, _ = reload(target)
            if row.status is PublishStatus.RETRY_WAIT:
                delays.append((row.next_attempt_at - utcnow()).total_seconds())  # type: ignore[operator]
                make_due(target)
        assert outcomes == [PublishStatus.RETRY_WAIT] * 3 + [PublishStatus.FAILED]
        assert delays[0] < delays[1] < delays[2]
        row, post = reload(target)
        assert row.error_class is ErrorClass.TRANSIENT and "X had a temporary problem" in (row.error_message or "")
        assert post.status is PostStatus.FAILED
        assert published(sandboxed) == []

    def test_expired_token_is_refreshed_once_and_the_post_goes_out(
        self, sandboxed: Sandbox, x_account: SocialAccount
    ) -> None:
        target = queued_target(x_account)
        sandboxed.control("x", "POST", "expire-tokens")
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.PUBLISHED
        assert len(published(sandboxed)) == 1

    def test_a_dead_sign_in_fails_and_asks_for_reconnecting(self, sandboxed: Sandbox, x_account: SocialAccount) -> None:
        target = queued_target(x_account)
        state = sandboxed.states["x"]
        with state.lock:
            for token in state.tokens.values():
                token.revoked = True
            state.refresh_tokens.clear()
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.FAILED
        row, _ = reload(target)
        assert row.error_class is ErrorClass.AUTH and "Reconnect" in (row.error_message or "")
        with tenant_session(Context.system(target.tenant_id)) as session:
            assert session.get(SocialAccount, x_account.id).status is AccountStatus.REAUTH_REQUIRED  # type: ignore[union-attr]

    def test_a_permanent_refusal_keeps_the_platforms_words(self, sandboxed: Sandbox, x_account: SocialAccount) -> None:
        target = queued_target(x_account, text="a" * 400)
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.FAILED
        row, _ = reload(target)
        assert row.error_class is ErrorClass.PERMANENT and "too long" in (row.error_message or "")


class TestNeverTwice:
    def test_a_lost_response_is_looked_up_not_sent_again(self, sandboxed: Sandbox, x_account: SocialAccount) -> None:
        target = queued_target(x_account)
        sandboxed.fault("x", "/2/tweets$", "crash_after_commit", method="POST", seconds=1.5)
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.PUBLISHED
        row, _ = reload(target)
        assert len(published(sandboxed)) == 1 and row.platform_post_id == published(sandboxed)[0]["id"]

    def _abandoned(self, target: PostPlatform, *, armed: bool) -> None:
        """A worker claimed the row and died: the lease ran out."""
        with tenant_session(Context.system(target.tenant_id)) as session:
            row = session.get(PostPlatform, target.id)
            assert row is not None
            row.status, row.lease_token = PublishStatus.PUBLISHING, uuid.uuid4()
            row.lease_until = utcnow() - timedelta(seconds=1)
            row.armed_at = utcnow() - timedelta(seconds=30) if armed else None
            session.commit()

    def test_an_unarmed_abandoned_attempt_is_simply_published(
        self, sandboxed: Sandbox, x_account: SocialAccount
    ) -> None:
        target = queued_target(x_account)
        self._abandoned(target, armed=False)
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.PUBLISHED
        assert len(published(sandboxed)) == 1

    def test_an_armed_abandoned_attempt_that_reached_the_platform_is_found(
        self, sandboxed: Sandbox, x_account: SocialAccount
    ) -> None:
        target = queued_target(x_account)
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.PUBLISHED
        post_id = reload(target)[0].platform_post_id
        self._abandoned(target, armed=True)  # as if the worker died after the platform created it
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.PUBLISHED
        assert len(published(sandboxed)) == 1 and reload(target)[0].platform_post_id == post_id

    def test_an_armed_abandoned_attempt_that_cannot_be_found_is_unconfirmed(
        self, sandboxed: Sandbox, x_account: SocialAccount
    ) -> None:
        target = queued_target(x_account)
        self._abandoned(target, armed=True)
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.UNCONFIRMED
        row, post = reload(target)
        assert "Check X" in (row.error_message or "") and post.status is PostStatus.FAILED
        assert published(sandboxed) == []  # never sent blindly


class TestSweeper:
    def test_enqueues_due_and_expired_rows_once_per_quiet_period(
        self, sandboxed: Sandbox, x_account: SocialAccount
    ) -> None:
        due, later = queued_target(x_account), queued_target(x_account)
        with tenant_session(Context.system(later.tenant_id)) as session:
            row = session.get(PostPlatform, later.id)
            assert row is not None
            row.next_attempt_at = utcnow() + timedelta(hours=1)
            session.commit()
        sent: list[uuid.UUID] = []
        recently: dict[uuid.UUID, float] = {}
        publishing.sweep(lambda tenant, target: sent.append(target), recently=recently)
        publishing.sweep(lambda tenant, target: sent.append(target), recently=recently)
        assert sent.count(due.id) == 1 and later.id not in sent


def test_backoff_grows_with_jitter() -> None:
    import random

    rng = random.Random(7)
    delays = [publishing.backoff_delay(n, rng=rng).total_seconds() for n in (1, 2, 3)]
    assert 24 <= delays[0] <= 36 and 48 <= delays[1] <= 72 and 96 <= delays[2] <= 144
