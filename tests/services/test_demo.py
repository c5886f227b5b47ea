"""The demo team shows the product as it is used: accounts connected through the sandbox's OAuth flow, posts with
targets in every state, one published everywhere and one that Reddit itself refused, all made through the
services and the publishing pipeline (the sandbox counts what it received)."""

from __future__ import annotations

import uuid

import pytest

from socialhub.context import Context
from socialhub.models import (
    AccountStatus,
    ApprovalState,
    Platform,
    PostStatus,
    PublishStatus,
    Role,
)
from socialhub.services import demo, posts, publishing, social_accounts
from tests.conftest import Sandbox


@pytest.fixture
def domain(database: dict[str, str]) -> str:
    domain = f"demo-{uuid.uuid4().hex[:8]}.test"
    demo.seed_demo(name="Demo Roasters", domain=domain)
    return domain


def owner(domain: str) -> Context:
    members = demo.demo_members(domain)
    assert members is not None
    return members[Role.OWNER]


def test_accounts_are_connected_through_each_platforms_oauth_flow(sandboxed: Sandbox, domain: str) -> None:
    activity = demo.seed_demo_activity(domain=domain)
    assert activity is not None
    accounts = social_accounts.list_accounts(owner(domain))
    assert {a.platform for a in accounts} == {Platform(p) for p in demo.DEMO_PLATFORMS}
    assert all(a.status is AccountStatus.ACTIVE and a.oauth_tokens_encrypted for a in accounts)
    for platform in demo.DEMO_PLATFORMS:  # each platform issued the tokens itself, at its token endpoint
        assert sandboxed.states[platform].tokens, platform
    pages = {a.platform: a.account_metadata.get("kind") for a in accounts}
    assert pages[Platform.FACEBOOK] == "page" and pages[Platform.LINKEDIN] == "organization"


def test_every_post_has_targets_and_each_state_is_there(sandboxed: Sandbox, domain: str) -> None:
    activity = demo.seed_demo_activity(domain=domain)
    assert activity is not None
    ctx = owner(domain)
    found, total = posts.list_posts(ctx)
    assert total == len(activity.posts) == 7
    assert all(detail.targets for detail in found)
    by_name = {name: posts.get_post(ctx, post_id) for name, post_id in activity.posts.items()}
    assert {name: d.post.status for name, d in by_name.items()} == {
        "published": PostStatus.PUBLISHED,
        "refused": PostStatus.PARTIALLY_PUBLISHED,
        "scheduled": PostStatus.SCHEDULED,
        "scheduled_reddit": PostStatus.SCHEDULED,
        "pending": PostStatus.PENDING_APPROVAL,
        "planned": PostStatus.DRAFT,
        "draft": PostStatus.DRAFT,
    }
    members = demo.demo_members(domain)
    assert members is not None
    pending = by_name["pending"].post
    assert pending.created_by == members[Role.CONTRIBUTOR].user_id and pending.approval_state is ApprovalState.PENDING
    assert by_name["planned"].post.scheduled_at is not None  # a draft with a planned time, for the calendar
    assert all(t.status is PublishStatus.QUEUED for t in by_name["scheduled"].targets)


def test_one_post_went_out_everywhere_and_reddit_refused_the_other_in_its_own_words(
    sandboxed: Sandbox, domain: str
) -> None:
    activity = demo.seed_demo_activity(domain=domain)
    assert activity is not None
    ctx = owner(domain)
    published = posts.get_post(ctx, activity.posts["published"])
    assert {t.platform for t in published.targets} == {
        Platform.X,
        Platform.LINKEDIN,
        Platform.FACEBOOK,
        Platform.PINTEREST,
    }
    assert all(t.status is PublishStatus.PUBLISHED and t.permalink and t.platform_post_id for t in published.targets)
    refused = {t.platform: t for t in posts.get_post(ctx, activity.posts["refused"]).targets}
    reddit = refused[Platform.REDDIT]
    assert refused[Platform.X].status is PublishStatus.PUBLISHED
    assert (reddit.status, reddit.error_code) == (PublishStatus.FAILED, "NO_LINKS")
    assert reddit.error_message == (
        "That subreddit only accepts text posts. Reddit said: “that subreddit only allows text posts (field: sr)”. "
        "Post the content as text, or pick another subreddit."
    )
    # What the platforms received, counted on their side: nothing invented, nothing sent twice.
    received = {p: len(sandboxed.states[p].published) for p in demo.DEMO_PLATFORMS}
    assert received == {"x": 2, "linkedin": 1, "facebook": 1, "pinterest": 1, "reddit": 0}
    [pin] = sandboxed.states["pinterest"].published
    assert pin.id in sandboxed.states["pinterest"].objects["images"]  # the picture's bytes arrived with the pin

    # The refusal is a real one: fixed on its target and sent again, it goes out, and X is not sent again.
    posts.update_target(
        ctx,
        refused[Platform.REDDIT].post_id,
        reddit.id,
        posts.TargetChange(options={"subreddit": "textonly", "title": "How we roast"}),
    )
    posts.retry_target(ctx, reddit.post_id, reddit.id)
    assert publishing.publish_target(ctx.tenant_id, reddit.id) is PublishStatus.PUBLISHED
    assert [len(sandboxed.states[p].published) for p in ("x", "reddit")] == [2, 1]


def test_it_runs_once_and_only_for_a_demo_team(sandboxed: Sandbox, domain: str) -> None:
    assert demo.seed_demo_activity(domain=domain) is not None
    requests = sum(state.counters.get("requests", 0) for state in sandboxed.states.values())
    assert demo.seed_demo_activity(domain=domain) is None
    assert sum(state.counters.get("requests", 0) for state in sandboxed.states.values()) == requests
    assert posts.list_posts(owner(domain))[1] == 7
    assert demo.seed_demo_activity(domain="nobody.test") is None


def test_without_a_sandbox_it_says_so_plainly(database: dict[str, str]) -> None:
    from tests.web import free_port

    with pytest.raises(demo.SandboxUnavailable, match=r"did not answer within 0\.5 s"):
        demo.wait_for_sandbox(f"http://127.0.0.1:{free_port()}", timeout=0.5)
