"""The calendar in Chromium: posts on the right days, dragged to another day (month) and another hour (week)
keeping their time of day or minutes, a published post that stays put, and the phone's compact month with
its "Move to…" form."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, Locator, Page, expect
from sqlmodel import select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import Platform, Post, PostPlatform, PostStatus, PublishStatus, Role, SocialAccount, User
from socialhub.services import posts
from socialhub.services.posts import TargetSpec
from socialhub.ui.calendar_grid import View, period_title
from tests.factories import make_account, make_post, make_tenant, make_user

PASSWORD = "correct horse battery"
BERLIN = ZoneInfo("Europe/Berlin")


def ctx_of(user: User) -> Context:
    return Context(user.tenant_id, user.id, user.role)


def schedule(user: User, accounts: list[SocialAccount], local: datetime, content: str) -> uuid.UUID:
    """A post scheduled (through the services) at a wall-clock time in Berlin."""
    ctx = ctx_of(user)
    post_id = posts.create_post(ctx, content=content, targets=[TargetSpec(a.id) for a in accounts]).post.id
    posts.schedule_post(ctx, post_id, at=local, timezone="Europe/Berlin")
    return post_id


def local_time(user: User, post_id: uuid.UUID) -> datetime:
    at = posts.get_post(ctx_of(user), post_id).post.scheduled_at
    assert at is not None
    return at.astimezone(BERLIN).replace(tzinfo=None)


def sign_in(page: Page, app_url: str, user: User) -> None:
    page.goto(f"{app_url}/login?next=/calendar")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/calendar$"))
    expect(page.locator("#calendar-zone")).to_contain_text("Europe/Berlin")  # signed in for good: the page loaded


def chip(page: Page, scope: str, slot: str, post_id: uuid.UUID) -> Locator:
    return page.locator(f"{scope} [data-slot='{slot}'] .cal-chip[data-post-id='{post_id}']")


def test_month_and_week_views_drag_to_reschedule_and_the_phone_view(
    app_url: str, browser: Browser, artifacts: Path
) -> None:
    tenant = make_tenant(name="Harbour Bakery", timezone="Europe/Berlin")
    editor = make_user(tenant, role=Role.EDITOR, password=PASSWORD)
    x, linkedin = make_account(tenant, platform=Platform.X), make_account(tenant, platform=Platform.LINKEDIN)

    # A month wholly in the future, so every move below is allowed by time.
    first = (datetime.now(BERLIN).date() + timedelta(days=40)).replace(day=1)

    def on(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(first.year, first.month, day, hour, minute)

    menu = schedule(editor, [x, linkedin], on(5, 9, 30), "Spring menu is here: wild garlic, asparagus and rhubarb")
    counter = schedule(editor, [x], on(5, 14), "Behind the counter with our new baker")
    schedule(editor, [linkedin], on(12, 18, 15), "We are hiring: a weekend barista")
    busy = [schedule(editor, [x], on(20, 8 + i), f"Market day update {i + 1}") for i in range(5)]
    draft = schedule(editor, [x], on(8, 11), "Draft: holiday opening hours")
    posts.unschedule_post(ctx_of(editor), draft)
    published = make_post(
        tenant,
        editor,
        targets=[x],
        content="Thank you for a wonderful opening weekend!",
        status=PostStatus.PUBLISHED,
        scheduled_at=on(3, 10).replace(tzinfo=BERLIN),
        published_at=on(3, 10, 2).replace(tzinfo=BERLIN),
    )
    make_post(
        tenant,
        editor,
        targets=[x],
        content="Loyalty card launch",
        status=PostStatus.FAILED,
        scheduled_at=on(14, 12).replace(tzinfo=BERLIN),
    )

    stale = schedule(editor, [x], on(12, 10), "Opening hours over the holidays")

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, app_url, editor)
    today = datetime.now(BERLIN).date().isoformat()  # /calendar opens on this month, today marked
    expect(page.locator("#month-grid [data-today='true']")).to_have_attribute("data-slot", today)

    # --- the month: posts on their days, many posts as "+N more" ----------------------------------------
    page.goto(f"{app_url}/calendar?view=month&date={first.isoformat()}")
    expect(page.locator("#period-title")).to_have_text(f"{first:%B %Y}")
    grid = "#month-grid"

    def day(n: int) -> str:
        return date(first.year, first.month, n).isoformat()

    expect(chip(page, grid, day(5), menu)).to_contain_text("09:30")
    expect(chip(page, grid, day(5), menu)).to_contain_text("Spring menu")
    expect(page.locator(f"{grid} [data-slot='{day(5)}'] .cal-chip")).to_have_count(2)
    expect(page.locator(f"{grid} [data-slot='{day(20)}'] .cal-chip")).to_have_count(2)
    expect(page.locator(f"{grid} [data-slot='{day(20)}']")).to_contain_text("+3 more")
    expect(chip(page, grid, day(8), draft)).to_have_attribute("data-status", "draft")
    expect(chip(page, grid, day(3), published.id)).to_have_attribute("draggable", "false")
    expect(chip(page, grid, day(5), menu)).to_have_attribute("draggable", "true")
    expect(chip(page, grid, day(5), menu).locator("a")).to_have_attribute("href", f"/posts/{menu}")
    assert busy[0] != busy[1]

    # Drag to another day: same time of day.
    chip(page, grid, day(5), menu).drag_to(page.locator(f"{grid} [data-slot='{day(7)}']"))
    moved_to = date(first.year, first.month, 7)
    expect(page.get_by_text(f"Rescheduled to {moved_to:%a} 7 {moved_to:%b}, 09:30")).to_be_visible()
    expect(chip(page, grid, day(7), menu)).to_be_visible()
    expect(chip(page, grid, day(5), menu)).to_have_count(0)
    assert local_time(editor, menu) == on(7, 9, 30)

    # A published post does not move, whatever the pointer does.
    chip(page, grid, day(3), published.id).drag_to(page.locator(f"{grid} [data-slot='{day(4)}']"))
    page.wait_for_timeout(500)
    expect(chip(page, grid, day(3), published.id)).to_be_visible()
    assert posts.get_post(ctx_of(editor), published.id).post.published_at == on(3, 10, 2).replace(tzinfo=BERLIN)
    # A post whose publishing started after the page was drawn: the service refuses, the chip stays.
    with tenant_session(Context.system(tenant.id)) as session:
        for row in session.exec(select(PostPlatform).where(PostPlatform.post_id == stale)).all():
            row.status = PublishStatus.PUBLISHING
        session.commit()
    chip(page, grid, day(12), stale).drag_to(page.locator(f"{grid} [data-slot='{day(13)}']"))
    expect(page.get_by_text("Publishing has already started for this post")).to_be_visible()
    expect(chip(page, grid, day(12), stale)).to_have_attribute("draggable", "false")
    assert local_time(editor, stale) == on(12, 10)

    # "+3 more" opens the whole day.
    page.locator(f"{grid} [data-slot='{day(20)}'] .cal-more").click()
    expect(page.get_by_role("dialog").locator(".cal-chip")).to_have_count(5)
    page.keyboard.press("Escape")  # the focused chip's tooltip first, then the popover
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)

    # A worker publishes a post while the page is open: its chip turns "published" without a reload.
    with tenant_session(Context.system(tenant.id)) as session:
        post = session.get(Post, counter)
        assert post is not None
        post.status, post.published_at = PostStatus.PUBLISHED, on(5, 14, 1).replace(tzinfo=BERLIN)
        session.add(post)
        session.commit()
    expect(chip(page, grid, day(5), counter)).to_have_attribute("data-status", "published", timeout=15_000)
    expect(chip(page, grid, day(5), counter)).to_have_attribute("draggable", "false")
    page.mouse.move(0, 0)
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "calendar-month.png"), full_page=True)

    # --- the week: switch, then drag to another day and hour (same minutes) ------------------------------
    page.locator("#view-switch").get_by_role("radio", name="Week").click()
    expect(page).to_have_url(re.compile(r"view=week"))
    expect(page.locator("#week-grid")).to_be_visible()
    page.goto(f"{app_url}/calendar?view=week&date={day(7)}")
    title = page.locator("#period-title")
    expect(title).to_have_text(period_title(View.WEEK, date.fromisoformat(day(7))))
    page.get_by_role("button", name="Next").click()
    expect(page).to_have_url(re.compile(rf"date={day(14)}"))
    expect(title).to_have_text(period_title(View.WEEK, date.fromisoformat(day(14))))
    page.get_by_role("button", name="Previous").click()
    expect(title).to_have_text(period_title(View.WEEK, date.fromisoformat(day(7))))
    grid = "#week-grid"
    source = chip(page, grid, f"{day(7)}T09", menu)
    expect(source).to_be_visible()
    source.drag_to(page.locator(f"{grid} [data-slot='{day(8)}T13']"))
    moved_to = date(first.year, first.month, 8)
    expect(page.get_by_text(f"Rescheduled to {moved_to:%a} 8 {moved_to:%b}, 13:30")).to_be_visible()
    expect(chip(page, grid, f"{day(8)}T13", menu)).to_be_visible()
    assert local_time(editor, menu) == on(8, 13, 30)
    page.mouse.move(0, 0)
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "calendar-week.png"), full_page=True)

    # The week the clocks go forward: its skipped hour takes no drops.
    page.goto(f"{app_url}/calendar?view=week&date=2027-03-28")
    expect(page.locator("#period-title")).to_have_text("22–28 Mar 2027")
    expect(page.locator("#week-grid .cal-skipped")).to_have_count(1)
    expect(page.locator("#week-grid [data-slot='2027-03-28T02']")).to_have_count(0)
    expect(page.locator("#week-grid [data-slot='2027-03-28T03']")).to_have_count(1)
    page.locator("#week-scroll").evaluate("box => box.scrollTop = 0")
    page.screenshot(path=str(artifacts / "calendar-week-dst.png"))
    page.goto(f"{app_url}/calendar?view=week&date={day(7)}")

    # An empty slot is an invitation to write a post for that day.
    page.locator(f"{grid} [data-slot='{day(6)}T10']").click()
    expect(page).to_have_url(re.compile(rf"/compose\?day={day(6)}$"))

    # --- a phone: the compact month, a tap lists the day, "Move to…" instead of a drag ------------------
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    sign_in(phone, app_url, editor)
    phone.goto(f"{app_url}/calendar?view=month&date={first.isoformat()}")
    expect(phone.locator("#month-compact")).to_be_visible()
    expect(phone.locator("#month-grid")).to_be_hidden()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.locator(f"#month-compact button[aria-label^='{moved_to:%a} 8 {moved_to:%b}']").click()
    panel = phone.locator("#day-panel")
    expect(panel).to_contain_text("Spring menu")
    expect(panel).to_contain_text("13:30")
    phone.screenshot(path=str(artifacts / "calendar-phone.png"), full_page=True)
    panel.locator(f".cal-chip[data-post-id='{menu}']").get_by_role("button", name="Move to…").click()
    phone.locator("input[name='at']").fill(f"{day(10)}T16:45")
    phone.get_by_role("button", name="Move", exact=True).click()
    expect(phone.get_by_text(re.compile(r"Rescheduled to .* 10 .*, 16:45"))).to_be_visible()
    assert local_time(editor, menu) == on(10, 16, 45)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # A week across two years has the longest title; the week is a list of days on a phone.
    phone.goto(f"{app_url}/calendar?view=week&date=2026-12-31")
    expect(phone.locator("#period-title")).to_have_text("28 Dec 2026 – 3 Jan 2027")
    expect(phone.locator("#week-agenda")).to_be_visible()
    expect(phone.locator("#week-grid")).to_be_hidden()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path=str(artifacts / "calendar-phone-week.png"), full_page=True)
