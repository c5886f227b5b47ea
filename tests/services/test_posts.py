"""Posts: drafts with targets, edit and delete rules, per-platform validation, scheduling in time zones,
approval, cancelling, retrying, listing. Against the real database; platform rules run without a network."""

from __future__ import annotations

import re
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import (
    AccountStatus,
    AIRequest,
    AIRequestType,
    ApprovalPolicy,
    ApprovalState,
    AuditLog,
    ErrorClass,
    Platform,
    Post,
    PostPlatform,
    PostStatus,
    PublishStatus,
    Role,
    SocialAccount,
    Tenant,
    User,
    utcnow,
)
from socialhub.services import posts, publishing, tenants
from socialhub.services.errors import Conflict, Invalid, NotFound, NotPermitted
from socialhub.services.posts import TargetSpec
from tests.conftest import Sandbox
from tests.factories import connect_sandbox_account, make_account, make_tenant, make_user

LONG_FOR_X = "word " * 60  # 300 characters as X counts them; X allows 280


def ctx_of(user: User) -> Context:
    return Context(user.tenant_id, user.id, user.role)


@pytest.fixture
def tenant(database: dict[str, str]) -> Tenant:
    return make_tenant(timezone="Europe/Berlin")


@pytest.fixture
def users(tenant: Tenant) -> dict[Role, User]:
    return {role: make_user(tenant, role=role, password=None) for role in Role}


@pytest.fixture
def x(tenant: Tenant) -> SocialAccount:
    return make_account(tenant, platform=Platform.X)


@pytest.fixture
def pinterest(tenant: Tenant) -> SocialAccount:
    return make_account(tenant, platform=Platform.PINTEREST)


def draft(user: User, *accounts: SocialAccount, content: str = "Spring menu is here", **kwargs: Any) -> uuid.UUID:
    targets = [TargetSpec(a.id) for a in accounts]
    return posts.create_post(ctx_of(user), content=content, targets=targets, **kwargs).post.id


def set_rows(user: User, post_id: uuid.UUID, platform: Platform | None = None, **values: Any) -> None:
    """Put rows in a state the publishing pipeline would leave them in."""
    with tenant_session(ctx_of(user)) as session:
        for row in session.exec(select(PostPlatform).where(PostPlatform.post_id == post_id)).all():
            if platform is None or row.platform is platform:
                for name, value in values.items():
                    setattr(row, name, value)
        session.commit()


def actions(user: User, post_id: uuid.UUID) -> list[AuditLog]:
    with tenant_session(ctx_of(user)) as session:
        query = select(AuditLog).where(AuditLog.entity_id == str(post_id)).order_by(col(AuditLog.created_at))
        return list(session.exec(query).all())


def in_an_hour() -> datetime:
    return utcnow() + timedelta(hours=1)


class TestCreate:
    def test_a_draft_gets_one_pending_row_per_target_with_the_accounts_platform(
        self, users: dict[Role, User], x: SocialAccount, pinterest: SocialAccount
    ) -> None:
        detail = posts.create_post(
            ctx_of(users[Role.CONTRIBUTOR]),
            content="Hello",
            title="  Spring  ",
            targets=[TargetSpec(x.id, custom_content="Hi X"), TargetSpec(pinterest.id, options={"board_id": "123"})],
        )
        assert detail.post.status is PostStatus.DRAFT and detail.post.title == "Spring"
        assert detail.post.timezone == "Europe/Berlin"  # the team's zone when none is given
        rows = {row.platform: row for row in detail.targets}
        assert set(rows) == {Platform.X, Platform.PINTEREST}
        assert all(row.status is PublishStatus.PENDING for row in rows.values())
        assert rows[Platform.X].custom_content == "Hi X" and rows[Platform.PINTEREST].options == {"board_id": "123"}
        assert [e.action for e in actions(users[Role.OWNER], detail.post.id)] == ["post.created"]

    def test_another_teams_account_or_an_unknown_id_is_not_found_and_nothing_is_created(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        foreign = make_account(make_tenant())
        for account_id in (foreign.id, uuid.uuid4()):
            with pytest.raises(NotFound, match="There is no such connected account"):
                posts.create_post(
                    ctx_of(users[Role.EDITOR]), content="Hi", targets=[TargetSpec(x.id), TargetSpec(account_id)]
                )
        assert posts.list_posts(ctx_of(users[Role.EDITOR]))[1] == 0

    def test_an_account_that_must_be_reconnected_or_is_disconnected_is_refused(
        self, tenant: Tenant, users: dict[Role, User]
    ) -> None:
        stale = make_account(tenant, status=AccountStatus.REAUTH_REQUIRED)
        gone = make_account(tenant, status=AccountStatus.DISCONNECTED)
        with pytest.raises(Invalid, match="must be reconnected"):
            draft(users[Role.EDITOR], stale)
        with pytest.raises(NotFound):
            draft(users[Role.EDITOR], gone)

    def test_the_same_account_twice_is_refused(self, users: dict[Role, User], x: SocialAccount) -> None:
        with pytest.raises(Invalid, match="only once"):
            draft(users[Role.EDITOR], x, x)

    def test_a_viewer_cannot_write_posts(self, users: dict[Role, User], x: SocialAccount) -> None:
        with pytest.raises(NotPermitted):
            draft(users[Role.VIEWER], x)

    def test_an_unknown_time_zone_is_refused(self, users: dict[Role, User]) -> None:
        with pytest.raises(Invalid, match="time zone"):
            posts.create_post(ctx_of(users[Role.EDITOR]), content="Hi", timezone="Mars/Olympus")


class TestUpdate:
    def test_targets_are_replaced_keeping_the_row_of_an_account_still_targeted(
        self, tenant: Tenant, users: dict[Role, User], x: SocialAccount, pinterest: SocialAccount
    ) -> None:
        author = users[Role.CONTRIBUTOR]
        post_id = draft(author, x, pinterest)
        before = {row.platform: row.id for row in posts.get_post(ctx_of(author), post_id).targets}
        reddit = make_account(tenant, platform=Platform.REDDIT)
        detail = posts.update_post(
            ctx_of(author),
            post_id,
            content="New words",
            title="",
            targets=[TargetSpec(x.id, options={"reply": "no"}), TargetSpec(reddit.id)],
        )
        rows = {row.platform: row for row in posts.get_post(ctx_of(author), post_id).targets}
        assert detail.post.content == "New words" and detail.post.title is None
        assert set(rows) == {Platform.X, Platform.REDDIT}
        assert rows[Platform.X].id == before[Platform.X] and rows[Platform.X].options == {"reply": "no"}
        assert actions(users[Role.OWNER], post_id)[-1].action == "post.updated"

    def test_a_contributor_edits_only_their_own_posts_and_an_editor_any(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        post_id = draft(users[Role.EDITOR], x)
        with pytest.raises(NotPermitted, match="only their own"):
            posts.update_post(ctx_of(users[Role.CONTRIBUTOR]), post_id, content="Mine now")
        other = draft(users[Role.CONTRIBUTOR], x)
        assert posts.update_post(ctx_of(users[Role.EDITOR]), other, content="Tidied").post.content == "Tidied"

    def test_a_post_waiting_for_approval_can_still_change_but_a_scheduled_one_cannot(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        pending = draft(users[Role.CONTRIBUTOR], x)
        posts.schedule_post(ctx_of(users[Role.CONTRIBUTOR]), pending, at=in_an_hour())
        posts.update_post(ctx_of(users[Role.CONTRIBUTOR]), pending, content="Fixed a typo")
        scheduled = draft(users[Role.EDITOR], x)
        posts.schedule_post(ctx_of(users[Role.EDITOR]), scheduled, at=in_an_hour())
        with pytest.raises(Conflict, match="This post is scheduled; only drafts"):
            posts.update_post(ctx_of(users[Role.EDITOR]), scheduled, content="Too late")


class TestDelete:
    def test_a_draft_is_deleted_with_its_rows_and_its_ai_requests_are_kept(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        editor = users[Role.EDITOR]
        post_id = draft(editor, x)
        request = AIRequest(tenant_id=editor.tenant_id, user_id=editor.id, post_id=post_id, type=AIRequestType.CAPTION)
        with tenant_session(ctx_of(editor)) as session:
            session.add(request)
            session.commit()
        posts.delete_post(ctx_of(editor), post_id)
        with tenant_session(ctx_of(editor)) as session:
            assert session.get(Post, post_id) is None
            assert session.exec(select(PostPlatform).where(PostPlatform.post_id == post_id)).first() is None
            kept = session.get(AIRequest, request.id)
            assert kept is not None and kept.post_id is None
        assert actions(users[Role.OWNER], post_id)[-1].action == "post.deleted"

    def test_a_scheduled_post_must_be_cancelled_first(self, users: dict[Role, User], x: SocialAccount) -> None:
        ctx = ctx_of(users[Role.EDITOR])
        post_id = draft(users[Role.EDITOR], x)
        posts.schedule_post(ctx, post_id, at=in_an_hour())
        with pytest.raises(Conflict, match="cancel it first"):
            posts.delete_post(ctx, post_id)
        posts.cancel_post(ctx, post_id)
        posts.delete_post(ctx, post_id)

    def test_a_post_a_platform_has_or_may_have_is_never_deleted(
        self, users: dict[Role, User], x: SocialAccount, pinterest: SocialAccount
    ) -> None:
        ctx = ctx_of(users[Role.EDITOR])
        post_id = draft(users[Role.EDITOR], x, pinterest)
        set_rows(users[Role.EDITOR], post_id, Platform.X, status=PublishStatus.PUBLISHED)
        set_rows(users[Role.EDITOR], post_id, Platform.PINTEREST, status=PublishStatus.UNCONFIRMED)
        with pytest.raises(Conflict, match="cannot be deleted: Pinterest may have it") as refused:
            posts.delete_post(ctx, post_id)
        assert "X already published it" in refused.value.message

    def test_a_contributor_cannot_delete_someone_elses_draft(self, users: dict[Role, User], x: SocialAccount) -> None:
        post_id = draft(users[Role.EDITOR], x)
        with pytest.raises(NotPermitted):
            posts.delete_post(ctx_of(users[Role.CONTRIBUTOR]), post_id)


class TestValidate:
    def test_every_targets_problems_come_back_together(
        self, tenant: Tenant, users: dict[Role, User], x: SocialAccount, pinterest: SocialAccount
    ) -> None:
        reddit = make_account(tenant, platform=Platform.REDDIT)
        ctx = ctx_of(users[Role.CONTRIBUTOR])
        post_id = posts.create_post(
            ctx,
            content=LONG_FOR_X,
            targets=[
                TargetSpec(x.id),
                TargetSpec(pinterest.id),
                TargetSpec(reddit.id, options={"subreddit": "coffee"}),
            ],
            title="Spring menu",
        ).post.id
        problems = posts.validate_post(ctx, post_id)
        assert set(problems) == {str(x.id), str(pinterest.id), str(reddit.id)}
        assert any("X allows 280" in p for p in problems[str(x.id)])
        assert "Choose the Pinterest board to pin to." in problems[str(pinterest.id)]
        assert problems[str(reddit.id)] == []  # the post's title serves as Reddit's title

    def test_custom_content_and_options_are_what_each_platform_checks(
        self, users: dict[Role, User], x: SocialAccount, pinterest: SocialAccount
    ) -> None:
        ctx = ctx_of(users[Role.EDITOR])
        targets = [TargetSpec(x.id, custom_content="Short for X"), TargetSpec(pinterest.id, options={"board_id": "12"})]
        post_id = posts.create_post(ctx, content=LONG_FOR_X, targets=targets).post.id
        problems = posts.validate_post(ctx, post_id)
        assert problems[str(x.id)] == []
        assert problems[str(pinterest.id)] == ["Pinterest pins need an image or a video."]

    def test_a_platform_socialhub_cannot_publish_to_yet_is_a_problem_not_an_error(
        self, tenant: Tenant, users: dict[Role, User]
    ) -> None:
        tiktok = make_account(tenant, platform=Platform.TIKTOK)
        post_id = draft(users[Role.EDITOR], tiktok)
        assert posts.validate_post(ctx_of(users[Role.VIEWER]), post_id) == {
            str(tiktok.id): ["SocialHub cannot publish to TikTok yet."]
        }


class TestSchedule:
    @pytest.mark.parametrize(
        ("local", "utc"),
        [
            ("2030-03-09T09:00", datetime(2030, 3, 9, 14, 0, tzinfo=UTC)),  # EST, UTC-5
            ("2030-03-10T09:00", datetime(2030, 3, 10, 13, 0, tzinfo=UTC)),  # EDT from 02:00 that day, UTC-4
        ],
    )
    def test_a_naive_time_is_read_in_the_given_zone_and_stored_in_utc(
        self, users: dict[Role, User], x: SocialAccount, local: str, utc: datetime
    ) -> None:
        ctx = ctx_of(users[Role.EDITOR])
        post_id = draft(users[Role.EDITOR], x)
        detail = posts.schedule_post(ctx, post_id, at=datetime.fromisoformat(local), timezone="America/New_York")
        assert detail.post.status is PostStatus.SCHEDULED and detail.post.scheduled_at == utc
        assert detail.post.timezone == "America/New_York"
        row = posts.get_post(ctx, post_id).targets[0]
        assert (row.status, row.next_attempt_at, row.retry_count) == (PublishStatus.QUEUED, utc, 0)

    def test_without_a_zone_the_posts_own_zone_is_used_and_an_aware_time_is_converted(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        ctx = ctx_of(users[Role.EDITOR])
        berlin = posts.schedule_post(ctx, draft(users[Role.EDITOR], x), at=datetime(2030, 7, 1, 12, 0))
        assert berlin.post.scheduled_at == datetime(2030, 7, 1, 10, 0, tzinfo=UTC)  # CEST, UTC+2
        aware = datetime(2030, 7, 1, 12, 0, tzinfo=datetime.fromisoformat("2030-01-01T00:00+05:30").tzinfo)
        detail = posts.schedule_post(ctx, draft(users[Role.EDITOR], x), at=aware, timezone="Asia/Tokyo")
        assert detail.post.scheduled_at == datetime(2030, 7, 1, 6, 30, tzinfo=UTC)

    def test_a_wall_clock_time_daylight_saving_skips_is_refused(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        with pytest.raises(Invalid, match="does not exist in America/New_York"):
            posts.schedule_post(
                ctx_of(users[Role.EDITOR]),
                draft(users[Role.EDITOR], x),
                at=datetime(2030, 3, 10, 2, 30),
                timezone="America/New_York",
            )

    def test_publishing_now_queues_every_row_due_now(
        self, users: dict[Role, User], x: SocialAccount, tenant: Tenant
    ) -> None:
        reddit = make_account(tenant, platform=Platform.REDDIT)
        ctx = ctx_of(users[Role.EDITOR])
        reddit_options = {"subreddit": "coffee", "title": "Now"}
        post_id = posts.create_post(
            ctx, content="Now", targets=[TargetSpec(x.id), TargetSpec(reddit.id, options=reddit_options)]
        ).post.id
        start = utcnow()
        detail = posts.schedule_post(ctx, post_id)
        assert detail.post.status is PostStatus.SCHEDULED and detail.post.approval_state is ApprovalState.NOT_REQUIRED
        assert all(row.status is PublishStatus.QUEUED for row in detail.targets)
        assert all(start <= row.next_attempt_at <= utcnow() for row in detail.targets if row.next_attempt_at)
        assert actions(users[Role.OWNER], post_id)[-1].action == "post.scheduled"

    def test_a_past_time_is_refused_but_a_minute_of_grace_is_allowed(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        ctx = ctx_of(users[Role.EDITOR])
        post_id = draft(users[Role.EDITOR], x)
        with pytest.raises(Invalid, match="That time has passed"):
            posts.schedule_post(ctx, post_id, at=utcnow() - timedelta(minutes=5))
        assert (
            posts.schedule_post(ctx, post_id, at=utcnow() - timedelta(seconds=30)).post.status is PostStatus.SCHEDULED
        )

    def test_problems_refuse_scheduling_and_list_every_target(
        self, users: dict[Role, User], x: SocialAccount, pinterest: SocialAccount
    ) -> None:
        post_id = draft(users[Role.EDITOR], x, pinterest, content=LONG_FOR_X)
        with pytest.raises(Invalid) as refused:
            posts.schedule_post(ctx_of(users[Role.EDITOR]), post_id, at=in_an_hour())
        assert set(refused.value.details["problems"]) == {str(x.id), str(pinterest.id)}
        assert "X:" in refused.value.message and "Pinterest:" in refused.value.message
        assert posts.get_post(ctx_of(users[Role.EDITOR]), post_id).post.status is PostStatus.DRAFT

    def test_a_post_without_targets_cannot_be_scheduled(self, users: dict[Role, User]) -> None:
        with pytest.raises(Invalid, match="at least one account"):
            posts.schedule_post(ctx_of(users[Role.EDITOR]), draft(users[Role.EDITOR]))

    def test_reschedule_moves_a_queued_post_until_publishing_starts(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        ctx = ctx_of(users[Role.EDITOR])
        post_id = draft(users[Role.EDITOR], x)
        with pytest.raises(Conflict, match="only a scheduled post"):
            posts.reschedule_post(ctx, post_id, at=in_an_hour())
        posts.schedule_post(ctx, post_id, at=in_an_hour())
        later = datetime(2031, 1, 1, 12, 0, tzinfo=UTC)
        moved = posts.reschedule_post(ctx, post_id, at=later)
        assert moved.post.scheduled_at == later and moved.targets[0].next_attempt_at == later
        set_rows(users[Role.EDITOR], post_id, status=PublishStatus.PUBLISHING)
        with pytest.raises(Conflict, match="already started"):
            posts.reschedule_post(ctx, post_id, at=in_an_hour())


class TestApproval:
    def test_a_contributors_post_waits_for_approval_then_an_editor_queues_it(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        contributor, editor = users[Role.CONTRIBUTOR], users[Role.EDITOR]
        post_id = draft(contributor, x)
        at = in_an_hour()
        held = posts.schedule_post(ctx_of(contributor), post_id, at=at)
        assert (held.post.status, held.post.approval_state) == (PostStatus.PENDING_APPROVAL, ApprovalState.PENDING)
        assert held.post.scheduled_at == at and held.targets[0].status is PublishStatus.PENDING
        with pytest.raises(NotPermitted):
            posts.approve_post(ctx_of(contributor), post_id)
        approved = posts.approve_post(ctx_of(editor), post_id)
        assert approved.post.status is PostStatus.SCHEDULED and approved.post.approved_by == editor.id
        assert (approved.targets[0].status, approved.targets[0].next_attempt_at) == (PublishStatus.QUEUED, at)
        assert [e.action for e in actions(users[Role.OWNER], post_id)] == [
            "post.created",
            "post.submitted_for_approval",
            "post.approved",
        ]

    def test_approving_after_the_time_passed_queues_it_for_now(self, users: dict[Role, User], x: SocialAccount) -> None:
        post_id = draft(users[Role.CONTRIBUTOR], x)
        posts.schedule_post(ctx_of(users[Role.CONTRIBUTOR]), post_id, at=in_an_hour())
        with tenant_session(ctx_of(users[Role.OWNER])) as session:
            post = session.get(Post, post_id)
            assert post is not None
            post.scheduled_at = utcnow() - timedelta(hours=2)
            session.commit()
        approved = posts.approve_post(ctx_of(users[Role.EDITOR]), post_id)
        due = approved.targets[0].next_attempt_at
        assert due is not None and abs(due - utcnow()) < timedelta(seconds=10)

    def test_when_everyone_needs_approval_an_editor_cannot_approve_their_own_but_an_admin_can(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        tenants.update_tenant(ctx_of(users[Role.OWNER]), approval=ApprovalPolicy.EVERYONE)
        mine = draft(users[Role.EDITOR], x)
        assert posts.schedule_post(ctx_of(users[Role.EDITOR]), mine).post.status is PostStatus.PENDING_APPROVAL
        with pytest.raises(NotPermitted, match="your own post"):
            posts.approve_post(ctx_of(users[Role.EDITOR]), mine)
        admins = draft(users[Role.ADMIN], x)
        posts.schedule_post(ctx_of(users[Role.ADMIN]), admins)
        assert posts.approve_post(ctx_of(users[Role.ADMIN]), admins).post.status is PostStatus.SCHEDULED

    def test_with_no_policy_a_contributor_still_needs_an_approver(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        tenants.update_tenant(ctx_of(users[Role.OWNER]), approval=ApprovalPolicy.NONE)
        post_id = draft(users[Role.CONTRIBUTOR], x)
        held = posts.schedule_post(ctx_of(users[Role.CONTRIBUTOR]), post_id)
        assert held.post.status is PostStatus.PENDING_APPROVAL

    def test_reject_returns_a_draft_and_keeps_the_reason_in_the_audit_log(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        post_id = draft(users[Role.CONTRIBUTOR], x)
        posts.schedule_post(ctx_of(users[Role.CONTRIBUTOR]), post_id, at=in_an_hour())
        with pytest.raises(Invalid):
            posts.reject_post(ctx_of(users[Role.EDITOR]), post_id, "   ")
        rejected = posts.reject_post(ctx_of(users[Role.EDITOR]), post_id, "The price is wrong.")
        assert (rejected.post.status, rejected.post.approval_state) == (PostStatus.DRAFT, ApprovalState.REJECTED)
        entry = actions(users[Role.OWNER], post_id)[-1]
        assert entry.action == "post.rejected" and entry.after is not None
        assert entry.after["reason"] == "The price is wrong."
        with pytest.raises(Conflict, match="not waiting for approval"):
            posts.approve_post(ctx_of(users[Role.EDITOR]), post_id)

    def test_an_approver_cannot_schedule_someone_elses_post_that_waits_for_approval(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        post_id = draft(users[Role.CONTRIBUTOR], x)
        posts.schedule_post(ctx_of(users[Role.CONTRIBUTOR]), post_id, at=in_an_hour())
        with pytest.raises(Conflict, match="approve or reject it instead"):
            posts.schedule_post(ctx_of(users[Role.EDITOR]), post_id)


class TestCancel:
    def test_cancel_stops_every_row_and_the_post(self, users: dict[Role, User], x: SocialAccount) -> None:
        ctx = ctx_of(users[Role.EDITOR])
        post_id = draft(users[Role.EDITOR], x)
        with pytest.raises(Conflict, match="nothing is scheduled"):
            posts.cancel_post(ctx, post_id)
        posts.schedule_post(ctx, post_id, at=in_an_hour())
        cancelled = posts.cancel_post(ctx, post_id)
        assert cancelled.post.status is PostStatus.CANCELLED
        assert [(r.status, r.next_attempt_at) for r in cancelled.targets] == [(PublishStatus.CANCELLED, None)]

    def test_after_one_platform_published_the_rest_is_stopped_and_the_error_names_it(
        self, users: dict[Role, User], x: SocialAccount, pinterest: SocialAccount
    ) -> None:
        ctx = ctx_of(users[Role.EDITOR])
        post_id = draft(users[Role.EDITOR], x, pinterest)
        set_rows(users[Role.EDITOR], post_id, Platform.X, status=PublishStatus.PUBLISHED)
        set_rows(users[Role.EDITOR], post_id, Platform.PINTEREST, status=PublishStatus.RETRY_WAIT)
        with tenant_session(ctx) as session:
            post = session.get(Post, post_id)
            assert post is not None
            post.status = PostStatus.PUBLISHING
            session.commit()
        with pytest.raises(
            Conflict, match=re.escape("X already published it. Publishing to Pinterest was stopped.")
        ) as refused:
            posts.cancel_post(ctx, post_id)
        assert refused.value.details["platforms"] == {str(x.id): "published"}
        detail = posts.get_post(ctx, post_id)
        assert detail.post.status is PostStatus.PARTIALLY_PUBLISHED
        assert {r.platform: r.status for r in detail.targets} == {
            Platform.X: PublishStatus.PUBLISHED,
            Platform.PINTEREST: PublishStatus.CANCELLED,
        }


class TestRetry:
    def _failed(self, users: dict[Role, User], x: SocialAccount, status: PublishStatus) -> tuple[uuid.UUID, uuid.UUID]:
        post_id = draft(users[Role.EDITOR], x)
        posts.schedule_post(ctx_of(users[Role.EDITOR]), post_id)
        set_rows(
            users[Role.EDITOR],
            post_id,
            status=status,
            retry_count=3,
            error_class=ErrorClass.TRANSIENT,
            error_message="X had a temporary problem.",
            platform_handle="h-1",
        )
        return post_id, posts.get_post(ctx_of(users[Role.EDITOR]), post_id).targets[0].id

    def test_a_failed_target_is_queued_again_now_with_a_clean_slate(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        post_id, target_id = self._failed(users, x, PublishStatus.FAILED)
        with pytest.raises(NotPermitted):
            posts.retry_target(ctx_of(users[Role.CONTRIBUTOR]), post_id, target_id)
        row = posts.retry_target(ctx_of(users[Role.EDITOR]), post_id, target_id).targets[0]
        assert (row.status, row.retry_count, row.error_class, row.error_message) == (
            PublishStatus.QUEUED,
            0,
            None,
            None,
        )
        assert row.next_attempt_at is not None and abs(row.next_attempt_at - utcnow()) < timedelta(seconds=10)
        assert actions(users[Role.OWNER], post_id)[-1].action == "post.retried"

    def test_an_unconfirmed_target_is_retried_only_once_someone_checked_the_platform(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        post_id, target_id = self._failed(users, x, PublishStatus.UNCONFIRMED)
        ctx = ctx_of(users[Role.EDITOR])
        with pytest.raises(Conflict, match="Check the account on X; if the post is not there"):
            posts.retry_target(ctx, post_id, target_id)
        row = posts.retry_target(ctx, post_id, target_id, confirm_not_published=True).targets[0]
        assert row.status is PublishStatus.QUEUED and row.platform_handle is None

    def test_a_target_that_did_not_fail_or_another_posts_target_is_refused(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        ctx = ctx_of(users[Role.EDITOR])
        post_id = draft(users[Role.EDITOR], x)
        posts.schedule_post(ctx, post_id)
        target = posts.get_post(ctx, post_id).targets[0]
        with pytest.raises(Conflict, match="Only a failed or cancelled target"):
            posts.retry_target(ctx, post_id, target.id)
        with pytest.raises(NotFound):
            posts.retry_target(ctx, draft(users[Role.EDITOR], x), target.id)


class TestFixTarget:
    """A failed or cancelled target gets a new text, fields or files, then goes out again; the rest stays."""

    @pytest.fixture
    def reddit(self, tenant: Tenant) -> SocialAccount:
        return make_account(tenant, platform=Platform.REDDIT)

    def _sent(
        self,
        author: User,
        x: SocialAccount,
        reddit: SocialAccount,
        *,
        reddit_status: PublishStatus,
        approver: User | None = None,
    ) -> tuple[uuid.UUID, PostPlatform, PostPlatform]:
        """A post that went out to X while its Reddit target ended ``reddit_status`` (``approver``: for a
        contributor's post)."""
        targets = [TargetSpec(x.id), TargetSpec(reddit.id, options={"subreddit": "textonly", "title": "Menu"})]
        post_id = posts.create_post(ctx_of(author), content="Spring menu is here", targets=targets).post.id
        posts.schedule_post(ctx_of(author), post_id)
        if approver is not None:
            posts.approve_post(ctx_of(approver), post_id)
        set_rows(author, post_id, Platform.X, status=PublishStatus.PUBLISHED, permalink="https://x.com/a/status/1")
        set_rows(
            author,
            post_id,
            Platform.REDDIT,
            status=reddit_status,
            error_class=ErrorClass.PERMANENT,
            error_message="That subreddit only accepts text posts.",
        )
        with tenant_session(ctx_of(author)) as session:
            post = session.get(Post, post_id)
            assert post is not None
            post.status = PostStatus.PARTIALLY_PUBLISHED
            session.commit()
        rows = {row.platform: row for row in posts.get_post(ctx_of(author), post_id).targets}
        return post_id, rows[Platform.X], rows[Platform.REDDIT]

    def test_text_and_fields_change_on_that_target_only_and_the_audit_log_has_both_sides(
        self, users: dict[Role, User], x: SocialAccount, reddit: SocialAccount
    ) -> None:
        editor = users[Role.EDITOR]
        post_id, published, failed = self._sent(editor, x, reddit, reddit_status=PublishStatus.FAILED)
        change = posts.TargetChange(
            custom_content="Spring menu, in words", options={"subreddit": "coffee", "title": "Menu"}
        )
        detail = posts.update_target(ctx_of(editor), post_id, failed.id, change)
        rows = {row.platform: row for row in detail.targets}
        assert rows[Platform.REDDIT].custom_content == "Spring menu, in words"
        assert rows[Platform.REDDIT].options == {"subreddit": "coffee", "title": "Menu"}
        assert rows[Platform.REDDIT].status is PublishStatus.FAILED  # fixed, not sent: a retry sends it
        after = {row.platform: row for row in posts.get_post(ctx_of(editor), post_id).targets}
        x_row = after[Platform.X]
        assert (x_row.status, x_row.updated_at, x_row.custom_content, x_row.options) == (
            PublishStatus.PUBLISHED,
            published.updated_at,
            None,
            {},
        )
        entry = actions(users[Role.OWNER], post_id)[-1]
        assert entry.action == "post.target_updated"
        assert entry.before is not None and entry.after is not None
        assert (entry.before["custom_content"], entry.after["custom_content"]) == (None, "Spring menu, in words")
        assert entry.after["options"]["subreddit"] == "coffee" and entry.after["target"] == str(failed.id)

    def test_what_is_left_out_stays_and_none_goes_back_to_the_shared_text(
        self, users: dict[Role, User], x: SocialAccount, reddit: SocialAccount
    ) -> None:
        editor = users[Role.EDITOR]
        post_id, _, failed = self._sent(editor, x, reddit, reddit_status=PublishStatus.FAILED)
        ctx = ctx_of(editor)
        posts.update_target(ctx, post_id, failed.id, posts.TargetChange(custom_content="Own words"))
        row = posts.update_target(
            ctx, post_id, failed.id, posts.TargetChange(options={"subreddit": "a_b", "title": "T"})
        )
        reddit_row = next(r for r in row.targets if r.platform is Platform.REDDIT)
        assert (reddit_row.custom_content, reddit_row.options["subreddit"]) == ("Own words", "a_b")
        back = posts.update_target(ctx, post_id, failed.id, posts.TargetChange(custom_content=None))
        reddit_row = next(r for r in back.targets if r.platform is Platform.REDDIT)
        assert reddit_row.custom_content is None and reddit_row.options == {"subreddit": "a_b", "title": "T"}
        count = len(actions(users[Role.OWNER], post_id))
        posts.update_target(ctx, post_id, failed.id, posts.TargetChange())  # nothing changes: nothing recorded
        assert len(actions(users[Role.OWNER], post_id)) == count

    def test_what_the_platform_would_refuse_is_refused_and_nothing_changes(
        self, users: dict[Role, User], x: SocialAccount, reddit: SocialAccount
    ) -> None:
        editor = users[Role.EDITOR]
        post_id, _, failed = self._sent(editor, x, reddit, reddit_status=PublishStatus.FAILED)
        change = posts.TargetChange(custom_content="x" * 40_001, options={"subreddit": "r/no way", "title": ""})
        assert posts.check_target(ctx_of(editor), post_id, failed.id, change) == [
            "“no way” isn't a subreddit name (3–21 letters, digits or underscores).",
            "Reddit posts need a title.",
            "Reddit text posts can have at most 40,000 characters; this one has 40,001.",
        ]
        with pytest.raises(Invalid, match=re.escape("Fix these first. Reddit: “no way” isn't a subreddit")) as refused:
            posts.update_target(ctx_of(editor), post_id, failed.id, change)
        assert refused.value.details["problems"][str(reddit.id)][1] == "Reddit posts need a title."
        row = next(r for r in posts.get_post(ctx_of(editor), post_id).targets if r.platform is Platform.REDDIT)
        assert (row.custom_content, row.options) == (None, {"subreddit": "textonly", "title": "Menu"})
        fine = posts.TargetChange(options={"subreddit": "coffee", "title": "Menu"})
        assert posts.check_target(ctx_of(users[Role.VIEWER]), post_id, failed.id, fine) == []
        assert next(r for r in posts.get_post(ctx_of(editor), post_id).targets if r.id == failed.id).options == {
            "subreddit": "textonly",
            "title": "Menu",
        }  # checking wrote nothing

    @pytest.mark.parametrize("status", [PublishStatus.UNCONFIRMED, PublishStatus.QUEUED, PublishStatus.PUBLISHING])
    def test_only_a_failed_or_cancelled_target_can_change(
        self, users: dict[Role, User], x: SocialAccount, reddit: SocialAccount, status: PublishStatus
    ) -> None:
        editor = users[Role.EDITOR]
        post_id, published, other = self._sent(editor, x, reddit, reddit_status=status)
        change = posts.TargetChange(custom_content="New")
        with pytest.raises(Conflict, match="Only a failed or cancelled target can be changed; the X one is published"):
            posts.update_target(ctx_of(editor), post_id, published.id, change)
        with pytest.raises(Conflict, match=f"the Reddit one is {status.value}"):
            posts.update_target(ctx_of(editor), post_id, other.id, change)

    def test_a_contributor_fixes_only_their_own_posts_and_a_viewer_none(
        self, users: dict[Role, User], x: SocialAccount, reddit: SocialAccount
    ) -> None:
        post_id, _, failed = self._sent(users[Role.EDITOR], x, reddit, reddit_status=PublishStatus.FAILED)
        change = posts.TargetChange(custom_content="Mine")
        with pytest.raises(NotPermitted, match="only their own"):
            posts.update_target(ctx_of(users[Role.CONTRIBUTOR]), post_id, failed.id, change)
        with pytest.raises(NotPermitted):
            posts.update_target(ctx_of(users[Role.VIEWER]), post_id, failed.id, change)
        stranger = make_user(make_tenant(), role=Role.OWNER, password=None)
        with pytest.raises(NotFound):
            posts.update_target(ctx_of(stranger), post_id, failed.id, change)
        with pytest.raises(NotFound, match="no such target"):
            posts.update_target(ctx_of(users[Role.EDITOR]), post_id, uuid.uuid4(), change)

    def test_a_contributors_fix_goes_out_only_when_an_approver_retries_it(
        self, users: dict[Role, User], x: SocialAccount, reddit: SocialAccount
    ) -> None:
        contributor = users[Role.CONTRIBUTOR]
        post_id, _, failed = self._sent(
            contributor, x, reddit, reddit_status=PublishStatus.FAILED, approver=users[Role.EDITOR]
        )
        assert posts.get_post(ctx_of(contributor), post_id).post.approval_state is ApprovalState.APPROVED
        change = posts.TargetChange(options={"subreddit": "coffee", "title": "Menu"})
        fixed = posts.update_target(ctx_of(contributor), post_id, failed.id, change)
        assert (fixed.post.approval_state, fixed.post.approved_by) == (ApprovalState.PENDING, None)
        with pytest.raises(NotPermitted):
            posts.retry_target(ctx_of(contributor), post_id, failed.id)  # contributors never publish
        retried = posts.retry_target(ctx_of(users[Role.EDITOR]), post_id, failed.id)
        assert (retried.post.approval_state, retried.post.approved_by) == (
            ApprovalState.APPROVED,
            users[Role.EDITOR].id,
        )
        assert {r.platform: r.status for r in retried.targets} == {
            Platform.X: PublishStatus.PUBLISHED,
            Platform.REDDIT: PublishStatus.QUEUED,
        }
        assert actions(users[Role.OWNER], post_id)[-1].after["approved"] is True  # type: ignore[index]

    def test_under_everyone_needs_approval_an_editor_cannot_send_their_own_fix_but_an_admin_can(
        self, tenant: Tenant, users: dict[Role, User], x: SocialAccount, reddit: SocialAccount
    ) -> None:
        editor = users[Role.EDITOR]
        post_id, _, failed = self._sent(editor, x, reddit, reddit_status=PublishStatus.FAILED)
        tenants.update_tenant(ctx_of(users[Role.OWNER]), approval=ApprovalPolicy.EVERYONE)
        posts.update_target(ctx_of(editor), post_id, failed.id, posts.TargetChange(custom_content="Fixed"))
        with pytest.raises(NotPermitted, match="an approver must send it"):
            posts.retry_target(ctx_of(editor), post_id, failed.id)
        assert (
            posts.retry_target(ctx_of(users[Role.ADMIN]), post_id, failed.id).post.approved_by == users[Role.ADMIN].id
        )

    def test_a_cancelled_target_is_fixed_and_sent_even_on_a_cancelled_post(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        ctx = ctx_of(users[Role.EDITOR])
        post_id = draft(users[Role.EDITOR], x)
        posts.schedule_post(ctx, post_id, at=in_an_hour())
        target = posts.cancel_post(ctx, post_id).targets[0]
        posts.update_target(ctx, post_id, target.id, posts.TargetChange(custom_content="Spring menu, at last"))
        retried = posts.retry_target(ctx, post_id, target.id)
        assert retried.post.status is PostStatus.SCHEDULED
        assert (retried.targets[0].status, retried.targets[0].custom_content) == (
            PublishStatus.QUEUED,
            "Spring menu, at last",
        )

    def test_a_retry_is_checked_first_and_refused_while_the_platform_would_refuse_it(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        ctx = ctx_of(users[Role.EDITOR])
        post_id = draft(users[Role.EDITOR], x)
        posts.schedule_post(ctx, post_id)
        set_rows(users[Role.EDITOR], post_id, status=PublishStatus.FAILED, custom_content=LONG_FOR_X)
        target = posts.get_post(ctx, post_id).targets[0]
        with pytest.raises(Invalid, match="X allows 280"):
            posts.retry_target(ctx, post_id, target.id)
        assert posts.get_post(ctx, post_id).targets[0].status is PublishStatus.FAILED


class TestFixAndSendAgainThroughThePipeline:
    def test_reddit_refuses_the_post_it_is_fixed_and_sent_and_x_is_never_sent_again(
        self, sandboxed: Sandbox, tenant: Tenant, users: dict[Role, User]
    ) -> None:
        ctx = ctx_of(users[Role.ADMIN])
        x_account, reddit = connect_sandbox_account(ctx, "x"), connect_sandbox_account(ctx, "reddit")
        menu = {"subreddit": "textonly", "title": "Our spring menu", "link": "https://example.com/menu"}
        targets = [TargetSpec(x_account.id), TargetSpec(reddit.id, options=menu)]
        post_id = posts.create_post(ctx, content="Spring menu is here", targets=targets).post.id
        rows = {row.platform: row for row in posts.schedule_post(ctx, post_id).targets}
        assert publishing.publish_target(tenant.id, rows[Platform.X].id) is PublishStatus.PUBLISHED
        assert publishing.publish_target(tenant.id, rows[Platform.REDDIT].id) is PublishStatus.FAILED
        failed = next(r for r in posts.get_post(ctx, post_id).targets if r.platform is Platform.REDDIT)
        assert failed.error_code == "NO_LINKS" and "that subreddit only allows text posts" in (
            failed.error_message or ""
        )

        text_post = {"subreddit": "textonly", "title": "Our spring menu"}
        posts.update_target(ctx, post_id, failed.id, posts.TargetChange(options=text_post))
        assert posts.retry_target(ctx, post_id, failed.id).post.status is PostStatus.SCHEDULED
        assert [publishing.publish_target(tenant.id, row.id) for row in (rows[Platform.X], failed)] == [
            None,  # published: not due, never claimed again
            PublishStatus.PUBLISHED,
        ]
        assert posts.get_post(ctx, post_id).post.status is PostStatus.PUBLISHED
        assert len(sandboxed.states["x"].published) == 1
        [sent] = sandboxed.states["reddit"].published
        assert (sent.kind, sent.payload["title"]) == ("self", "Our spring menu")


class TestDescribe:
    def test_each_target_shows_the_text_fields_and_files_its_platform_gets(
        self, tenant: Tenant, users: dict[Role, User], x: SocialAccount, pinterest: SocialAccount
    ) -> None:
        from socialhub.models import Media, MediaKind

        ctx = ctx_of(users[Role.EDITOR])
        with tenant_session(ctx) as session:
            files = [
                Media(
                    tenant_id=tenant.id,
                    uploaded_by=users[Role.EDITOR].id,
                    kind=MediaKind.IMAGE,
                    storage_backend="local",
                    storage_key=f"{tenant.id}/{name}.png",
                    filename=f"{name}.png",
                    content_type="image/png",
                    size_bytes=10,
                    checksum_sha256="0" * 64,
                )
                for name in ("shared", "pin", "gone")
            ]
            session.add_all(files)
            session.commit()
        shared, pin, gone = files
        targets = [
            TargetSpec(x.id),
            TargetSpec(
                pinterest.id, custom_content="For the board", options={"board_id": "b1"}, media_ids=[pin.id, gone.id]
            ),
        ]
        post_id = posts.create_post(
            ctx, content="Shared words", title="Spring", targets=targets, media_ids=[shared.id]
        ).post.id
        with tenant_session(ctx) as session:
            session.delete(session.get(Media, gone.id))
            session.commit()
        view = {t.row.platform: t for t in posts.describe_post(ctx_of(users[Role.VIEWER]), post_id).targets}
        on_x, on_pinterest = view[Platform.X], view[Platform.PINTEREST]
        assert (on_x.text, on_x.own_text, on_x.own_media, [m.id for m in on_x.media]) == (
            "Shared words",
            False,
            False,
            [shared.id],
        )
        assert on_x.options == {"title": "Spring"}  # the post's title, as publishing passes it
        assert (on_pinterest.text, on_pinterest.own_text, on_pinterest.own_media) == ("For the board", True, True)
        assert [m.id for m in on_pinterest.media] == [pin.id] and on_pinterest.missing_media == 1
        assert on_pinterest.options == {"board_id": "b1", "title": "Spring"}


class TestRead:
    def test_filters_by_status_platform_dates_and_text_with_wildcards_taken_literally(
        self, users: dict[Role, User], x: SocialAccount, pinterest: SocialAccount
    ) -> None:
        ctx = ctx_of(users[Role.EDITOR])
        percent = draft(users[Role.EDITOR], x, content="Everything 100% off")
        zero = draft(users[Role.EDITOR], pinterest, content="Everything 1000 off", title="a_b")
        draft(users[Role.EDITOR], pinterest, content="Nothing", title="axb")
        posts.schedule_post(ctx, percent, at=datetime(2030, 5, 1, 12, tzinfo=UTC))

        def ids(**filters: Any) -> list[uuid.UUID]:
            return [d.post.id for d in posts.list_posts(ctx, **filters)[0]]

        assert ids(text="100%") == [percent]
        assert ids(text="A_B") == [zero]
        assert ids(status=PostStatus.SCHEDULED) == [percent]
        assert ids(platform=Platform.X) == [percent]
        assert ids(since=datetime(2030, 4, 1, tzinfo=UTC), until=datetime(2030, 6, 1, tzinfo=UTC)) == [percent]
        assert len(ids(until=datetime(2030, 4, 1, tzinfo=UTC))) == 2

    def test_newest_first_with_a_total_across_pages(self, users: dict[Role, User]) -> None:
        made = [draft(users[Role.EDITOR], content=f"Post {n}") for n in range(5)]
        page, total = posts.list_posts(ctx_of(users[Role.VIEWER]), limit=2, offset=1)
        assert total == 5 and [d.post.id for d in page] == [made[3], made[2]]

    def test_get_shows_each_targets_state_and_another_teams_post_is_not_found(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        post_id = draft(users[Role.EDITOR], x)
        set_rows(users[Role.EDITOR], post_id, status=PublishStatus.PUBLISHED, permalink="https://x.com/a/status/1")
        target = posts.get_post(ctx_of(users[Role.VIEWER]), post_id).targets[0]
        assert (target.status, target.permalink) == (PublishStatus.PUBLISHED, "https://x.com/a/status/1")
        stranger = make_user(make_tenant(), role=Role.OWNER, password=None)
        with pytest.raises(NotFound):
            posts.get_post(ctx_of(stranger), post_id)
        for change in (posts.delete_post, posts.cancel_post, posts.approve_post, posts.validate_post):
            with pytest.raises(NotFound):
                change(ctx_of(stranger), post_id)
        assert posts.list_posts(ctx_of(stranger)) == ([], 0)


class TestRaces:
    """With real threads: a person's change and a worker's claim never both win."""

    def test_a_cancel_waits_for_a_worker_holding_a_row_then_sees_what_it_did(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        ctx = ctx_of(users[Role.EDITOR])
        post_id = draft(users[Role.EDITOR], x)
        posts.schedule_post(ctx, post_id)
        outcome: list[BaseException | None] = []

        def cancel() -> None:
            try:
                posts.cancel_post(ctx, post_id)
                outcome.append(None)
            except Conflict as exc:
                outcome.append(exc)

        with tenant_session(ctx) as worker:  # as publishing's _owned does: the row, locked, then the post
            row = worker.exec(select(PostPlatform).where(PostPlatform.post_id == post_id).with_for_update()).one()
            thread = threading.Thread(target=cancel)
            thread.start()
            thread.join(timeout=0.5)
            assert thread.is_alive()  # the cancel waits for the row
            row.status = PublishStatus.PUBLISHED
            post = worker.get(Post, post_id)
            assert post is not None
            post.status = PostStatus.PUBLISHED
            worker.commit()
        thread.join(timeout=10)
        assert len(outcome) == 1 and isinstance(outcome[0], Conflict)
        assert "X already published it" in outcome[0].message
        detail = posts.get_post(ctx, post_id)
        assert detail.post.status is PostStatus.PUBLISHED and detail.targets[0].status is PublishStatus.PUBLISHED

    def test_a_worker_cannot_claim_a_cancelled_row(self, users: dict[Role, User], x: SocialAccount) -> None:
        ctx = ctx_of(users[Role.EDITOR])
        post_id = draft(users[Role.EDITOR], x)
        target = posts.schedule_post(ctx, post_id).targets[0]
        posts.cancel_post(ctx, post_id)
        assert publishing.claim(ctx.tenant_id, target.id) is None
        assert posts.get_post(ctx, post_id).targets[0].status is PublishStatus.CANCELLED
