"""The app as a person meets it: the API answers and the home page renders in Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from playwright.sync_api import Browser, expect

from socialhub.services.system import schema_head


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


def test_home_page_renders_with_live_status(app_url: str, browser: Browser, artifacts: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(app_url)

    expect(page.get_by_role("heading", name="Write once. Publish everywhere.")).to_be_visible()
    status = page.locator("#system-status")
    expect(status).to_contain_text("PostgreSQL", timeout=20_000)
    expect(status).to_contain_text(f"at revision {schema_head()}")
    expect(status).to_contain_text("Sandbox")
    for platform in ("Instagram", "LinkedIn", "TikTok", "YouTube", "Reddit"):
        expect(page.get_by_text(platform, exact=True)).to_be_visible()
    page.screenshot(path=str(artifacts / "home.png"), full_page=True)

    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.goto(app_url)
    expect(phone.locator("#system-status")).to_contain_text("PostgreSQL", timeout=20_000)
    phone.screenshot(path=str(artifacts / "home-phone.png"), full_page=True)
    assert problems == []


def test_the_running_app_writes_a_json_access_line_per_api_request(app_url: str, artifacts: Path) -> None:
    request_id = "access-log-check-1"
    httpx.get(f"{app_url}/api/v1/health", headers={"X-Request-ID": request_id})
    lines = [
        json.loads(line)
        for line in (artifacts / "web-app.log").read_text().splitlines()
        if line.startswith("{") and request_id in line
    ]
    assert lines and lines[0]["route"] == "/health" and lines[0]["status"] == 200
