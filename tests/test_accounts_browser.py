"""Connecting a sandbox X account from the Accounts page, in Chromium, through the app's own Sandbox mode."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, expect

from socialhub.models import Role
from tests.factories import make_tenant, make_user

PASSWORD = "correct horse battery"


def test_connect_a_sandbox_x_account_and_see_it_listed(app_url: str, browser: Browser, artifacts: Path) -> None:
    tenant = make_tenant(name="Dockside Coffee")
    admin = make_user(tenant, role=Role.ADMIN, password=PASSWORD)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{app_url}/login?next=/accounts")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts$"))
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
