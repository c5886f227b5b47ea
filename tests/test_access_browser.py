"""Reaching the app and running it under its security headers, in Chromium.

The session's app is configured with APP_URL=http://localhost:<port>, and these tests open it at
http://127.0.0.1:<port>, as people do: the websocket must connect (it was refused as a foreign origin), and
every page the tests visit must run under the Content-Security-Policy without a single violation.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from socialhub.context import Context
from socialhub.models import Role, Tenant, User
from tests.conftest import Sandbox
from tests.factories import connect_sandbox_account, make_tenant, make_user
from tests.web import app_environment, free_port, listening_addresses, running, websocket_handshake

PASSWORD = "correct horse battery"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

# Runs before any page script: reports every CSP violation of every document the context opens.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__reportViolation(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} (${where})`);
});
"""


def watched(browser: Browser, problems: list[str], **options: object) -> BrowserContext:
    """A browser context that records CSP violations, console errors and warnings, and page errors."""
    context = browser.new_context(**options)  # type: ignore[arg-type]
    context.expose_binding("__reportViolation", lambda _source, text: problems.append(f"CSP violation: {text}"))
    context.add_init_script(REPORT_VIOLATIONS)

    def on_page(page: Page) -> None:
        page.on(
            "console",
            lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None,
        )
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    context.on("page", on_page)
    return context


def sign_in(page: Page, base: str, email: str, next_path: str = "/dashboard") -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + r"/?$"))
    page.wait_for_function("document.cookie.includes('sh_session=')")  # written by the page: then a new load has it


def loopback(app_url: str) -> str:
    return app_url.replace("://localhost:", "://127.0.0.1:")


@pytest.fixture
def team(sandboxed: Sandbox) -> Iterator[tuple[Tenant, User]]:
    tenant = make_tenant(name="Lighthouse Studio", timezone="Europe/Berlin")
    owner = make_user(tenant, role=Role.OWNER, password=PASSWORD)
    connect_sandbox_account(Context(tenant_id=tenant.id, user_id=owner.id, role=Role.OWNER), "x")
    yield tenant, owner


def test_opened_at_127_0_0_1_it_signs_in_composes_uploads_and_plans_under_its_csp(
    app_url: str, browser: Browser, team: tuple[Tenant, User], artifacts: Path, tmp_path: Path
) -> None:
    from PIL import Image

    _, owner = team
    base = loopback(app_url)
    problems: list[str] = []
    page = watched(browser, problems, **DESKTOP).new_page()

    response = page.goto(base)
    assert (
        response is not None
        and "script-src 'self' 'unsafe-eval' 'sha256-" in response.headers["content-security-policy"]
    )
    expect(page.get_by_role("heading", name="Write once. Publish everywhere.")).to_be_visible()
    page.screenshot(path=str(artifacts / "access-home-127.png"), full_page=True)

    # Signing in goes through the websocket: it works from the address typed, not only from APP_URL's.
    sign_in(page, base, owner.email)
    expect(page.get_by_text("Hello,")).to_be_visible()
    page.screenshot(path=str(artifacts / "access-dashboard-127.png"), full_page=True)

    # Compose with an upload: the thumbnail is a signed link under /api/v1/media/public, shown under img-src.
    photo = tmp_path / "lighthouse.png"
    Image.new("RGB", (320, 240), (200, 120, 40)).save(photo)
    page.goto(f"{base}/compose")
    page.locator(".account-choice[data-platform=x]").click()
    page.locator("#content").fill("Open studio on Saturday")
    page.locator("#composer-upload input[type=file]").set_input_files(str(photo))
    thumbnail = page.locator(".attached-media img")
    expect(thumbnail).to_have_count(1)
    expect(thumbnail).to_have_attribute("src", re.compile(r"^/api/v1/media/public/.+\?token="))
    page.wait_for_function("document.querySelector('.attached-media img').naturalWidth > 0")
    # A toast from the server is JavaScript Reflex evaluates: it appears only if the CSP allows that.
    page.locator("#save-draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.screenshot(path=str(artifacts / "access-composer-127.png"), full_page=True)

    for path, ready in (("/calendar", "#period-title"), ("/posts", "#posts"), ("/team", "#members")):
        page.goto(f"{base}{path}")
        expect(page.locator(ready)).to_be_visible()
    page.screenshot(path=str(artifacts / "access-posts-127.png"), full_page=True)

    phone = watched(browser, problems, **PHONE).new_page()
    sign_in(phone, base, owner.email, "/calendar")
    expect(phone.locator("#period-title")).to_be_visible()
    phone.screenshot(path=str(artifacts / "access-calendar-phone-127.png"), full_page=True)

    assert problems == []


def test_the_sandbox_consent_redirect_and_the_api_docs_work_under_the_csp(
    app_url: str, browser: Browser, sandboxed: Sandbox, artifacts: Path
) -> None:
    tenant = make_tenant(name="Harbour Kayaks")
    admin = make_user(tenant, role=Role.ADMIN, password=PASSWORD)
    problems: list[str] = []
    page = watched(browser, problems, **DESKTOP).new_page()
    # The OAuth callback is APP_URL's (the address registered with platforms), so this one runs at APP_URL.
    sign_in(page, app_url, admin.email, "/accounts")
    page.locator("#connect-x").click()
    expect(page.locator(".account-card")).to_have_count(1, timeout=20_000)
    page.screenshot(path=str(artifacts / "access-accounts-connected.png"), full_page=True)

    page.goto(f"{app_url}/api/v1/docs")
    expect(page.get_by_role("heading", name=re.compile("SocialHub API"))).to_be_visible()
    page.screenshot(path=str(artifacts / "access-api-docs.png"))
    assert problems == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/login"),
        ("GET", "/invite/some-token"),  # a dynamic route: the SPA fallback page
        ("GET", "/no-such-page"),
        ("GET", "/api/v1/health"),
        ("GET", "/api/v1/docs"),
        ("GET", "/api/v1/no-such-route"),
        ("GET", "/api/v1/media/public/x.png?token=nonsense"),
        ("POST", "/_upload"),
        ("GET", "/ping"),
    ],
)
def test_every_kind_of_response_carries_the_security_headers(app_url: str, method: str, path: str) -> None:
    response = httpx.request(method, f"{loopback(app_url)}{path}")
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in headers  # served over plain http


def test_the_websocket_accepts_the_page_s_own_origin_and_logs_a_refusal_with_what_to_set(
    app_url: str, artifacts: Path
) -> None:
    base = loopback(app_url)
    assert websocket_handshake(base, origin=base) == 101
    assert websocket_handshake(app_url, origin=app_url) == 101
    assert websocket_handshake(base, origin="https://elsewhere.example") == 403
    deadline = time.monotonic() + 10
    while "refused the web app's websocket" not in (text := (artifacts / "web-app.log").read_text()):
        assert time.monotonic() < deadline, "the refusal was not logged"
        time.sleep(0.2)
    line = next(line for line in text.splitlines() if "https://elsewhere.example" in line and "refused" in line)
    assert "set APP_URL=https://elsewhere.example" in line and "CORS_ORIGINS" in line


def test_dev_mode_from_127_0_0_1_listening_on_loopback_only(
    database: dict[str, str], browser: Browser, artifacts: Path
) -> None:
    """`python -m socialhub run --dev`: Vite serves the page, the backend (websocket) listens on port + 5000."""
    port = free_port()
    while port + 5000 > 65535 or any(not _free(p) for p in (port + 1, port + 5000)):
        port = free_port()
    tenant = make_tenant(name="Dev Mode Bakery")
    owner = make_user(tenant, role=Role.OWNER, password=PASSWORD)
    env = app_environment(
        APP_URL=None,
        SANDBOX_BASE_URL=None,
        ENVIRONMENT="development",
        REFLEX_WEB_WORKDIR=".web-dev-test",  # its own front end: the session's app serves .web/ meanwhile
    )
    cmd = [sys.executable, "-m", "socialhub", "run", "--dev", "--no-worker", "--no-demo", "--port", str(port)]
    log = artifacts / "dev-mode-run.log"
    with running(cmd, env=env, log=log, ready_path="/", port=port, timeout=420) as url:
        page = browser.new_context(**DESKTOP).new_page()  # type: ignore[arg-type]
        sign_in(page, loopback(url), owner.email)
        expect(page.get_by_text("Hello,")).to_be_visible()
        page.screenshot(path=str(artifacts / "access-dev-mode-dashboard-127.png"), full_page=True)
        # The page (Vite) and the backend (websocket, API) listen on this machine only.
        assert listening_addresses(port) == {"127.0.0.1"}
        assert listening_addresses(port + 5000) == {"127.0.0.1"}


def _free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0
