"""The calendar's read side against the real database: which posts fall in a range (published ones at their
publish time), and which the person may move, as ``posts.reschedule_post`` would decide."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import (
    Platform,
    PostPlatform,
    PostStatus,
    PublishStatus,
    Role,
    SocialAccount,
    Tenant,
    User,
    utcnow,
)
from socialhub.services import calendar, posts
from socialhub.services.errors import NotPermitted
from socialhub.services.posts import TargetSpec
from tests.factories import make_account, make_post, make_tenant, make_user


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


def scheduled(user: User, account: SocialAccount, at: datetime, content: str = "Spring menu") -> uuid.UUID:
    ctx = ctx_of(user)
    post_id = posts.create_post(ctx, content=content, targets=[TargetSpec(account.id)]).post.id
    posts.schedule_post(ctx, post_id, at=at)
    return post_id


def set_rows(tenant: Tenant, post_id: uuid.UUID, status: PublishStatus) -> None:
    with tenant_session(Context.system(tenant.id)) as session:
        for row in session.exec(select(PostPlatform).where(PostPlatform.post_id == post_id)).all():
            row.status = status
        session.commit()


def window(days: int = 14) -> tuple[datetime, datetime]:
    start = utcnow().replace(microsecond=0)
    return start, start + timedelta(days=days)


class TestCalendarPosts:
    def test_posts_in_the_range_earliest_first_with_their_platforms(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        since, until = window()
        later = scheduled(users[Role.EDITOR], x, since + timedelta(days=3), "Later")
        sooner = scheduled(users[Role.EDITOR], x, since + timedelta(days=1), "Sooner")
        scheduled(users[Role.EDITOR], x, until + timedelta(hours=1), "After the range")
        found = calendar.calendar_posts(ctx_of(users[Role.VIEWER]), since=since, until=until)
        assert [p.id for p in found] == [sooner, later]
        assert found[0].platforms == ("x",) and found[0].status is PostStatus.SCHEDULED
        assert found[0].at == since + timedelta(days=1)

    def test_the_end_of_the_range_is_excluded(self, users: dict[Role, User], x: SocialAccount) -> None:
        since, until = window()
        scheduled(users[Role.EDITOR], x, until)
        assert calendar.calendar_posts(ctx_of(users[Role.EDITOR]), since=since, until=until) == []

    def test_a_published_post_sits_at_its_publish_time(
        self, tenant: Tenant, users: dict[Role, User], x: SocialAccount
    ) -> None:
        since, until = window()
        author = users[Role.EDITOR]
        # Planned before the range, published (after retries) inside it: shown, at the publish time.
        late = make_post(
            tenant,
            author,
            targets=[x],
            status=PostStatus.PUBLISHED,
            scheduled_at=since - timedelta(days=2),
            published_at=since + timedelta(days=2),
        )
        # Planned inside the range, published after it: not shown here.
        make_post(
            tenant,
            author,
            targets=[x],
            status=PostStatus.PARTIALLY_PUBLISHED,
            scheduled_at=since + timedelta(days=1),
            published_at=until + timedelta(days=1),
        )
        # Never scheduled: no place on a calendar.
        make_post(tenant, author, targets=[x])
        found = calendar.calendar_posts(ctx_of(author), since=since, until=until)
        assert [(p.id, p.at) for p in found] == [(late.id, since + timedelta(days=2))]
        assert not found[0].movable

    def test_another_teams_posts_are_not_there(self, users: dict[Role, User], x: SocialAccount) -> None:
        since, until = window()
        other = make_tenant()
        stranger = make_user(other, role=Role.OWNER, password=None)
        scheduled(stranger, make_account(other), since + timedelta(days=1))
        assert calendar.calendar_posts(ctx_of(users[Role.OWNER]), since=since, until=until) == []


class TestMovable:
    def test_what_reschedule_would_allow_is_movable_and_nothing_else(
        self, tenant: Tenant, users: dict[Role, User], x: SocialAccount
    ) -> None:
        since, until = window()
        editors = scheduled(users[Role.EDITOR], x, since + timedelta(days=1))
        started = scheduled(users[Role.EDITOR], x, since + timedelta(days=2))
        set_rows(tenant, started, PublishStatus.PUBLISHING)
        draft = posts.create_post(ctx_of(users[Role.EDITOR]), content="Draft", targets=[TargetSpec(x.id)]).post.id
        posts.schedule_post(ctx_of(users[Role.EDITOR]), draft, at=since + timedelta(days=3))
        posts.unschedule_post(ctx_of(users[Role.EDITOR]), draft)  # back to a draft that keeps its time

        def movable(role: Role) -> dict[uuid.UUID, bool]:
            return {p.id: p.movable for p in calendar.calendar_posts(ctx_of(users[role]), since=since, until=until)}

        assert movable(Role.EDITOR) == {editors: True, started: False, draft: False}
        assert movable(Role.OWNER)[editors] and movable(Role.ADMIN)[editors]
        assert not movable(Role.VIEWER)[editors]
        assert not movable(Role.CONTRIBUTOR)[editors]  # someone else's post
        # ... and the service agrees on each of those refusals.
        for role in (Role.VIEWER, Role.CONTRIBUTOR):
            with pytest.raises(NotPermitted):
                posts.reschedule_post(ctx_of(users[role]), editors, at=datetime(2030, 1, 1, 9), timezone="UTC")

    def test_a_contributors_own_approved_post_is_movable_for_them(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        since, until = window()
        contributor = users[Role.CONTRIBUTOR]
        post_id = posts.create_post(ctx_of(contributor), content="Mine", targets=[TargetSpec(x.id)]).post.id
        posts.schedule_post(ctx_of(contributor), post_id, at=since + timedelta(days=1))
        posts.approve_post(ctx_of(users[Role.EDITOR]), post_id)
        [found] = calendar.calendar_posts(ctx_of(contributor), since=since, until=until)
        assert found.status is PostStatus.SCHEDULED and found.movable
        moved = posts.reschedule_post(ctx_of(contributor), post_id, at=datetime(2030, 1, 1, 9), timezone="UTC")
        assert moved.post.status is PostStatus.PENDING_APPROVAL  # moving it asks for an approval again
        assert moved.post.scheduled_at == datetime(2030, 1, 1, 9, tzinfo=UTC)
