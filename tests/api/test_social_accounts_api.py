"""Connecting accounts through the API against the sandbox: no token ever appears in a response, and a
multi-account login (Facebook Pages) is a choice of candidates followed by a selection."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi.testclient import TestClient

from socialhub.models import Role
from tests.api.conftest import Team
from tests.conftest import Sandbox

CALLBACK = "http://localhost:3000/accounts/callback"


def start(api: TestClient, team: Team, platform: str) -> tuple[str, str]:
    r = api.get(
        f"/api/v1/social-accounts/auth-url/{platform}",
        params={"redirectUri": CALLBACK},
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
