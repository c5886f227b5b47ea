"""What the composer and the live pages ask of the services: checking an unsaved post, who needs approval,
moving a scheduled post back to drafts, an account's choices for a platform field, and live post updates."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import timedelta

import pytest

from socialhub.context import Context
from socialhub.models import ApprovalPolicy, Platform, PostStatus, PublishStatus, Role, SocialAccount, Tenant, utcnow
from socialhub.platforms.pinterest import PinterestClient
from socialhub.platforms.registry import platform_class
from socialhub.platforms.x import XClient
from socialhub.services import live, posts, social_accounts, tenants
from socialhub.services.errors import Conflict
from socialhub.services.posts import TargetSpec
from socialhub.settings import get_settings
from tests.conftest import Sandbox
from tests.factories import connect_sandbox_account, make_account, make_tenant, make_user


@pytest.fixture
def tenant(database: dict[str, str]) -> Tenant:
    return make_tenant(timezone="Europe/Berlin")


def ctx_for(tenant: Tenant, role: Role) -> Context:
    user = make_user(tenant, role=role, password=None)
    return Context(tenant.id, user.id, role)


class TestCheckDraft:
    def test_every_target_is_checked_with_its_own_rules_and_nothing_is_saved(self, tenant: Tenant) -> None:
        ctx = ctx_for(tenant, Role.CONTRIBUTOR)
        x, reddit = make_account(tenant, platform=Platform.X), make_account(tenant, platform=Platform.REDDIT)
        problems = posts.check_draft(
            ctx,
            content="word " * 60,
            targets=[TargetSpec(x.id), TargetSpec(reddit.id, options={"subreddit": "sandbox"})],
        )
        assert any("X allows 280" in p for p in problems[str(x.id)])
        assert any("title" in p.lower() for p in problems[str(reddit.id)])
        assert posts.list_posts(ctx)[1] == 0

    def test_custom_text_is_what_gets_checked(self, tenant: Tenant) -> None:
        ctx = ctx_for(tenant, Role.EDITOR)
        x = make_account(tenant, platform=Platform.X)
        problems = posts.check_draft(ctx, content="word " * 60, targets=[TargetSpec(x.id, custom_content="short")])
        assert problems == {str(x.id): []}

    def test_another_teams_account_is_not_found(self, tenant: Tenant) -> None:
        other = make_account(make_tenant(), platform=Platform.X)
        problems = posts.check_draft(ctx_for(tenant, Role.EDITOR), content="hi", targets=[TargetSpec(other.id)])
        assert problems == {str(other.id): ["There is no such connected account."]}


def test_who_needs_approval_follows_role_and_policy(tenant: Tenant) -> None:
    editor, contributor = ctx_for(tenant, Role.EDITOR), ctx_for(tenant, Role.CONTRIBUTOR)
    assert posts.needs_approval(contributor) and not posts.needs_approval(editor)
    owner = ctx_for(tenant, Role.OWNER)
    tenants.update_tenant(owner, approval=ApprovalPolicy.EVERYONE)
    assert posts.needs_approval(editor)


class TestUnschedule:
    def test_a_scheduled_post_goes_back_to_drafts_and_keeps_its_time(self, tenant: Tenant) -> None:
        ctx = ctx_for(tenant, Role.EDITOR)
        x = make_account(tenant, platform=Platform.X)
        post = posts.create_post(ctx, content="Hello", targets=[TargetSpec(x.id)]).post
        at = (utcnow() + timedelta(days=2)).replace(microsecond=0)
        posts.schedule_post(ctx, post.id, at=at)
        detail = posts.unschedule_post(ctx, post.id)
        assert detail.post.status is PostStatus.DRAFT and detail.post.scheduled_at == at
        assert [t.status for t in detail.targets] == [PublishStatus.PENDING]
        assert posts.update_post(ctx, post.id, content="Hello again").post.content == "Hello again"

    def test_not_once_publishing_started(self, tenant: Tenant) -> None:
        ctx = ctx_for(tenant, Role.EDITOR)
        x = make_account(tenant, platform=Platform.X)
        post = posts.create_post(ctx, content="Hello", targets=[TargetSpec(x.id)]).post
        posts.schedule_post(ctx, post.id)
        from socialhub.services import publishing

        assert publishing.claim(tenant.id, posts.get_post(ctx, post.id).targets[0].id) is not None
        with pytest.raises(Conflict, match="publishing"):
            posts.unschedule_post(ctx, post.id)

    def test_a_draft_is_already_one(self, tenant: Tenant) -> None:
        ctx = ctx_for(tenant, Role.EDITOR)
        post = posts.create_post(ctx, content="Hello").post
        with pytest.raises(Conflict, match="only a scheduled post"):
            posts.unschedule_post(ctx, post.id)


def test_platforms_count_text_their_own_way() -> None:
    assert XClient.text_length("😀 https://example.com/a/long/path") == 2 + 1 + 23
    assert platform_class("linkedin").text_length("😀") == 2  # UTF-16 units
    assert platform_class("reddit").text_length("😀") == 1
    assert [f.name for f in PinterestClient.option_fields if f.required] == ["board_id"]


def test_a_pinterest_account_offers_its_boards(tenant: Tenant, sandboxed: Sandbox) -> None:
    admin = ctx_for(tenant, Role.ADMIN)
    account: SocialAccount = connect_sandbox_account(admin, "pinterest")
    choices = social_accounts.option_choices(ctx_for(tenant, Role.VIEWER), account.id, "board_id")
    assert choices and all(value.isdigit() and label for value, label in choices)
    assert social_accounts.option_choices(admin, account.id, "title") == []


def test_live_updates_arrive_through_redis(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    get_settings.cache_clear()
    tenant_id, other = uuid.uuid4(), uuid.uuid4()

    async def scenario() -> int:
        changes = live.post_changes(tenant_id, fallback_seconds=30)
        first = asyncio.ensure_future(anext(changes))
        await asyncio.sleep(0.3)  # subscribed
        live.announce_posts(other, status="published")  # another team's news wakes nobody here
        await asyncio.sleep(0.2)
        assert not first.done()
        for _ in range(5):  # a burst is one reload
            live.announce_posts(tenant_id, status="published")
        await asyncio.wait_for(first, timeout=5)
        second = asyncio.ensure_future(anext(changes))
        await asyncio.sleep(0.6)
        woke = int(second.done())
        second.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await second
        await changes.aclose()
        return woke

    try:
        assert asyncio.run(scenario()) == 0
    finally:
        get_settings.cache_clear()


def test_without_redis_pages_look_again_on_a_slow_tick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()

    async def ticks() -> int:
        changes = live.post_changes(uuid.uuid4(), fallback_seconds=0.05)
        count = 0
        async for _ in changes:
            count += 1
            if count == 3:
                break
        await changes.aclose()
        return count

    try:
        assert asyncio.run(ticks()) == 3
    finally:
        get_settings.cache_clear()
