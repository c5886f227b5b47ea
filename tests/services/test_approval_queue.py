"""What the dashboard shows about approvals: the posts waiting for this person's approval, their own posts in
review (a rejection with its reason), and the live news that a post changed. Against the real database."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta

import pytest
import redis

from socialhub.context import Context
from socialhub.models import ApprovalPolicy, Platform, PostStatus, Role, SocialAccount, Tenant, User, utcnow
from socialhub.services import live, posts, tenants
from socialhub.services.errors import Invalid, NotPermitted
from socialhub.services.posts import TargetSpec
from socialhub.settings import get_settings
from tests.factories import make_account, make_tenant, make_user


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


def submit(user: User, account: SocialAccount, content: str, *, in_days: int | None = None) -> uuid.UUID:
    post = posts.create_post(ctx_of(user), content=content, targets=[TargetSpec(account.id)]).post
    at = utcnow() + timedelta(days=in_days) if in_days is not None else None
    assert posts.schedule_post(ctx_of(user), post.id, at=at).post.status is PostStatus.PENDING_APPROVAL
    return post.id


class TestAwaitingApproval:
    def test_the_most_urgent_first_and_only_what_this_person_may_approve(
        self, users: dict[Role, User], x: SocialAccount
    ) -> None:
        owner, editor, contributor = users[Role.OWNER], users[Role.EDITOR], users[Role.CONTRIBUTOR]
        tenants.update_tenant(ctx_of(owner), approval=ApprovalPolicy.EVERYONE)
        later = submit(contributor, x, "Next week", in_days=7)
        soon = submit(contributor, x, "Tomorrow", in_days=1)
        now = submit(contributor, x, "As soon as approved")
        editors_own = submit(editor, x, "The editor's own")
        posts.create_post(ctx_of(contributor), content="Only a draft", targets=[TargetSpec(x.id)])

        found, total = posts.awaiting_approval(ctx_of(editor))
        assert [d.post.id for d in found] == [now, soon, later] and total == 3  # not the editor's own
        assert [t.social_account_id for t in found[0].targets] == [x.id]
        found, total = posts.awaiting_approval(ctx_of(owner))
        assert {d.post.id for d in found} == {now, soon, later, editors_own} and total == 4  # owners may
        found, total = posts.awaiting_approval(ctx_of(owner), limit=2)
        assert [d.post.id for d in found] == [now, editors_own] and total == 4

        posts.approve_post(ctx_of(editor), now)
        assert [d.post.id for d in posts.awaiting_approval(ctx_of(editor))[0]] == [soon, later]

    @pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.VIEWER])
    def test_roles_that_approve_nothing_are_refused(self, users: dict[Role, User], role: Role) -> None:
        with pytest.raises(NotPermitted):
            posts.awaiting_approval(ctx_of(users[role]))

    def test_another_teams_posts_never_show(self, users: dict[Role, User], x: SocialAccount) -> None:
        submit(users[Role.CONTRIBUTOR], x, "Ours")
        other = make_tenant()
        assert posts.awaiting_approval(ctx_of(make_user(other, role=Role.OWNER, password=None))) == ([], 0)


class TestMySubmissions:
    def test_waiting_and_sent_back_with_the_latest_reason(self, users: dict[Role, User], x: SocialAccount) -> None:
        editor, contributor = users[Role.EDITOR], users[Role.CONTRIBUTOR]
        waiting = submit(contributor, x, "Waiting")
        sent_back = submit(contributor, x, "Sent back twice")
        approved = submit(contributor, x, "Approved")
        posts.create_post(ctx_of(contributor), content="A plain draft", targets=[TargetSpec(x.id)])
        posts.reject_post(ctx_of(editor), sent_back, "Add the price.")
        posts.schedule_post(ctx_of(contributor), sent_back)
        posts.reject_post(ctx_of(users[Role.OWNER]), sent_back, "Add the opening hours too.")
        posts.approve_post(ctx_of(editor), approved)

        mine = {s.post.id: s for s in posts.my_submissions(ctx_of(contributor))}
        assert set(mine) == {waiting, sent_back}
        assert mine[waiting].rejection_reason is None and mine[waiting].rejected_by is None
        assert mine[sent_back].rejection_reason == "Add the opening hours too."
        assert mine[sent_back].rejected_by == users[Role.OWNER].id
        assert [t.social_account_id for t in mine[sent_back].targets] == [x.id]

        # Submitted again, it waits again, with no reason attached; nobody else sees it as theirs.
        posts.schedule_post(ctx_of(contributor), sent_back)
        again = {s.post.id: s for s in posts.my_submissions(ctx_of(contributor))}
        assert again[sent_back].post.status is PostStatus.PENDING_APPROVAL
        assert again[sent_back].rejection_reason is None
        assert posts.my_submissions(ctx_of(editor)) == []

    def test_a_viewer_has_no_submissions_to_see(self, users: dict[Role, User]) -> None:
        with pytest.raises(NotPermitted):
            posts.my_submissions(ctx_of(users[Role.VIEWER]))


def test_every_committed_change_to_a_post_is_announced_to_the_teams_pages(
    users: dict[Role, User], x: SocialAccount, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    get_settings.cache_clear()
    subscriber = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
    subscriber.subscribe(live.posts_channel(x.tenant_id))

    def heard() -> list[str]:
        found, deadline = [], time.monotonic() + 2
        while time.monotonic() < deadline:
            message = subscriber.get_message(timeout=0.2)
            if message is not None:
                found.append(json.loads(message["data"])["post_id"])
            elif found:
                return found
        return found

    try:
        contributor, editor = ctx_of(users[Role.CONTRIBUTOR]), ctx_of(users[Role.EDITOR])
        post_id = posts.create_post(contributor, content="Hello", targets=[TargetSpec(x.id)]).post.id
        assert heard() == [str(post_id)]
        posts.schedule_post(contributor, post_id)  # submitted for approval
        assert heard() == [str(post_id)]
        with pytest.raises(Invalid):
            posts.reject_post(editor, post_id, "  ")  # refused: nothing changed, nothing to tell
        assert heard() == []
        posts.reject_post(editor, post_id, "Say more.")
        assert heard() == [str(post_id)]
        posts.delete_post(contributor, post_id)
        assert heard() == [str(post_id)]
    finally:
        subscriber.close()
        get_settings.cache_clear()
