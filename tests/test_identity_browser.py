"""The identity flow as people do it, in Chromium: create a team, sign in, stay signed in across a reload,
invite a colleague, and the colleague joins and sees only what their role allows."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.factories import random_email

PASSWORD = "correct horse battery"


def shot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"identity-{name}.png"), full_page=True)


def test_register_sign_in_invite_and_join(app_url: str, browser: Browser, artifacts: Path) -> None:
    owner_email, member_email = random_email(), random_email()
    owner = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()

    # Create a team: lands on the dashboard as its owner.
    owner.goto(f"{app_url}/register")
    owner.get_by_label("Team name").fill("Harbour Bakery")
    owner.get_by_label("Your name").fill("Olive Owner")
    owner.get_by_label("Email").fill(owner_email)
    owner.get_by_label("Password").fill(PASSWORD)
    owner.get_by_label("Time zone").fill("Europe/Lisbon")
    owner.get_by_role("button", name="Create team").click()
    expect(owner).to_have_url(re.compile(r"/dashboard$"))
    expect(owner.get_by_text("Hello, Olive Owner")).to_be_visible()
    shot(owner, artifacts, "1-dashboard-owner")

    # Sign out, then sign in with a wrong and the right password.
    owner.locator("#user-menu").click()
    owner.get_by_role("menuitem", name="Sign out").click()
    expect(owner).to_have_url(re.compile(r"/login$"))
    owner.get_by_label("Email").fill(owner_email)
    owner.get_by_label("Password").fill("not the password")
    owner.get_by_role("button", name="Sign in").click()
    expect(owner.get_by_role("alert")).to_contain_text("do not match an account")
    owner.get_by_label("Password").fill(PASSWORD)
    owner.get_by_role("button", name="Sign in").click()
    expect(owner).to_have_url(re.compile(r"/dashboard$"))

    # A reload keeps the session; a protected page opened directly works too.
    owner.reload()
    expect(owner.get_by_text("Hello, Olive Owner")).to_be_visible()
    owner.goto(f"{app_url}/team")
    expect(owner.locator("#members")).to_contain_text(owner_email)

    # Invite a viewer and pick up the link.
    owner.get_by_label("Email").fill(member_email)
    owner.locator("form").get_by_role("combobox").click()
    owner.get_by_role("option", name="viewer").click()
    owner.get_by_role("button", name="Create invitation").click()
    link = owner.locator("#invite-link")
    expect(link).to_contain_text("/invite/")
    expect(owner.locator("#invitations")).to_contain_text(member_email)
    shot(owner, artifacts, "2-team-owner")
    invite_url = link.inner_text().replace("http://localhost:3000", app_url)
    invite_path = invite_url[invite_url.index("/invite/") :]

    # The colleague, in a browser of their own, joins through the link.
    member = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    member.goto(f"{app_url}{invite_path}")
    expect(member.get_by_text("Join Harbour Bakery")).to_be_visible()
    member.get_by_label("Your name").fill("Vic Viewer")
    member.get_by_label("Choose a password").fill(PASSWORD)
    member.get_by_label("Repeat it").fill(PASSWORD)
    member.get_by_role("button", name="Accept and sign in").click()
    expect(member).to_have_url(re.compile(r"/dashboard$"))
    expect(member.get_by_text("Hello, Vic Viewer")).to_be_visible()
    shot(member, artifacts, "3-dashboard-viewer-phone")

    # A viewer sees the team but cannot invite or change anyone, and cannot edit settings or the budget.
    member.goto(f"{app_url}/team")
    expect(member.locator("#members")).to_contain_text(owner_email)
    expect(member.get_by_role("button", name="Create invitation")).to_have_count(0)
    expect(member.get_by_role("button", name="Remove")).to_have_count(0)
    member.goto(f"{app_url}/settings")
    expect(member.get_by_text("Only owners and admins can change these.")).to_be_visible()
    expect(member.get_by_label("Name")).to_be_disabled()
    expect(member.locator("#budget-input")).to_have_count(0)
    shot(member, artifacts, "4-settings-viewer-phone")

    # The owner sees the new member, and the used invitation is gone.
    owner.reload()
    expect(owner.locator("#members")).to_contain_text(member_email)
    expect(owner.locator("#invitations")).to_have_count(0)

    # Signed out, a protected page sends you to sign in and back.
    stranger = browser.new_context().new_page()
    stranger.goto(f"{app_url}/settings")
    expect(stranger).to_have_url(re.compile(r"/login\?next=/settings$"))
