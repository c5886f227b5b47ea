"""The app as a person meets it: the API answers, and the home page renders in Chromium: a landing page for
everyone, with what the installation runs on for the team's owners and admins only."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from socialhub.models import Role
from socialhub.services.system import schema_head
from tests.factories import make_tenant, make_user

PASSWORD = "correct horse battery"


def test_health_answers(app_url: str) -> None:
    response = httpx.get(f"{app_url}/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_ready_reports_database_and_schema(app_url: str) -> None:
    body = httpx.get(f"{app_url}/api/v1/ready").json()
    assert body["status"] == "ready"
    assert body["database_ok"] and body["schema_current"] and body["queue_ok"]
    assert body["database"].startswith("PostgreSQL")


def test_openapi_document_is_served(app_url: str) -> None:
    spec = httpx.get(f"{app_url}/api/v1/openapi.json").json()
    assert {"/health", "/ready", "/auth/login"} <= set(spec["paths"])
    assert spec["servers"] == [{"url": "/api/v1"}]  # paths are relative to the API's mount point


def test_home_page_is_a_landing_page_that_shows_no_installation_internals(
    app_url: str, browser: Browser, artifacts: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    problems: list[str] = []
    received: list[str] = []  # everything the server sends the page over the websocket (state included)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: received.append(str(frame))))
    page.goto(app_url)

    expect(page.get_by_role("heading", name="Write once. Publish everywhere.")).to_be_visible()
    expect(page.get_by_role("link", name="Create a team").last).to_be_visible()
    expect(page.get_by_text("Publish exactly once")).to_be_visible()
    for platform in ("Instagram", "LinkedIn", "TikTok", "YouTube", "Reddit"):
        expect(page.get_by_text(platform, exact=True)).to_be_visible()
    expect(page.locator("#installation[data-checked=yes]")).to_have_count(1)  # its load came back, saying nothing
    page.screenshot(path=str(artifacts / "home.png"), full_page=True)
    expect(page.locator("#system-status")).to_have_count(0)
    seen = page.content() + "".join(received)
    for internal in ("PostgreSQL", schema_head(), "SQLite", "Redis"):
        assert internal not in seen

    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.goto(app_url)
    expect(phone.get_by_text("Publish exactly once")).to_be_visible()
    phone.screenshot(path=str(artifacts / "home-phone.png"), full_page=True)
    assert problems == []


@pytest.mark.parametrize(("role", "sees_it"), [(Role.OWNER, True), (Role.ADMIN, True), (Role.EDITOR, False)])
def test_only_owners_and_admins_see_what_the_installation_runs_on(
    app_url: str, browser: Browser, artifacts: Path, role: Role, sees_it: bool
) -> None:
    tenant = make_tenant(name="Installation Check")
    user = make_user(tenant, role=role, password=PASSWORD)
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    page.goto(f"{app_url}/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    page.wait_for_function("document.cookie.includes('sh_session=')")  # written by the page: then a new load has it
    page.goto(app_url)
    expect(page.get_by_role("link", name="Open your dashboard")).to_be_visible()
    status = page.locator("#system-status")
    if sees_it:
        expect(status).to_contain_text("PostgreSQL", timeout=20_000)
        expect(status).to_contain_text(f"at revision {schema_head()}")
        expect(status).to_contain_text("Sandbox")
        page.screenshot(path=str(artifacts / f"home-{role.value}.png"), full_page=True)
    else:
        expect(page.locator("#installation[data-checked=yes]")).to_have_count(1)
        expect(status).to_have_count(0)
        assert "PostgreSQL" not in page.content()


def test_the_running_app_writes_a_json_access_line_per_api_request(app_url: str, artifacts: Path) -> None:
    request_id = "access-log-check-1"
    httpx.get(f"{app_url}/api/v1/health", headers={"X-Request-ID": request_id})
    lines = [
        json.loads(line)
        for line in (artifacts / "web-app.log").read_text().splitlines()
        if line.startswith("{") and request_id in line
    ]
    assert lines and lines[0]["route"] == "/health" and lines[0]["status"] == 200
