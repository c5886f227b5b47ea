"""What the web UI says for input the API refuses, in Chromium: an address that cannot start a team (without
saying whether it has an account), text the database cannot store, and the plan, which only the operator sets."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from socialhub.models import Role
from tests.factories import make_tenant, make_user, random_email

PASSWORD = "correct horse battery"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def shot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"hardening-{name}.png"), full_page=True)


def fill_sign_up(page: Page, *, email: str) -> None:
    page.get_by_label("Team name").fill("Harbour Bakery")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)


def test_sign_up_with_a_taken_address_or_broken_text(app_url: str, browser: Browser, artifacts: Path) -> None:
    taken = make_user(make_tenant(name="Existing team"), role=Role.OWNER, password=PASSWORD).email
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = browser.new_context(viewport=viewport, is_mobile=size == "phone").new_page()
        page.goto(f"{app_url}/register")
        fill_sign_up(page, email=taken)
        page.get_by_role("button", name="Create team").click()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("A new team cannot be created with this email address.")
        expect(alert).not_to_contain_text(taken)
        sign_in = page.get_by_role("button", name="Sign in instead")
        expect(sign_in).to_be_visible()
        shot(page, artifacts, f"1-sign-up-refused-{size}")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        sign_in.click()
        expect(page).to_have_url(re.compile(r"/login$"))

    # A NUL in the team name (pasted from a broken file). A form cannot send half a character: the browser's
    # FormData turns a lone surrogate into U+FFFD before it leaves; a NUL it keeps.
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(f"{app_url}/register")
    fill_sign_up(page, email=random_email())
    page.get_by_label("Team name").evaluate("input => { input.value = 'Harbour\\u0000Bakery'; }")
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_role("alert")).to_contain_text("The team name contains a NUL character")
    expect(page).to_have_url(re.compile(r"/register/?$"))
    shot(page, artifacts, "2-sign-up-broken-character")


def test_the_plan_is_read_only_and_says_who_sets_it(app_url: str, browser: Browser, artifacts: Path) -> None:
    tenant = make_tenant(name="Dockside Coffee")
    owner = make_user(tenant, role=Role.OWNER, password=PASSWORD)
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = browser.new_context(viewport=viewport, is_mobile=size == "phone").new_page()
        page.goto(f"{app_url}/login?next=/settings")
        page.get_by_label("Email").fill(owner.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/settings$"))
        expect(page.locator("#plan-tier")).to_have_text("free")
        expect(page.get_by_text("Chosen by the operator of this installation")).to_be_visible()
        expect(page.get_by_role("combobox")).to_have_count(1)  # the approvals choice only; the plan is no control
        shot(page, artifacts, f"3-settings-plan-{size}")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

        # Saving the other settings keeps working, and does not touch the plan.
        page.get_by_label("Name").fill(f"Dockside Coffee {size}")
        page.get_by_role("button", name="Save settings").click()
        expect(page.get_by_text("Settings saved.")).to_be_visible()
        expect(page.locator("#plan-tier")).to_have_text("free")
