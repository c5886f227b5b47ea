"""A post's page in Chromium: what each target sent (text, fields, files), fixing a target a platform refused and
sending it again while the published ones stay as they are, and the demo team as a new user first sees it.

The app runs as in production against the test database and the platform sandbox; the test plays the worker
by calling the publishing pipeline itself, and counts on the sandbox's side what each platform received.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from socialhub.context import Context
from socialhub.models import Platform, PostPlatform, PublishStatus, Role, SocialAccount
from socialhub.sandbox.pinterest import BOARDS
from socialhub.services import demo, media, posts, publishing, social_accounts
from socialhub.services.posts import TargetSpec
from tests.conftest import Sandbox
from tests.factories import make_tenant, make_user
from tests.media import samples
from tests.test_posts_browser import PASSWORD, connect, sign_in, targets_of, work

PHONE = {"width": 390, "height": 844}


def accounts_of(ctx: Context) -> dict[str, SocialAccount]:
    return {a.platform.value: a for a in social_accounts.list_accounts(ctx)}


def reddit_row(tenant_id: uuid.UUID, post_id: uuid.UUID) -> PostPlatform:
    return next(t for t in targets_of(tenant_id, post_id) if t.platform is Platform.REDDIT)


def work_by_platform(tenant_id: uuid.UUID, post_id: uuid.UUID) -> dict[str, PublishStatus | None]:
    """What a worker would do with each of the post's targets (None: nothing due)."""
    return {t.platform.value: publishing.publish_target(tenant_id, t.id) for t in targets_of(tenant_id, post_id)}


def assert_no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"  # type: ignore[index]


def test_fix_the_target_reddit_refused_and_send_it_again_while_x_stays_published(
    app_url: str, browser: Browser, sandboxed: Sandbox, artifacts: Path
) -> None:
    tenant = make_tenant(name="Canal Street Roasters")
    editor = make_user(tenant, role=Role.EDITOR, password=PASSWORD)
    ctx = Context(tenant.id, editor.id, Role.EDITOR)
    connect(tenant, "x", "reddit")
    accounts = accounts_of(ctx)
    link_post = {"subreddit": "textonly", "title": "Our spring menu", "link": "https://example.com/menu"}
    targets = [TargetSpec(accounts["x"].id), TargetSpec(accounts["reddit"].id, options=link_post)]
    post_id = posts.create_post(ctx, content="Spring menu is here", targets=targets).post.id
    posts.schedule_post(ctx, post_id)
    assert sorted(s.value for s in work(tenant.id, post_id) if s) == ["failed", "published"]

    page = sign_in(browser, app_url, editor.email, f"/posts/{post_id}")
    x_card, reddit = page.locator(".target-card[data-platform=x]"), page.locator(".target-card[data-platform=reddit]")
    expect(reddit.locator(".target-error")).to_contain_text("Reddit said: “that subreddit only allows text posts")
    expect(reddit.locator(".outgoing")).to_contain_text("Link (makes it a link post): https://example.com/menu")
    expect(x_card.locator(".fix-target")).to_have_count(0)  # published: nothing to fix there
    page.screenshot(path=str(artifacts / "post-fix-refused.png"), full_page=True)

    # The editor: the platform's own fields, checked by Reddit's rules as they are typed.
    reddit.locator(".fix-target").click()
    fixer = reddit.locator(".target-fixer")
    expect(fixer).to_contain_text("Reddit would take it as it is now")  # its rules cannot know r/textonly's
    problems = fixer.locator(".target-problems")
    subreddit = fixer.locator("input[name='fix-subreddit']")
    expect(subreddit).to_have_value("textonly")
    subreddit.fill("")
    expect(problems).to_contain_text("Choose the subreddit to post in.")
    expect(page.locator("#fix-save-retry")).to_be_disabled()
    subreddit.fill("r/no way")
    expect(problems).to_contain_text("“no way” isn't a subreddit name")
    subreddit.fill("textonly")
    fixer.locator("input[name='fix-link']").fill("")
    expect(problems).to_have_count(0)
    fixer.locator("#fix-customize").click()
    text = fixer.get_by_label("Reddit text")
    expect(text).to_have_value("Spring menu is here")  # starts from the shared text
    text.fill("Spring menu is here: https://example.com/menu")
    expect(fixer.locator(".counter")).to_have_text("Reddit 45/40000")
    page.screenshot(path=str(artifacts / "post-fix-editing.png"), full_page=True)

    fixer.locator("#fix-save-retry").click()
    expect(reddit).to_contain_text("Queued")
    fixed = reddit_row(tenant.id, post_id)
    assert fixed.options == {"subreddit": "textonly", "title": "Our spring menu"}
    assert fixed.custom_content == "Spring menu is here: https://example.com/menu"
    assert work_by_platform(tenant.id, post_id) == {"x": None, "reddit": PublishStatus.PUBLISHED}  # X: not due
    expect(reddit.get_by_text("View on Reddit")).to_be_visible(timeout=20_000)
    expect(reddit.locator(".text-source")).to_have_text("Its own text")
    expect(x_card.locator(".text-source")).to_have_text("The shared text")
    page.screenshot(path=str(artifacts / "post-fix-published.png"), full_page=True)

    # On the platforms' side: X got the post once, Reddit once, as a text post with the new words.
    assert len(sandboxed.states["x"].published) == 1
    [sent] = sandboxed.states["reddit"].published
    assert (sent.kind, sent.payload["text"]) == ("self", "Spring menu is here: https://example.com/menu")

    phone = sign_in(browser, app_url, editor.email, f"/posts/{post_id}", viewport=PHONE)
    expect(phone.get_by_text("View on Reddit")).to_be_visible()
    assert_no_sideways_scroll(phone)
    phone.screenshot(path=str(artifacts / "post-fix-published-phone.png"), full_page=True)


def test_on_a_phone_a_contributor_fixes_their_post_and_an_editor_approves_the_retry(
    app_url: str, browser: Browser, sandboxed: Sandbox, artifacts: Path
) -> None:
    tenant = make_tenant(name="Tram Stop Bakery")
    contributor = make_user(tenant, role=Role.CONTRIBUTOR, password=PASSWORD)
    editor = make_user(tenant, role=Role.EDITOR, password=PASSWORD)
    connect(tenant, "reddit")
    ctx = Context(tenant.id, contributor.id, Role.CONTRIBUTOR)
    long_word = "https://example.com/" + "sourdough-" * 12  # must wrap, not widen the page
    target = TargetSpec(accounts_of(ctx)["reddit"].id, options={"subreddit": "linksonly", "title": "Sourdough"})
    post_id = posts.create_post(ctx, content=f"Fresh sourdough at 8 {long_word}", targets=[target]).post.id
    posts.schedule_post(ctx, post_id)
    posts.approve_post(Context(tenant.id, editor.id, Role.EDITOR), post_id)
    assert work(tenant.id, post_id) == [PublishStatus.FAILED]

    page = sign_in(browser, app_url, contributor.email, f"/posts/{post_id}", viewport=PHONE)
    card = page.locator(".target-card")
    expect(card.locator(".target-error")).to_contain_text("That subreddit doesn't accept text posts.")
    expect(card.locator(".retry")).to_have_count(0)  # contributors do not publish
    card.locator(".fix-target").click()
    card.locator("input[name='fix-subreddit']").fill("sandbox")
    expect(card.locator(".target-problems")).to_have_count(0)
    expect(page.locator("#fix-save-retry")).to_have_count(0)
    assert_no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "post-fix-contributor-phone.png"), full_page=True)
    page.locator("#fix-save").click()
    expect(page.get_by_text("Saved. Retry it to send it again.")).to_be_visible()
    expect(card.locator(".retry-by-approver")).to_contain_text("an approver sends it again")
    assert reddit_row(tenant.id, post_id).options["subreddit"] == "sandbox"
    assert sandboxed.states["reddit"].published == []

    approver = sign_in(browser, app_url, editor.email, f"/posts/{post_id}", viewport=PHONE)
    approver.locator(".retry").click()  # the retry is the approval of what changed
    expect(approver.locator(".retry")).to_have_count(0)
    expect(approver.locator(".target-card")).to_contain_text("Queued")
    assert work(tenant.id, post_id) == [PublishStatus.PUBLISHED]
    expect(approver.get_by_text("View on Reddit")).to_be_visible(timeout=20_000)
    assert_no_sideways_scroll(approver)
    approver.screenshot(path=str(artifacts / "post-fix-approved-phone.png"), full_page=True)
    assert [p.payload["subreddit"] for p in sandboxed.states["reddit"].published] == ["sandbox"]


def test_each_target_shows_the_text_fields_and_files_it_sent(
    app_url: str, browser: Browser, sandboxed: Sandbox, artifacts: Path
) -> None:
    tenant = make_tenant(name="Harbour Prints")
    editor = make_user(tenant, role=Role.EDITOR, password=PASSWORD)
    ctx = Context(tenant.id, editor.id, Role.EDITOR)
    connect(tenant, "x", "pinterest")
    accounts = accounts_of(ctx)
    photo = media.upload_file(ctx, samples.png((320, 240)), filename="harbour.png", alt_text="The harbour at night")
    targets = [
        TargetSpec(accounts["x"].id, custom_content="Harbour lights tonight 🌃"),
        TargetSpec(accounts["pinterest"].id, options={"board_id": BOARDS[0]["id"]}),
    ]
    post_id = posts.create_post(
        ctx,
        content="Harbour lights, printed on cotton paper.",
        title="Harbour lights",
        targets=targets,
        media_ids=[photo.id],
    ).post.id
    posts.schedule_post(ctx, post_id)
    assert work(tenant.id, post_id) == [PublishStatus.PUBLISHED, PublishStatus.PUBLISHED]

    for name, viewport in (("desktop", {"width": 1280, "height": 1000}), ("phone", PHONE)):
        page = sign_in(browser, app_url, editor.email, f"/posts/{post_id}", viewport=viewport)
        x_card = page.locator(".target-card[data-platform=x]")
        pin = page.locator(".target-card[data-platform=pinterest]")
        expect(x_card.locator(".text-source")).to_have_text("Its own text")
        expect(x_card.locator(".target-text")).to_have_text("Harbour lights tonight 🌃")
        expect(pin.locator(".text-source")).to_have_text("The shared text")
        expect(pin.locator(".target-text")).to_have_text("Harbour lights, printed on cotton paper.")
        expect(pin.locator(".outgoing")).to_contain_text("Board: Recipes")  # its name, asked of the account
        expect(pin.locator(".outgoing")).to_contain_text("Pin title: Harbour lights")  # the post's title
        for card in (x_card, pin):
            image = card.locator(".target-files img")
            expect(image).to_have_count(1)
            expect(image).to_have_attribute("alt", "The harbour at night")
            expect(image).to_have_attribute("src", re.compile(r"^/api/v1/media/public/"))
            image.scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete && img.naturalWidth === 320", arg=image.element_handle())
        assert_no_sideways_scroll(page)
        page.screenshot(path=str(artifacts / f"post-what-went-out-{name}.png"), full_page=True)


def test_the_demo_team_shows_accounts_posts_with_targets_a_published_and_a_refused_post(
    app_url: str, browser: Browser, sandboxed: Sandbox, artifacts: Path
) -> None:
    domain = f"demo-{uuid.uuid4().hex[:8]}.test"
    demo.seed_demo(name="Demo Coffee Roasters", domain=domain)
    activity = demo.seed_demo_activity(domain=domain)
    assert activity is not None

    for name, viewport in (("desktop", {"width": 1280, "height": 1000}), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
        page = context.new_page()
        page.goto(f"{app_url}/login?next=/posts")
        page.get_by_label("Email").fill(f"owner@{domain}")
        page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/posts/?$"))
        rows = page.locator(".post-row")
        expect(rows).to_have_count(7)
        for i in range(7):
            expect(rows.nth(i).locator(".target-chip").first).to_be_visible()  # every post goes somewhere
        expect(page.locator("#posts")).to_contain_text("Waiting for approval")
        expect(page.locator("#posts")).to_contain_text("Partly published")
        assert_no_sideways_scroll(page)
        page.screenshot(path=str(artifacts / f"demo-posts-{name}.png"), full_page=True)

        page.goto(f"{app_url}/posts/{activity.posts['published']}")
        expect(page.locator(".target-card")).to_have_count(4)
        expect(page.get_by_text(re.compile(r"^View on "))).to_have_count(4)
        assert_no_sideways_scroll(page)
        page.screenshot(path=str(artifacts / f"demo-published-{name}.png"), full_page=True)

        page.goto(f"{app_url}/posts/{activity.posts['refused']}")
        reddit = page.locator(".target-card[data-platform=reddit]")
        expect(reddit.locator(".target-error")).to_contain_text("Post the content as text, or pick another subreddit.")
        expect(reddit.locator(".fix-target")).to_be_visible()
        assert_no_sideways_scroll(page)
        page.screenshot(path=str(artifacts / f"demo-refused-{name}.png"), full_page=True)

        page.goto(f"{app_url}/calendar")
        expect(page.get_by_text("Autumn Blend is back").first).to_be_attached()  # published today
        page.screenshot(path=str(artifacts / f"demo-calendar-{name}.png"), full_page=True)
        context.close()


def test_a_cancelled_target_gets_a_file_from_the_library_and_goes_out_with_it(
    app_url: str, browser: Browser, sandboxed: Sandbox, artifacts: Path
) -> None:
    tenant = make_tenant(name="Riverside Florist")
    editor = make_user(tenant, role=Role.EDITOR, password=PASSWORD)
    ctx = Context(tenant.id, editor.id, Role.EDITOR)
    connect(tenant, "x")
    data = samples.png((200, 150))
    media.upload_file(ctx, data, filename="tulips.png", alt_text="Red tulips")
    target = TargetSpec(accounts_of(ctx)["x"].id)
    post_id = posts.create_post(ctx, content="Tulips are in", targets=[target]).post.id
    posts.schedule_post(ctx, post_id, at=datetime.now(UTC) + timedelta(days=1))
    posts.cancel_post(ctx, post_id)

    page = sign_in(browser, app_url, editor.email, f"/posts/{post_id}")
    card = page.locator(".target-card")
    expect(card).to_contain_text("Cancelled")
    card.locator(".fix-target").click()
    fixer = card.locator(".target-fixer")
    expect(fixer).to_contain_text("No files.")
    fixer.get_by_role("button", name="Add from the library").click()
    page.locator(".fix-library-item").first.click()
    expect(fixer.locator(".fix-file")).to_have_count(1)
    expect(fixer).to_contain_text("its own")
    fixer.get_by_role("button", name="Remove tulips.png").click()
    expect(fixer).to_contain_text("No files.")
    fixer.get_by_role("button", name="Add from the library").click()
    page.locator(".fix-library-item").first.click()
    expect(fixer.locator(".fix-file img")).to_have_attribute("alt", "Red tulips")
    page.screenshot(path=str(artifacts / "post-fix-files.png"), full_page=True)
    fixer.locator("#fix-save-retry").click()
    expect(card).to_contain_text("Queued")
    assert work(tenant.id, post_id) == [PublishStatus.PUBLISHED]
    expect(card.get_by_text("View on X")).to_be_visible(timeout=20_000)
    expect(card.locator(".target-files img")).to_have_count(1)
    [uploaded] = sandboxed.states["x"].objects["media"].values()
    assert uploaded["sha256"] == hashlib.sha256(data).hexdigest()
    [published] = sandboxed.states["x"].published
    assert published.payload["media_ids"] == [uploaded["id"]] and published.payload["text"] == "Tulips are in"
