"""LinkedIn mentions in Chromium: the composer renders the Mentions option field, checks it against the text as
you type, and what is published carries the chosen mention while typed syntax stays text."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from playwright.sync_api import Browser, expect

from socialhub.context import Context
from socialhub.models import PublishStatus, Role, Tenant
from socialhub.services import account_connect
from tests.conftest import Sandbox
from tests.factories import SANDBOX_CALLBACK, consent, make_tenant, make_user
from tests.test_posts_browser import PASSWORD, sign_in, work

PAGE = "urn:li:organization:2414183"


def connect_linkedin_member(tenant: Tenant) -> None:
    """LinkedIn offers the member and their pages; the admin picks the member."""
    admin = make_user(tenant, role=Role.ADMIN, password=None)
    ctx = Context(tenant_id=tenant.id, user_id=admin.id, role=Role.ADMIN)
    url, _ = account_connect.start_connect(ctx, "linkedin", redirect_uri=SANDBOX_CALLBACK)
    code, state = consent(url)
    result = account_connect.complete_connect(ctx, state=state, code=code, redirect_uri=SANDBOX_CALLBACK)
    member = next(c for c in result.candidates if c.id.startswith("urn:li:person:"))
    assert result.state is not None
    account_connect.select_accounts(ctx, state=result.state, account_ids=[member.id])


def test_mentions_are_chosen_in_their_field_and_checked_against_the_text(
    app_url: str, browser: Browser, sandboxed: Sandbox, artifacts: Path
) -> None:
    tenant = make_tenant(name="Sandbox Bakery")
    editor = make_user(tenant, role=Role.EDITOR, password=PASSWORD)
    connect_linkedin_member(tenant)

    page = sign_in(browser, app_url, editor.email, "/compose")
    page.locator(".account-choice[data-platform=linkedin]").first.click()
    text = "Fresh from Sandbox Bakery for #launch day. Issue #42, C# and @[Acme](urn:li:organization:1) stay text."
    page.locator("#content").fill(text)
    page.get_by_role("tab", name=re.compile("LinkedIn")).click()

    mentions = page.locator("input[name='linkedin-mentions']")
    expect(mentions).to_be_visible()
    problems = page.locator(".target-problems")
    mentions.fill(f"Sandbox Bakery = {PAGE}; Globex = urn:li:organization:5")
    expect(problems).to_contain_text("“Globex” is chosen as a LinkedIn mention but the text does not contain it")
    page.screenshot(path=str(artifacts / "composer-linkedin-mentions.png"), full_page=True)
    mentions.fill(f"Sandbox Bakery = {PAGE}")
    expect(problems).to_have_count(0)

    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts / "composer-linkedin-mentions-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 1000})

    page.locator("#send").click()
    expect(page).to_have_url(re.compile(r"/posts/[0-9a-f-]{36}/?$"))
    post_id = uuid.UUID(page.url.rstrip("/").rsplit("/", 1)[1])
    assert work(tenant.id, post_id) == [PublishStatus.PUBLISHED]
    [post] = sandboxed.states["linkedin"].published
    assert post.payload["commentary"] == (
        f"Fresh from @[Sandbox Bakery]({PAGE}) for {{hashtag|\\#|launch}} day. Issue \\#42, C\\# and "
        r"\@\[Acme\]\(urn:li:organization:1\) stay text."
    )
    assert post.payload["text"] == text
