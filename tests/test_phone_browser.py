"""SocialHub on a phone (390×844, touch), in Chromium: approving from the dashboard in at most two taps after
signing in, the tab bar that reaches every section, and no page of the app that scrolls sideways."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, expect

from socialhub.context import Context
from socialhub.models import ApprovalState, PostStatus, PublishStatus, Role
from socialhub.security.permissions import ROLE_PERMISSIONS, Permission
from socialhub.services import posts, team
from socialhub.services.demo import DEMO_PASSWORD, seed_demo, seed_demo_activity
from tests.conftest import Sandbox
from tests.factories import connect_sandbox_account, make_tenant, make_user
from tests.test_posts_browser import work

PASSWORD = "correct horse battery"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False}
TABLET = {"viewport": {"width": 820, "height": 1180}, "is_mobile": True, "has_touch": True}  # held upright


class Taps:
    """The taps a person makes, counted: each goes through here."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, target: Locator) -> None:
        target.tap()
        self.count += 1


def sign_in(browser: Browser, app_url: str, email: str, password: str = PASSWORD, **context: object) -> Page:
    """A fresh browser signed in from the sign-in page: it lands on the dashboard."""
    options = {**PHONE, **context}
    page = browser.new_context(**options).new_page()  # type: ignore[arg-type]
    page.goto(f"{app_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    button = page.get_by_role("button", name="Sign in")
    button.tap() if options["has_touch"] else button.click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    return page


def submit(ctx: Context, account_id: uuid.UUID, content: str, title: str | None = None) -> uuid.UUID:
    """A contributor's post sent for approval through the services (as the composer does)."""
    draft = posts.create_post(ctx, content=content, title=title, targets=[posts.TargetSpec(account_id)])
    assert posts.schedule_post(ctx, draft.post.id).post.status is PostStatus.PENDING_APPROVAL
    return draft.post.id


def test_a_contributor_submits_and_an_editor_approves_from_the_dashboard_in_two_taps(
    app_url: str, browser: Browser, sandboxed: Sandbox, artifacts: Path
) -> None:
    tenant = make_tenant(name="Tidewater Bikes", timezone="Europe/Berlin")
    contributor = make_user(tenant, role=Role.CONTRIBUTOR, password=PASSWORD)
    editor = make_user(tenant, role=Role.EDITOR, password=PASSWORD)
    admin = make_user(tenant, role=Role.ADMIN, password=None)
    admin_ctx = Context(tenant_id=tenant.id, user_id=admin.id, role=Role.ADMIN)
    author = Context(tenant_id=tenant.id, user_id=contributor.id, role=Role.CONTRIBUTOR)
    account = connect_sandbox_account(admin_ctx, "x")

    # The contributor, on a phone, writes a post from the tab bar and submits it.
    writer = sign_in(browser, app_url, contributor.email)
    expect(writer.locator("#awaiting")).to_have_count(0)  # a contributor approves nothing
    writer.locator("#phone-nav").get_by_role("link", name="New post").tap()
    expect(writer).to_have_url(re.compile(r"/compose$"))
    writer.locator(".account-choice[data-platform=x]").tap()
    writer.locator("#content").fill("Spring tune-ups: book a slot this week")
    expect(writer.locator("#send")).to_have_text("Submit for approval")
    writer.locator("#send").tap()
    expect(writer).to_have_url(re.compile(r"/posts/[0-9a-f-]{36}/?$"))
    post_id = uuid.UUID(writer.url.rstrip("/").rsplit("/", 1)[1])

    # Back on the dashboard, the contributor sees it waiting.
    writer.locator("#phone-nav").get_by_role("link", name="Dashboard").tap()
    mine = writer.locator(f"#my-submissions .submission-item[data-post='{post_id}']")
    expect(mine).to_contain_text("Waiting for approval")
    expect(mine).to_contain_text("Spring tune-ups")

    # The editor signs in on a phone: the dashboard lists it, with who wrote it, where it goes and when.
    approver = sign_in(browser, app_url, editor.email)
    taps = Taps()
    item = approver.locator(f"#awaiting .approval-item[data-post='{post_id}']")
    expect(item).to_contain_text("Spring tune-ups: book a slot this week")
    expect(item).to_contain_text(contributor.email)  # the author (no full name: the address)
    expect(item).to_contain_text("X")
    expect(item).to_contain_text("As soon as it is approved")
    expect(item.get_by_role("button", name="Approve")).to_be_in_viewport()  # no scrolling to find it
    approver.screenshot(path=str(artifacts / "phone-dashboard-approver.png"))

    # One tap approves it.
    taps(item.get_by_role("button", name="Approve"))
    expect(approver.get_by_text("Approved: it is on its way.")).to_be_visible()
    expect(item).to_have_count(0)
    assert taps.count <= 2, f"approving took {taps.count} taps after signing in"
    approved = posts.get_post(author, post_id).post
    assert (approved.status, approved.approval_state) == (PostStatus.SCHEDULED, ApprovalState.APPROVED)
    assert work(tenant.id, post_id) == [PublishStatus.PUBLISHED]
    # The contributor's open dashboard lets go of it without a reload: it is no longer in review.
    expect(mine).to_have_count(0, timeout=20_000)

    # Live: a post submitted while the editor looks appears on their dashboard without a reload …
    second = submit(author, account.id, "Late opening on Thursday until 20:00", title="Thursday hours")
    later = approver.locator(f"#awaiting .approval-item[data-post='{second}']")
    expect(later).to_contain_text("Thursday hours", timeout=20_000)

    # … and when the editor sends it back, the contributor's open dashboard shows why, live.
    expect(writer.locator(f".submission-item[data-post='{second}']")).to_contain_text(
        "Waiting for approval", timeout=20_000
    )
    later.get_by_role("link", name="Open").tap()
    expect(approver).to_have_url(re.compile(rf"/posts/{second}/?$"))
    reviewer = Context(tenant_id=tenant.id, user_id=editor.id, role=Role.EDITOR)
    posts.reject_post(reviewer, second, "Say which shop: only Harbour Street opens late.")
    sent_back = writer.locator(f".submission-item[data-post='{second}']")
    expect(sent_back).to_contain_text("Sent back", timeout=20_000)
    expect(sent_back.locator(".rejection")).to_contain_text("Say which shop: only Harbour Street opens late.")
    expect(sent_back.locator(".rejection")).to_contain_text(editor.email)
    expect(sent_back.get_by_role("link", name="Edit and resubmit")).to_have_attribute(
        "href", re.compile(rf"/compose\?post={second}$")
    )
    writer.screenshot(path=str(artifacts / "phone-dashboard-contributor.png"), full_page=True)

    # The same dashboard on a desktop: the editor's queue is empty again, the contributor's note is there.
    desk = sign_in(browser, app_url, contributor.email, **DESKTOP)
    expect(desk.locator("#phone-nav")).to_be_hidden()
    expect(desk.locator(f".submission-item[data-post='{second}'] .rejection")).to_contain_text("Harbour Street")
    desk.screenshot(path=str(artifacts / "desktop-dashboard-contributor.png"), full_page=True)
    desk = sign_in(browser, app_url, editor.email, **DESKTOP)
    expect(desk.locator("#awaiting")).to_contain_text("Nothing waits for you")
    desk.screenshot(path=str(artifacts / "desktop-dashboard-approver.png"), full_page=True)


def test_the_tab_bar_reaches_every_section_on_a_phone(app_url: str, browser: Browser, artifacts: Path) -> None:
    tenant = make_tenant(name="Saltmarsh Deli")
    owner = make_user(tenant, role=Role.OWNER, password=PASSWORD)
    page = sign_in(browser, app_url, owner.email)
    nav = page.locator("#phone-nav")
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
    for label, path in (("Posts", "/posts"), ("Calendar", "/calendar"), ("New post", "/compose")):
        nav.get_by_role("link", name=label).tap()
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        expect(nav.get_by_role("link", name=label)).to_have_attribute("aria-current", "page")
    for label, path in (("Accounts", "/accounts"), ("Team", "/team"), ("Settings", "/settings")):
        nav.get_by_role("button", name="More sections").tap()
        page.get_by_role("menuitem", name=label).tap()
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        expect(page.get_by_role("heading", name=label)).to_be_visible()
    page.screenshot(path=str(artifacts / "phone-tab-bar-settings.png"))

    # The user menu still works on a phone, and the bar stays out of the way of a desktop.
    page.locator("#user-menu").tap()
    page.get_by_role("menuitem", name="Team").tap()
    expect(page).to_have_url(re.compile(r"/team$"))
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(nav).to_be_hidden()


# --- no page scrolls sideways -----------------------------------------------------------------------------

# Where a part of a page sticks out past the right edge: the page scrolls, or (inside a box that scrolls on its
# own) a control sits out of sight, as the team table's actions once did.
OVERFLOW = """() => {
  const root = document.scrollingElement, width = root.clientWidth, out = [];
  for (const el of document.querySelectorAll('button, a[href], input, select, textarea, [role=combobox], h1, p')) {
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden') continue;
    if (box.right > width + 1 || box.left < -1)
      out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${(el.innerText || el.value || '').trim()
        .slice(0, 40)}" spans ${Math.round(box.left)}..${Math.round(box.right)}`);
  }
  return {scrollWidth: root.scrollWidth, clientWidth: width, outside: out.slice(0, 8)};
}"""


def check_fits(page: Page, app_url: str, path: str, shot: Path) -> list[str]:
    """Open ``path``, wait for its content, screenshot it, and say what does not fit the width."""
    page.goto(app_url + path)
    # A signed-in page shows its heading once the session and the page's data are in (one update).
    expect(page.locator("#page h1").first).to_be_visible()
    page.wait_for_timeout(300)  # late layout (icons, fonts) settles
    page.screenshot(path=str(shot), full_page=True)
    found = page.evaluate(OVERFLOW)
    problems = []
    if found["scrollWidth"] > found["clientWidth"]:
        problems.append(f"{path}: scrolls sideways ({found['scrollWidth']} > {found['clientWidth']} px)")
    problems += [f"{path}: {item}" for item in found["outside"]]
    return problems


def demo_like_team() -> tuple[dict[Role, str], dict[str, str]]:
    """The demo team as a first run makes it (its accounts and posts made through the product against the
    sandbox), plus a post with a long unbroken link and an open invitation. Returns each role's email and the
    pages' dynamic parts."""
    domain = f"{uuid.uuid4().hex[:8]}.phone.test"
    demo = seed_demo(name="Phone Test Roasters", domain=domain)
    activity = seed_demo_activity(domain=domain)
    assert activity is not None
    owner = demo.users[Role.OWNER]
    ctx = Context(tenant_id=demo.tenant.id, user_id=owner.id, role=Role.OWNER)
    long_link = posts.create_post(
        ctx,
        content="Our new single origin is here: https://example.com/coffee/ethiopia-yirgacheffe-washed-"
        "heirloom-lot-2026-light-roast-tasting-notes-jasmine-bergamot-peach ☕",
        targets=[posts.TargetSpec(activity.accounts["x"].id)],
    ).post
    posts.schedule_post(ctx, long_link.id)
    assert work(demo.tenant.id, long_link.id) == [PublishStatus.PUBLISHED]
    invitation = team.invite(ctx, email=f"new-{uuid.uuid4().hex[:6]}@example.com", role=Role.EDITOR)
    emails = {role: user.email for role, user in demo.users.items()}
    parts = {name: str(post_id) for name, post_id in activity.posts.items()}
    return emails, {**parts, "long_link": str(long_link.id), "invite": invitation.accept_path}


def signed_in_pages(role: Role, parts: dict[str, str]) -> list[tuple[str, str]]:
    """(path, a name for its screenshot) of every signed-in page, as this role may open them."""
    pages = [
        ("/dashboard", "dashboard"),
        ("/posts", "posts"),
        *((f"/posts/{parts[name]}", f"post-{name}") for name in ("published", "refused", "pending", "long_link")),
        ("/calendar", "calendar"),
        ("/calendar?view=week", "calendar-week"),
        ("/accounts", "accounts"),
        ("/accounts/callback?error=access_denied&error_description=The+person+said+no", "accounts-callback"),
        ("/team", "team"),
        ("/settings", "settings"),
        ("/no/such/page", "not-found"),
    ]
    if Permission.POSTS_WRITE in ROLE_PERMISSIONS[role]:
        pages += [("/compose", "compose"), (f"/compose?post={parts['draft']}", "compose-draft")]
    return pages


def test_no_page_scrolls_sideways_on_a_phone(
    app_url: str, browser: Browser, sandboxed: Sandbox, artifacts: Path
) -> None:
    emails, parts = demo_like_team()
    problems: list[str] = []
    shots = artifacts / "phone-pages"
    shots.mkdir(exist_ok=True)

    # Signed out: the public pages.
    visitor = browser.new_context(**PHONE).new_page()  # type: ignore[arg-type]
    public = [("/", "home"), ("/login", "login"), ("/register", "register"), (parts["invite"], "invite")]
    for path, name in [*public, ("/no/such/page", "not-found")]:
        problems += check_fits(visitor, app_url, path, shots / f"phone-visitor-{name}.png")

    # Signed in as each of the demo team's roles: every page of the app.
    for role, email in emails.items():
        page = sign_in(browser, app_url, email, DEMO_PASSWORD)
        for path, name in signed_in_pages(role, parts):
            shot = shots / f"phone-{role.value}-{name}.png"
            problems += [f"{role.value} {p}" for p in check_fits(page, app_url, path, shot)]
        page.context.close()

    # The same pages on a desktop and on an upright tablet, for the owner (between the phone and the desktop
    # layouts: the widths where a bar of six links once pushed the page sideways).
    for device, options in (("desktop", DESKTOP), ("tablet", TABLET)):
        page = sign_in(browser, app_url, emails[Role.OWNER], DEMO_PASSWORD, **options)
        for path, name in signed_in_pages(Role.OWNER, parts):
            shot = shots / f"{device}-owner-{name}.png"
            problems += [f"{device} {p}" for p in check_fits(page, app_url, path, shot)]
        page.context.close()

    assert not problems, "\n".join(problems)


# --- the 404 page and the account chooser (item 14) ----------------------------------------------------------


def test_an_unknown_address_says_so_and_leads_back(app_url: str, browser: Browser, artifacts: Path) -> None:
    visitor = browser.new_context(**PHONE).new_page()  # type: ignore[arg-type]
    response = visitor.goto(f"{app_url}/no/such/page")
    assert response is not None and response.status == 404
    expect(visitor.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(visitor).to_have_title("Page not found · SocialHub")
    visitor.screenshot(path=str(artifacts / "phone-404.png"))
    visitor.locator("#back-dashboard").tap()
    expect(visitor).to_have_url(re.compile(r"/login\?next=/dashboard$"))  # signed out: sign in first

    tenant = make_tenant(name="Breakwater Books")
    owner = make_user(tenant, role=Role.OWNER, password=PASSWORD)
    member = sign_in(browser, app_url, owner.email, **DESKTOP)
    member.goto(f"{app_url}/posts/not-a-post/extra")
    expect(member.get_by_role("heading", name="Page not found")).to_be_visible()
    member.screenshot(path=str(artifacts / "desktop-404.png"))
    member.locator("#back-dashboard").click()
    expect(member).to_have_url(re.compile(r"/dashboard$"))
    member.goto(f"{app_url}/no-such-page")
    member.locator("#back-home").click()
    expect(member).to_have_url(re.compile(r"/$"))
