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
from socialhub.platforms.x import XClient
from socialhub.sandbox.common import Published
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


WINDOW = timedelta(seconds=publishing.REQUEST_PHASES * 1 + XClient.lookup_authority.settle_seconds)  # timeout 1 s


def abandon(target: PostPlatform, *, armed_ago: timedelta | None, retry_count: int = 1) -> None:
    """A worker claimed the row (and armed it ``armed_ago``, if given) and died: its lease ran out."""
    with tenant_session(Context.system(target.tenant_id)) as session:
        row = session.get(PostPlatform, target.id)
        assert row is not None
        row.status, row.lease_token, row.retry_count = PublishStatus.PUBLISHING, uuid.uuid4(), retry_count
        row.lease_until = utcnow() - timedelta(seconds=1)
        row.armed_at = utcnow() - armed_ago if armed_ago is not None else None
        session.commit()


def let_the_hold_pass(target: PostPlatform, *, by: timedelta) -> None:
    """Time passes for a held row: its armed moment and its hold move ``by`` into the past."""
    with tenant_session(Context.system(target.tenant_id)) as session:
        row = session.get(PostPlatform, target.id)
        assert row is not None and row.armed_at is not None and row.lease_until is not None
        row.armed_at, row.lease_until = row.armed_at - by, row.lease_until - by
        session.commit()


def lands_at_x(sandbox: Sandbox, text: str) -> Published:
    """A post appears on the sandbox account as X itself would create it (a late commit, another client's)."""
    state = sandbox.states["x"]
    return state.publish("text", {"text": text, "stored_text": text, "media_keys": []}, state.user.id)


class TestNeverTwice:
    def test_a_lost_response_is_looked_up_not_sent_again(self, sandboxed: Sandbox, x_account: SocialAccount) -> None:
        target = queued_target(x_account)
        sandboxed.fault("x", "/2/tweets$", "crash_after_commit", method="POST", seconds=1.5)
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.PUBLISHED
        row, _ = reload(target)
        assert len(published(sandboxed)) == 1 and row.platform_post_id == published(sandboxed)[0]["id"]

    def test_an_unarmed_abandoned_attempt_is_simply_published(
        self, sandboxed: Sandbox, x_account: SocialAccount
    ) -> None:
        target = queued_target(x_account)
        abandon(target, armed_ago=None)
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.PUBLISHED
        assert len(published(sandboxed)) == 1

    def test_an_armed_abandoned_attempt_that_reached_the_platform_is_found(
        self, sandboxed: Sandbox, x_account: SocialAccount
    ) -> None:
        target = queued_target(x_account)
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.PUBLISHED
        post_id = reload(target)[0].platform_post_id
        abandon(target, armed_ago=timedelta(seconds=2))  # as if the worker died after the platform created it
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.PUBLISHED
        assert len(published(sandboxed)) == 1 and reload(target)[0].platform_post_id == post_id

    def test_arming_stretches_the_lease_past_the_moment_a_request_could_still_land(
        self, sandboxed: Sandbox, x_account: SocialAccount, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("PUBLISH_LEASE_SECONDS", "3")  # shorter than the platform call may take
        get_settings.cache_clear()
        target = queued_target(x_account)
        claim = publishing.claim(target.tenant_id, target.id)
        assert claim is not None and reload(target)[0].lease_until < utcnow() + timedelta(seconds=4)  # type: ignore[operator]
        armed = publishing._arm(claim, XClient)
        row, _ = reload(target)
        assert row.armed_at == armed and row.lease_until == armed + WINDOW

    def test_an_armed_abandoned_attempt_is_held_while_a_request_of_it_could_still_land(
        self, sandboxed: Sandbox, x_account: SocialAccount
    ) -> None:
        target = queued_target(x_account)
        abandon(target, armed_ago=timedelta(seconds=5))
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.PUBLISHING
        row, _ = reload(target)
        assert row.lease_token is None and row.armed_at is not None and row.lease_until == row.armed_at + WINDOW
        assert row.error_code == "lease_expired"
        assert publishing.publish_target(target.tenant_id, target.id) is None  # held: not taken before then
        assert published(sandboxed) == []  # never sent blindly

    def test_absent_once_nothing_can_land_is_proof_and_it_is_published_once(
        self, sandboxed: Sandbox, x_account: SocialAccount
    ) -> None:
        target = queued_target(x_account)
        abandon(target, armed_ago=WINDOW + timedelta(seconds=1))
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.PUBLISHED
        row, post = reload(target)
        assert [p["id"] for p in published(sandboxed)] == [row.platform_post_id]
        assert row.retry_count == 2 and post.status is PostStatus.PUBLISHED  # a second attempt, counted

    def test_a_request_that_lands_after_the_worker_gave_up_is_found_not_sent_again(
        self, sandboxed: Sandbox, x_account: SocialAccount
    ) -> None:
        target = queued_target(x_account)
        sandboxed.fault("x", "/2/tweets$", "timeout", method="POST", seconds=1.5)  # no answer within 1 s
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.PUBLISHING  # held
        row, post = reload(target)
        assert row.error_code == "timeout" and published(sandboxed) == []
        # X commits the post late, after SocialHub stopped waiting for the answer.
        late = lands_at_x(sandboxed, post.content)
        let_the_hold_pass(target, by=WINDOW)
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.PUBLISHED
        assert reload(target)[0].platform_post_id == late.id and len(published(sandboxed)) == 1

    def test_a_draft_x_cannot_recognise_stays_unconfirmed(self, sandboxed: Sandbox, x_account: SocialAccount) -> None:
        target = queued_target(x_account, text="https://example.com/only-a-link")  # X shows it as a bare t.co link
        abandon(target, armed_ago=WINDOW + timedelta(seconds=1))
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.UNCONFIRMED
        row, post = reload(target)
        assert "Check X" in (row.error_message or "") and row.error_code == "lease_expired"
        assert post.status is PostStatus.FAILED and published(sandboxed) == []

    @pytest.mark.parametrize(("kind", "again"), [("503", publishing.LOOKUP_RETRY), ("429", timedelta(seconds=300))])
    def test_a_lookup_that_fails_never_publishes_it_is_tried_again_then_unconfirmed(
        self, sandboxed: Sandbox, x_account: SocialAccount, kind: str, again: timedelta
    ) -> None:
        target = queued_target(x_account)
        sandboxed.fault("x", "/2/users/[0-9]+/tweets$", kind, method="GET", times=10, reset_in=300)
        abandon(target, armed_ago=WINDOW + timedelta(seconds=1))
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.PUBLISHING
        row, _ = reload(target)
        wait = row.lease_until - utcnow()  # type: ignore[operator]
        assert again - timedelta(seconds=20) < wait <= again and published(sandboxed) == []  # then or at the reset
        let_the_hold_pass(target, by=publishing.LOOKUP_PATIENCE + WINDOW)
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.UNCONFIRMED
        assert published(sandboxed) == []

    def test_a_listing_too_long_to_read_whole_proves_nothing(
        self, sandboxed: Sandbox, x_account: SocialAccount
    ) -> None:
        for n in range(501):  # more posts since the attempt than the lookup reads (5 pages of 100)
            lands_at_x(sandboxed, f"other {n}")
        target = queued_target(x_account)
        abandon(target, armed_ago=WINDOW + timedelta(seconds=1))
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.PUBLISHING  # look again
        assert len(published(sandboxed)) == 501

    def test_an_attempt_interrupted_again_and_again_fails_instead_of_looping(
        self, sandboxed: Sandbox, x_account: SocialAccount
    ) -> None:
        target = queued_target(x_account)
        abandon(target, armed_ago=WINDOW + timedelta(seconds=1), retry_count=publishing.MAX_TRANSIENT_RETRIES + 1)
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.FAILED
        row, _ = reload(target)
        assert row.error_code == "interrupted" and "none of them reached X" in (row.error_message or "")
        assert published(sandboxed) == []

    def test_a_worker_that_lost_the_row_sends_nothing(
        self, sandboxed: Sandbox, x_account: SocialAccount, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        target = queued_target(x_account)
        thief = uuid.uuid4()

        def taken_over_meanwhile(ctx: Context, ids: object) -> list[object]:  # another worker took the row
            with tenant_session(Context.system(target.tenant_id)) as session:
                row = session.get(PostPlatform, target.id)
                assert row is not None
                row.lease_token = thief
                session.commit()
            return []

        monkeypatch.setattr(publishing.media_items, "items_for_publishing", taken_over_meanwhile)
        assert publishing.publish_target(target.tenant_id, target.id) is None
        row, _ = reload(target)
        assert row.lease_token == thief and row.armed_at is None and published(sandboxed) == []

    def test_where_the_lookup_is_not_authoritative_a_lost_attempt_stays_unconfirmed(
        self, sandboxed: Sandbox, x_account: SocialAccount
    ) -> None:
        ctx = Context(x_account.tenant_id, x_account.connected_by, Role.ADMIN)  # type: ignore[arg-type]
        reddit = connect_sandbox_account(ctx, "reddit")
        reddit.connected_by = x_account.connected_by
        target = queued_target(reddit)
        with tenant_session(Context.system(target.tenant_id)) as session:
            row = session.get(PostPlatform, target.id)
            assert row is not None
            row.options = {"subreddit": "python", "title": "Fresh bread at 7"}
            session.commit()
        abandon(target, armed_ago=timedelta(hours=1))
        assert publishing.publish_target(target.tenant_id, target.id) is PublishStatus.UNCONFIRMED
        assert "Check Reddit" in (reload(target)[0].error_message or "")
        assert sandboxed.states["reddit"].published == []


def test_every_platform_says_whether_its_lookup_proves_absence() -> None:
    from socialhub.platforms.base import Draft
    from socialhub.platforms.registry import PLATFORMS, platform_class

    authorities = {name: platform_class(name).lookup_authority for name in PLATFORMS}
    assert all(a.reason and a.window for a in authorities.values())
    assert {name for name, a in authorities.items() if a.authoritative} == {"x"}
    assert XClient.proves_absence(Draft("Fresh bread at 7")) and not XClient.proves_absence(Draft("https://example.com/spring"))
    assert XClient.lookup_authority.settle_seconds > 0


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
