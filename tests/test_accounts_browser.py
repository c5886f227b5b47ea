"""Connecting sandbox accounts from the Accounts page, in Chromium, through the app's own Sandbox mode: an X
account, Facebook Pages picked from the several one sign-in offers, and a connection the person refused."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from socialhub.models import Role
from tests.conftest import Sandbox
from tests.factories import make_tenant, make_user

PASSWORD = "correct horse battery"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def admin_on_accounts(browser: Browser, app_url: str, team_name: str, **context: object) -> Page:
    """A new team's admin, signed in, on the Accounts page."""
    admin = make_user(make_tenant(name=team_name), role=Role.ADMIN, password=PASSWORD)
    page = browser.new_context(**(context or DESKTOP)).new_page()  # type: ignore[arg-type]
    page.goto(f"{app_url}/login?next=/accounts")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Accounts")).to_be_visible()  # signed in (the URL alone: not yet)
    return page


def test_connect_a_sandbox_x_account_and_see_it_listed(app_url: str, browser: Browser, artifacts: Path) -> None:
    page = admin_on_accounts(browser, app_url, "Dockside Coffee")
    expect(page.locator("#accounts")).to_contain_text("No accounts connected yet")

    # Through the platform's consent page (the sandbox approves at once) and back to the callback.
    page.locator("#connect-x").click()
    expect(page).to_have_url(re.compile(r"/accounts$"), timeout=20_000)
    cards = page.locator(".account-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("X")
    expect(cards.first).to_contain_text("connected")
    page.screenshot(path=str(artifacts / "accounts-connected.png"), full_page=True)

    # A reload keeps it; the page never shows a token.
    page.reload()
    expect(page.locator(".account-card")).to_have_count(1)
    assert "-at-" not in page.content() and "-rt-" not in page.content()

    # Disconnecting removes it from the list.
    page.get_by_role("button", name="Disconnect").click()
    expect(page.locator("#accounts")).to_contain_text("No accounts connected yet")


def test_the_page_chooser_after_facebook_says_what_it_waits_for(
    app_url: str, browser: Browser, sandboxed: Sandbox, artifacts: Path
) -> None:
    """Facebook hands back several Pages: the callback page asks which, in its heading and its title."""
    page = admin_on_accounts(browser, app_url, "Marina Ices", **PHONE)

    page.locator("#connect-facebook").tap()
    expect(page).to_have_url(re.compile(r"/accounts/callback/?\?"), timeout=20_000)
    expect(page.get_by_role("heading", name="Choose the Pages to connect")).to_be_visible()
    expect(page).to_have_title("Choose the Pages to connect · SocialHub")
    expect(page.get_by_text("Connecting")).to_have_count(0)
    scroll_width, client_width = page.evaluate(
        "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )
    assert scroll_width <= client_width
    page.screenshot(path=str(artifacts / "phone-accounts-choose-pages.png"), full_page=True)

    expect(page.locator(".candidate")).to_have_count(4)  # the sandbox login manages four Pages
    page.get_by_role("checkbox", name="Sandbox Books").tap()
    page.get_by_role("button", name="Connect selected").tap()
    expect(page).to_have_url(re.compile(r"/accounts$"), timeout=20_000)
    expect(page.locator(".account-card")).to_have_count(1)
    expect(page.locator(".account-card")).to_contain_text("Facebook")
    expect(page.locator(".account-card")).to_contain_text("Sandbox Books")
    page.screenshot(path=str(artifacts / "phone-accounts-connected.png"), full_page=True)


def test_a_refused_connection_says_so_and_leads_back(app_url: str, browser: Browser) -> None:
    page = admin_on_accounts(browser, app_url, "Pebble Beach Kites")
    page.goto(f"{app_url}/accounts/callback?error=access_denied&error_description=Not+today")
    expect(page.get_by_role("heading", name="The connection did not finish")).to_be_visible()
    expect(page).to_have_title("The connection did not finish · SocialHub")
    expect(page.get_by_role("alert")).to_contain_text("Not today")
    page.get_by_role("link", name="Back to accounts").click()
    expect(page).to_have_url(re.compile(r"/accounts$"))
