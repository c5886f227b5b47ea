"""Connecting accounts through the API against the sandbox: no token ever appears in a response, and a
multi-account login (Facebook Pages) is a choice of candidates followed by a selection."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from socialhub.models import Role
from socialhub.services import account_connect
from socialhub.settings import get_settings
from socialhub.ui import routes
from tests.api.conftest import Team
from tests.conftest import Sandbox

CALLBACK = "http://localhost:3000/accounts/callback"


def start(api: TestClient, team: Team, platform: str, redirect_uri: str = CALLBACK) -> tuple[str, str]:
    r = api.get(
        f"/api/v1/social-accounts/auth-url/{platform}",
        params={"redirectUri": redirect_uri},
        headers=team[Role.ADMIN].headers,
    )
    assert r.status_code == 200, r.text
    consent = httpx.get(r.json()["url"], follow_redirects=False)
    query = parse_qs(urlsplit(consent.headers["location"]).query)
    return query["code"][0], query["state"][0]


def issued_secrets(sandbox: Sandbox, platform: str) -> list[str]:
    tokens = sandbox.states[platform].tokens.values()
    return [t.access_token for t in tokens] + [t.refresh_token for t in tokens if t.refresh_token]


def test_connecting_x_returns_the_account_and_never_a_token(api: TestClient, team: Team, sandboxed: Sandbox) -> None:
    code, state = start(api, team, "x")
    r = api.post(
        "/api/v1/social-accounts/connect",
        headers=team[Role.ADMIN].headers,
        json={"platform": "x", "code": code, "state": state, "redirectUri": CALLBACK},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["selection_required"] is False and body["accounts"][0]["platform"] == "x"
    listed = api.get("/api/v1/social-accounts", headers=team[Role.VIEWER].headers)
    secrets = issued_secrets(sandboxed, "x")
    assert secrets
    for text in (r.text, listed.text, json.dumps(body)):
        assert not any(secret in text for secret in secrets)
    refreshed = api.post(
        f"/api/v1/social-accounts/{body['accounts'][0]['id']}/refresh", headers=team[Role.ADMIN].headers
    )
    assert refreshed.status_code == 200
    assert not any(secret in refreshed.text for secret in issued_secrets(sandboxed, "x"))


def test_replaying_the_state_over_the_api_is_refused(api: TestClient, team: Team, sandboxed: Sandbox) -> None:
    code, state = start(api, team, "x")
    body = {"platform": "x", "code": code, "state": state, "redirectUri": CALLBACK}
    assert api.post("/api/v1/social-accounts/connect", json=body, headers=team[Role.ADMIN].headers).status_code == 201
    again = api.post("/api/v1/social-accounts/connect", json=body, headers=team[Role.ADMIN].headers)
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_oauth_state"


def test_facebook_login_offers_pages_and_connects_only_the_chosen(
    api: TestClient, team: Team, sandboxed: Sandbox
) -> None:
    code, state = start(api, team, "facebook")
    r = api.post(
        "/api/v1/social-accounts/connect",
        headers=team[Role.ADMIN].headers,
        json={"platform": "facebook", "code": code, "state": state, "redirectUri": CALLBACK},
    )
    assert r.status_code == 200, r.text
    offered = r.json()
    assert offered["selection_required"] and len(offered["candidates"]) >= 2
    assert all(c["kind"] == "page" for c in offered["candidates"])
    chosen = offered["candidates"][0]
    picked = api.post(
        "/api/v1/social-accounts/connect/select",
        headers=team[Role.ADMIN].headers,
        json={"state": offered["state"], "account_ids": [chosen["id"]]},
    )
    assert picked.status_code == 201, picked.text
    assert [a["account_identifier"] for a in picked.json()["data"]] == [chosen["id"]]
    again = api.post(
        "/api/v1/social-accounts/connect/select",
        headers=team[Role.ADMIN].headers,
        json={"state": offered["state"], "account_ids": [chosen["id"]]},
    )
    assert again.status_code == 400  # the choice is made once
    assert not any(s in picked.text + r.text for s in issued_secrets(sandboxed, "facebook"))


class TestReturnAddress:
    """The platform sends the browser (and the code) back only to this app's own callback page."""

    @pytest.mark.parametrize(
        "redirect_uri",
        [
            "https://evil.example/accounts/callback",
            "http://localhost:3000.evil.example/accounts/callback",
            "http://localhost:3000@evil.example/accounts/callback",
            "http://localhost:3001/accounts/callback",
            "https://localhost:3000/accounts/callback",
            "http://localhost:3000/",
            "http://localhost:3000/accounts/callback/../../login",
            "http://localhost:3000/accounts/callback?next=https://evil.example",
            "http://localhost:3000/accounts/callback#x",
            "javascript:alert(1)//localhost:3000/accounts/callback",
            "/accounts/callback",
        ],
    )
    def test_anything_else_is_refused_in_words(self, api: TestClient, team: Team, redirect_uri: str) -> None:
        r = api.get(
            "/api/v1/social-accounts/auth-url/x", params={"redirectUri": redirect_uri}, headers=team[Role.ADMIN].headers
        )
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "redirect_uri_not_allowed"
        assert error["details"]["field"] == "redirectUri"
        assert error["message"].startswith(
            f"The return address (redirectUri) must be this app's own callback page, {CALLBACK}"
        )

    def test_the_origin_the_app_is_served_at_is_allowed_in_development(
        self, api: TestClient, team: Team, sandboxed: Sandbox
    ) -> None:
        served = "http://testserver/accounts/callback"  # the TestClient's own origin, as 127.0.0.1:3000 would be
        code, state = start(api, team, "x", served)
        body = {"platform": "x", "code": code, "state": state, "redirectUri": served}
        assert (
            api.post("/api/v1/social-accounts/connect", json=body, headers=team[Role.ADMIN].headers).status_code == 201
        )
        same_page_other_case = api.get(
            "/api/v1/social-accounts/auth-url/x",
            params={"redirectUri": "HTTP://TestServer:80/accounts/callback"},
            headers=team[Role.ADMIN].headers,
        )
        assert same_page_other_case.status_code == 200

    def test_the_connect_step_checks_it_too(self, api: TestClient, team: Team, sandboxed: Sandbox) -> None:
        code, state = start(api, team, "x")
        body = {"platform": "x", "code": code, "state": state, "redirectUri": "https://evil.example/accounts/callback"}
        refused = api.post("/api/v1/social-accounts/connect", json=body, headers=team[Role.ADMIN].headers)
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "redirect_uri_not_allowed"
        body["redirectUri"] = CALLBACK  # the refusal did not use the connection attempt up
        assert (
            api.post("/api/v1/social-accounts/connect", json=body, headers=team[Role.ADMIN].headers).status_code == 201
        )


def test_the_service_knows_the_ui_callback_page() -> None:
    assert account_connect.CALLBACK_PATH == routes.ACCOUNTS_CALLBACK


def test_in_production_only_app_url_is_a_return_address(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "ENVIRONMENT": "production",
        "APP_URL": "https://social.example.com/hub/",
        "DATABASE_URL": "postgresql://app@db.internal/socialhub",
        "JWT_SECRET": "j" * 40,
        "VAULT_KEYS": "k1:" + "v" * 40,
        "OAUTH_STATE_SECRET": "o" * 40,
        "MEDIA_LINK_SECRET": "m" * 40,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        served = "http://10.0.0.5:3000"
        assert account_connect.callback_urls(served) == ["https://social.example.com/hub/accounts/callback"]
        assert account_connect.check_redirect_uri(
            "https://SOCIAL.example.com:443/hub/accounts/callback", served_at=served
        )
        with pytest.raises(account_connect.RedirectNotAllowed):
            account_connect.check_redirect_uri("http://10.0.0.5:3000/hub/accounts/callback", served_at=served)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
