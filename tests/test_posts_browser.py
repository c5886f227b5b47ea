"""Writing, sending and following a post in Chromium: the composer, the post's page, the posts list.

The app runs as in production (Reflex prod mode) against the test database and the platform sandbox; the
test plays the worker by calling the pipeline itself, and the open page must pick the result up without
a reload.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import ErrorClass, PostPlatform, PublishStatus, Role, Tenant
from socialhub.platforms.errors import PermanentError
from socialhub.services import posts, publishing
from tests.conftest import Sandbox
from tests.factories import connect_sandbox_account, make_tenant, make_user

PASSWORD = "correct horse battery"


def sign_in(browser: Browser, app_url: str, email: str, next_path: str, **context: object) -> Page:
    options = {"viewport": {"width": 1280, "height": 1000}, **context}
    page = browser.new_context(**options).new_page()  # type: ignore[arg-type]
    page.goto(f"{app_url}/login?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + r"/?$"))
    return page


def connect(tenant: Tenant, *platforms: str) -> None:
    """Accounts connected by the team's admin through the sandbox's OAuth flow."""
    admin = make_user(tenant, role=Role.ADMIN, password=None)
    for platform in platforms:
        connect_sandbox_account(Context(tenant_id=tenant.id, user_id=admin.id, role=Role.ADMIN), platform)


def targets_of(tenant_id: uuid.UUID, post_id: uuid.UUID) -> list[PostPlatform]:
    with tenant_session(Context.system(tenant_id)) as session:
        return list(session.exec(select(PostPlatform).where(PostPlatform.post_id == post_id)).all())


def work(tenant_id: uuid.UUID, post_id: uuid.UUID) -> list[PublishStatus | None]:
    """What a worker would do with the post's due targets."""
    return [publishing.publish_target(tenant_id, t.id) for t in targets_of(tenant_id, post_id)]


def test_compose_check_publish_and_follow_a_post(
    app_url: str, browser: Browser, sandboxed: Sandbox, artifacts: Path
) -> None:
    tenant = make_tenant(name="Harbour Books", timezone="Europe/Berlin")
    editor = make_user(tenant, role=Role.EDITOR, password=PASSWORD)
    ctx = Context(tenant_id=tenant.id, user_id=editor.id, role=Role.EDITOR)
    connect(tenant, "x", "reddit")

    page = sign_in(browser, app_url, editor.email, "/compose")
    expect(page.get_by_role("heading", name="New post")).to_be_visible()
    page.locator(".account-choice[data-platform=x]").click()
    page.locator(".account-choice[data-platform=reddit]").click()
    page.locator("#content").fill("Autumn reading list is out 📚 https://example.com/autumn")

    # Live, per-platform counting as each platform counts: X weighs the emoji 2 and the link 23.
    expect(page.locator(".counter", has_text="X")).to_contain_text("X 53/280")
    expect(page.locator(".counter", has_text="Reddit")).to_contain_text("/40000")

    # Reddit needs a subreddit and a title: the tab says so before anything is sent.
    page.get_by_role("tab", name=re.compile("Reddit")).click()
    problems = page.locator(".target-problems")
    expect(problems).to_contain_text("subreddit")
    page.locator("input[name='reddit-subreddit']").fill("sandbox")
    page.locator("input[name='reddit-title']").fill("Our autumn reading list")
    expect(problems).to_have_count(0)

    # A custom text for X that is too long is caught as you type, and fixed.
    page.get_by_role("tab", name=re.compile("X")).click()
    page.locator("#customize-" + str(targets_account(ctx, "x"))).click()
    custom = page.get_by_label("X text")
    custom.fill("word " * 80)
    expect(page.locator(".target-problems")).to_contain_text("X allows 280")
    custom.fill("Autumn reading list 📚 https://example.com/autumn #books")
    expect(page.locator(".target-problems")).to_have_count(0)
    expect(page.locator(".preview-x")).to_contain_text("#books")
    expect(page.locator(".preview-reddit")).to_contain_text("r/sandbox")
    page.screenshot(path=str(artifacts / "composer-desktop.png"), full_page=True)

    # Publish now: the post's page opens, and follows the worker without a reload.
    page.locator("#send").click()
    expect(page).to_have_url(re.compile(r"/posts/[0-9a-f-]{36}/?$"))
    post_id = uuid.UUID(page.url.rstrip("/").rsplit("/", 1)[1])
    expect(page.locator(".target-card")).to_have_count(2)
    expect(page.locator("#targets")).to_contain_text("Queued")
    assert work(tenant.id, post_id) == [PublishStatus.PUBLISHED, PublishStatus.PUBLISHED]
    expect(page.get_by_text("View on X")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("View on Reddit")).to_be_visible()
    expect(page.locator(".target-card[data-platform=x]")).to_contain_text("Published")
    page.screenshot(path=str(artifacts / "post-published.png"), full_page=True)
    assert [p.payload["text"] for p in sandboxed.states["x"].published] == [
        "Autumn reading list 📚 https://example.com/autumn #books"
    ]

    # The list shows it, filters find it, and a search for something else does not.
    page.goto(f"{app_url}/posts")
    rows = page.locator(".post-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Published")
    page.get_by_placeholder("Search text and titles").fill("winter")
    expect(page.locator("#posts")).to_contain_text("No posts match")
    page.get_by_placeholder("Search text and titles").fill("autumn")
    expect(rows).to_have_count(1)
    page.screenshot(path=str(artifacts / "posts-list.png"), full_page=True)


def targets_account(ctx: Context, platform: str) -> uuid.UUID:
    from socialhub.services import social_accounts

    return next(a.id for a in social_accounts.list_accounts(ctx) if a.platform.value == platform)


def test_a_failed_target_says_why_and_can_be_retried(
    app_url: str, browser: Browser, sandboxed: Sandbox, artifacts: Path
) -> None:
    tenant = make_tenant(name="Quayside Bakery")
    editor = make_user(tenant, role=Role.EDITOR, password=PASSWORD)
    connect(tenant, "x")

    page = sign_in(browser, app_url, editor.email, "/compose", viewport={"width": 390, "height": 844})
    page.locator(".account-choice[data-platform=x]").click()
    page.locator("#content").fill("Fresh sourdough at 8")
    expect(page.locator(".counter")).to_contain_text("X 20/280")
    page.screenshot(path=str(artifacts / "composer-phone.png"), full_page=True)
    page.locator("#send").click()
    expect(page).to_have_url(re.compile(r"/posts/[0-9a-f-]{36}/?$"))
    post_id = uuid.UUID(page.url.rstrip("/").rsplit("/", 1)[1])

    # The platform is down for now: the target waits for its next attempt and says why.
    sandboxed.fault("x", "/2/tweets$", "503", method="POST")
    assert work(tenant.id, post_id) == [PublishStatus.RETRY_WAIT]
    card = page.locator(".target-card")
    expect(card).to_contain_text("Will retry", timeout=20_000)
    expect(card).to_contain_text("Next attempt")

    # After the retries ran out (set here as the pipeline leaves it), the page says what X said and offers a retry.
    refusal = PermanentError("x", "X refused the post.", platform_message="Service Unavailable")
    with tenant_session(Context.system(tenant.id)) as session:
        row = session.exec(select(PostPlatform).where(PostPlatform.post_id == post_id)).one()
        row.status, row.error_class, row.error_message = (
            PublishStatus.FAILED,
            ErrorClass.PERMANENT,
            refusal.user_message,
        )
        row.next_attempt_at = None
        session.add(row)
        session.commit()
    publishing.announce(tenant.id, row.id, PublishStatus.FAILED)
    expect(card).to_contain_text("Failed", timeout=20_000)
    expect(page.locator(".target-error")).to_contain_text("Service Unavailable")
    page.screenshot(path=str(artifacts / "post-failed-phone.png"), full_page=True)
    page.locator(".retry").click()
    expect(card).to_contain_text("Queued")
    assert work(tenant.id, post_id) == [PublishStatus.PUBLISHED]
    expect(page.get_by_text("View on X")).to_be_visible(timeout=20_000)


def test_a_contributor_submits_for_approval_and_an_editor_approves(
    app_url: str, browser: Browser, sandboxed: Sandbox
) -> None:
    """Contributors cannot publish on their own (their role lacks posts:publish): the composer says so."""
    tenant = make_tenant(name="Ferry Lane Studio")
    contributor = make_user(tenant, role=Role.CONTRIBUTOR, password=PASSWORD)
    editor = make_user(tenant, role=Role.EDITOR, password=PASSWORD)
    connect(tenant, "x")

    page = sign_in(browser, app_url, contributor.email, "/compose")
    page.locator(".account-choice[data-platform=x]").click()
    page.locator("#content").fill("Open studio this Saturday")
    expect(page.locator("#send")).to_have_text("Submit for approval")
    page.locator("#send").click()
    expect(page).to_have_url(re.compile(r"/posts/[0-9a-f-]{36}/?$"))
    expect(page.get_by_text("Waiting for approval")).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)  # not their own
    post_path = page.url.split(app_url, 1)[1]

    approver = sign_in(browser, app_url, editor.email, post_path)
    approver.get_by_role("button", name="Approve").click()
    expect(approver.locator("#targets")).to_contain_text("Queued")
    expect(approver.get_by_text("Scheduled")).to_be_visible()


def test_schedule_in_a_time_zone_then_take_it_back_to_edit(app_url: str, browser: Browser, sandboxed: Sandbox) -> None:
    tenant = make_tenant(name="Lighthouse Tours", timezone="Europe/Berlin")
    editor = make_user(tenant, role=Role.EDITOR, password=PASSWORD)
    connect(tenant, "x")
    ctx = Context(tenant_id=tenant.id, user_id=editor.id, role=Role.EDITOR)

    page = sign_in(browser, app_url, editor.email, "/compose")
    page.locator(".account-choice[data-platform=x]").click()
    page.locator("#content").fill("Sunset tour tickets on sale")
    page.get_by_text("At a time").click()
    page.locator("input[name='schedule_at']").fill("2031-07-01T18:30")
    page.locator("select[name='timezone']").select_option("America/New_York")
    expect(page.locator("#send")).to_have_text("Schedule")
    page.locator("#send").click()
    expect(page).to_have_url(re.compile(r"/posts/[0-9a-f-]{36}/?$"))
    post_id = uuid.UUID(page.url.rstrip("/").rsplit("/", 1)[1])
    detail = posts.get_post(ctx, post_id)
    # 18:30 in New York in July (EDT, UTC-4) is 22:30 UTC; the page shows the team's Berlin time too.
    assert detail.post.scheduled_at == datetime(2031, 7, 1, 22, 30, tzinfo=UTC)
    assert detail.post.timezone == "America/New_York"
    expect(page.get_by_text("Scheduled", exact=True)).to_be_visible()
    expect(page.get_by_text("Due Wed 02 Jul 2031, 00:30 (Tue 01 Jul 2031, 18:30 in America/New_York)")).to_be_visible()

    # Back to drafts opens the composer on it; the change is saved, and a reload comes back to it.
    page.get_by_role("button", name="Back to drafts").click()
    expect(page).to_have_url(re.compile(r"/compose\?post="))
    expect(page.get_by_role("heading", name="Edit draft")).to_be_visible()
    expect(page.locator("#content")).to_have_value("Sunset tour tickets on sale")
    page.locator("#content").fill("Sunset tour tickets on sale now")
    page.locator("#save-draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    assert posts.get_post(ctx, post_id).post.content == "Sunset tour tickets on sale now"
    assert posts.get_post(ctx, post_id).post.status.value == "draft"
    page.reload()
    expect(page.locator("#content")).to_have_value("Sunset tour tickets on sale now")


def test_attach_media_with_alt_text_and_publish_it(
    app_url: str, browser: Browser, sandboxed: Sandbox, artifacts: Path, tmp_path: Path
) -> None:
    from PIL import Image

    tenant = make_tenant(name="Pier Gallery")
    editor = make_user(tenant, role=Role.EDITOR, password=PASSWORD)
    connect(tenant, "x")
    photo = tmp_path / "harbour.png"
    Image.new("RGB", (640, 480), (30, 90, 160)).save(photo)
    disguised = tmp_path / "photo.jpg"
    disguised.write_text("<html><body>not a photo</body></html>")

    page = sign_in(browser, app_url, editor.email, "/compose")
    page.locator(".account-choice[data-platform=x]").click()
    page.locator("#content").fill("New exhibition opens Friday")
    upload = page.locator("#composer-upload input[type=file]")
    upload.set_input_files(str(disguised))
    expect(page.get_by_text(re.compile(r"photo\.jpg.*HTML page"))).to_be_visible()  # refused, from its bytes
    expect(page.locator(".attached-media")).to_have_count(0)
    upload.set_input_files(str(photo))
    attached = page.locator(".attached-media")
    expect(attached).to_have_count(1)
    expect(attached).to_contain_text("640×480")
    attached.get_by_role("textbox").fill("A blue harbour at dusk")
    page.locator("#content").click()  # leaving the field saves the alt text
    expect(page.locator(".preview-x img")).to_have_count(1)
    page.screenshot(path=str(artifacts / "composer-media.png"), full_page=True)

    page.locator("#send").click()
    expect(page).to_have_url(re.compile(r"/posts/[0-9a-f-]{36}/?$"))
    post_id = uuid.UUID(page.url.rstrip("/").rsplit("/", 1)[1])
    assert work(tenant.id, post_id) == [PublishStatus.PUBLISHED]
    [uploaded] = sandboxed.states["x"].objects["media"].values()
    assert uploaded["sha256"] == hashlib.sha256(photo.read_bytes()).hexdigest()
    [published] = sandboxed.states["x"].published
    assert published.payload["text"] == "New exhibition opens Friday"
    assert published.payload["media_ids"] == [uploaded["id"]]
    assert published.payload["alt_texts"] == ["A blue harbour at dusk"]
