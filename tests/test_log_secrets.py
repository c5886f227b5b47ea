"""No credential in any log line: invitation tokens, OAuth codes and states, signed media links, sessions.

First the rules (socialhub/log.py) on every route the API has, then the flows for real: the app runs as in
production (the session's `reflex run --env prod`, whose every process writes to test-artifacts/web-app.log:
the API's access log, Reflex and granian), a browser and an API client go through an invitation, an OAuth
connection through the sandbox, an upload and its signed link, and the log is searched for each credential.
"""

from __future__ import annotations

import io
import re
import secrets
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, expect

from socialhub.api.app import create_api_v1
from socialhub.log import REDACTED, loggable_path, route_template, scrub
from socialhub.models import Role
from socialhub.services.media_storage import view_url
from tests.conftest import Sandbox
from tests.factories import make_tenant, make_user, random_email

PASSWORD = "correct horse battery"


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 90)).save(out, format="PNG")
    return out.getvalue()


def api_paths() -> dict[str, list[str]]:
    """Every route of the API with its path parameters, from its own OpenAPI document."""
    spec = create_api_v1().openapi()
    return {
        path: sorted({p["name"] for op in ops.values() for p in op.get("parameters", []) if p["in"] == "path"})
        for path, ops in spec["paths"].items()
    }


@pytest.mark.parametrize(("template", "params"), [(p, ps) for p, ps in api_paths().items() if ps])
def test_no_path_parameter_of_any_route_logs_a_secret(template: str, params: list[str]) -> None:
    secret = secrets.token_urlsafe(32)
    scope = {
        "root_path": "/api/v1",
        "route": SimpleNamespace(path=template),
        "path_params": dict.fromkeys(params, secret),
    }
    assert secret not in loggable_path(scope)


def test_ids_stay_in_the_log_and_credentials_become_placeholders() -> None:
    post_id, target_id = uuid.uuid4(), uuid.uuid4()
    retry = SimpleNamespace(path="/posts/{post_id}/targets/{target_id}/retry")
    scope = {
        "root_path": "/api/v1",
        "path": f"/api/v1/posts/{post_id}/targets/{target_id}/retry",
        "route": retry,
        "path_params": {"post_id": str(post_id), "target_id": str(target_id)},
    }
    assert loggable_path(scope) == f"/api/v1/posts/{post_id}/targets/{target_id}/retry"
    token = secrets.token_urlsafe(32)
    invite = {
        "root_path": "/api/v1",
        "path": f"/api/v1/invitations/{token}/accept",
        "route": SimpleNamespace(path="/invitations/{token}/accept"),
        "path_params": {"token": token},
    }
    assert loggable_path(invite) == "/api/v1/invitations/{token}/accept"
    # A credential in an id's place (a mistake, or a probe) is not an id: it stays a placeholder.
    probe_path = f"/api/v1/posts/{token}/targets/x/retry"
    probe = {**scope, "path": probe_path, "path_params": {"post_id": token, "target_id": "x"}}
    assert loggable_path(probe) == "/api/v1/posts/{post_id}/targets/x/retry"


def test_a_path_no_route_matched_keeps_only_id_shaped_segments() -> None:
    token, media = secrets.token_urlsafe(32), f"{uuid.uuid4()}.jpg"
    scope = {"root_path": "/api/v1", "path": f"/api/v1/invitations/{token}/acept/{media}"}
    assert loggable_path(scope) == f"/api/v1/invitations/{{redacted}}/acept/{media}"
    # What an enclosing mount leaves in scope["route"] is not the route of this path.
    assert route_template({**scope, "route": SimpleNamespace(path="")}) is None
    assert loggable_path({**scope, "route": SimpleNamespace(path="/invitations/{token}")}) == (
        f"/api/v1/invitations/{{redacted}}/acept/{media}"
    )


def test_scrub_blanks_credential_query_parameters_and_bearer_tokens() -> None:
    text = (
        "401 for url 'https://graph.example/v23.0/me?fields=id&access_token=EAAB123&code=abc#x' "
        "sent with Authorization: Bearer eyJhbGciOi.eyJzdWIi.sig and /media/public/a.jpg?token=s1.s2"
    )
    assert scrub(text) == (
        f"401 for url 'https://graph.example/v23.0/me?fields=id&access_token={REDACTED}&code={REDACTED}#x' "
        f"sent with Authorization: Bearer {REDACTED} and /media/public/a.jpg?token={REDACTED}"
    )


# --- the running app -------------------------------------------------------------------------------------


def log_text(artifacts: Path) -> str:
    return (artifacts / "web-app.log").read_text(errors="replace")


def wait_for_log(artifacts: Path, pattern: str, timeout: float = 15) -> str:
    """The log once a line matching ``pattern`` is in it (lines are written after each response)."""
    deadline = time.monotonic() + timeout
    while True:
        text = log_text(artifacts)
        if re.search(pattern, text) or time.monotonic() > deadline:
            return text
        time.sleep(0.2)


def sign_in_api(app_url: str, email: str) -> dict[str, str]:
    response = httpx.post(f"{app_url}/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    response.raise_for_status()
    return response.json()


def test_credentials_that_went_through_the_app_are_in_no_log_line(
    app_url: str, browser: Browser, sandboxed: Sandbox, artifacts: Path
) -> None:
    tenant = make_tenant(name="Quayside Florist")
    owner = make_user(tenant, role=Role.OWNER, password=PASSWORD)
    session = sign_in_api(app_url, owner.email)
    auth = {"Authorization": f"Bearer {session['access_token']}"}
    credentials: dict[str, str] = {"access token": session["access_token"], "refresh token": session["refresh_token"]}

    # An invitation: created, looked at (API and the page /invite/<token>), mistyped, accepted.
    created = httpx.post(f"{app_url}/api/v1/team/invitations", json={"email": random_email()}, headers=auth)
    assert created.status_code == 201, created.text
    token = created.json()["accept_url"].rsplit("/", 1)[1]
    credentials["invitation token"] = token
    assert httpx.get(f"{app_url}/api/v1/invitations/{token}").status_code == 200
    assert httpx.post(f"{app_url}/api/v1/invitations/{token}/acept", json={}).status_code == 404
    assert httpx.get(f"{app_url}/api/v1/invitations/{token}/accept").status_code == 405
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{app_url}/invite/{token}")
    expect(page.get_by_text("Join Quayside Florist")).to_be_visible()
    accepted = httpx.post(
        f"{app_url}/api/v1/invitations/{token}/accept", json={"password": PASSWORD, "full_name": "Ivy Invited"}
    )
    assert accepted.status_code == 201, accepted.text
    credentials["invited person's refresh token"] = accepted.json()["refresh_token"]

    # An upload, and the signed link its thumbnail is shown through.
    image = png()
    uploaded = httpx.post(f"{app_url}/api/v1/media", files={"file": ("dot.png", image, "image/png")}, headers=auth)
    assert uploaded.status_code == 201, uploaded.text
    media = uploaded.json()
    link = view_url("local", f"{tenant.id}/{media['id']}.png", content_type="image/png")
    assert httpx.get(f"{app_url}{link}").content == image
    credentials["media link token"] = parse_qs(urlsplit(link).query)["token"][0]

    # An OAuth connection in the browser: the sandbox's consent page sends code and state back to the page.
    page.goto(f"{app_url}/login?next=/accounts")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts$"))
    page.wait_for_function("document.cookie.includes('sh_session=')")  # the callback page is a new load
    callbacks: list[str] = []
    page.on("request", lambda r: callbacks.append(r.url) if "/accounts/callback?" in r.url else None)
    page.locator("#connect-x").click()
    expect(page.locator(".account-card")).to_have_count(1, timeout=20_000)
    [callback] = callbacks
    query = parse_qs(urlsplit(callback).query)
    credentials["oauth code"], credentials["oauth state"] = query["code"][0], query["state"][0]
    credentials["web session cookie"] = next(c["value"] for c in page.context.cookies() if c["name"] == "sh_session")
    for number, issued in enumerate([*sandboxed.states["x"].tokens, *sandboxed.states["x"].refresh_tokens]):
        credentials[f"sandbox-issued token {number}"] = issued

    # The log is live and has these requests in it, with the token's place held by a placeholder.
    text = wait_for_log(
        artifacts, r'"path":"/api/v1/invitations/\{token\}/accept","route":"/invitations/\{token\}/accept"'
    )
    assert re.search(r'"path":"/api/v1/invitations/\{token\}","route":"/invitations/\{token\}","status":200', text)
    assert re.search(r'"path":"/api/v1/invitations/\{redacted\}/acept","route":null,"status":404', text)
    assert '"route":"/media/public/{name}","status":200' in text
    leaked = sorted(name for name, value in credentials.items() if value in text)
    assert leaked == [], f"found in {artifacts / 'web-app.log'}: {leaked}"
