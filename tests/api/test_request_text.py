"""Text the database cannot store (NUL, lone UTF-16 surrogates) is a 422 naming the field, on every route and in
every place a request carries text (path, query, JSON body at any depth, keys too), never a 500 from the driver;
and a date-time parameter is a date-time, not a number."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import func, select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import OAuthState, Role
from tests.api.conftest import Team
from tests.api.test_identity_api import assert_error, operations
from tests.factories import make_account, random_email

UNSTORABLE = ["\ud800", "\udfff", "a\ud83dz", "nul \x00 inside"]


def send_json(api: TestClient, method: str, url: str, body: Any, headers: dict[str, str]) -> Response:
    """JSON as a client library writes it: ASCII, so a lone surrogate travels as the escape ``\\ud800``."""
    content = json.dumps(body).encode("ascii")
    return api.request(method, url, content=content, headers={**headers, "Content-Type": "application/json"})


def field_error(response: Response, field: str, location: str) -> dict[str, Any]:
    error = assert_error(response, 422, "validation_error")
    assert error["details"]["fields"][0]["field"] == field, error
    assert error["details"]["fields"][0]["location"] == location, error
    assert f"'{field}'" in error["message"] and "cannot hold" in error["message"], error["message"]
    return error


class TestTheIssueExamples:
    @pytest.mark.parametrize("value", UNSTORABLE)
    def test_team_name_at_sign_up(self, api: TestClient, database: dict[str, str], value: str) -> None:
        body = {"team_name": f"Bakery {value}", "email": random_email(), "password": "correct horse battery"}
        field_error(send_json(api, "POST", "/api/v1/auth/register", body, {}), "team_name", "body")

    @pytest.mark.parametrize("value", UNSTORABLE)
    def test_post_content_and_title(self, api: TestClient, team: Team, value: str) -> None:
        headers = team[Role.EDITOR].headers
        field_error(send_json(api, "POST", "/api/v1/posts", {"content": value}, headers), "content", "body")
        body = {"content": "fine", "title": value}
        field_error(send_json(api, "POST", "/api/v1/posts", body, headers), "title", "body")

    @pytest.mark.parametrize("value", UNSTORABLE)
    def test_tenant_name(self, api: TestClient, team: Team, value: str) -> None:
        r = send_json(api, "PATCH", "/api/v1/tenant", {"name": value}, team[Role.OWNER].headers)
        field_error(r, "name", "body")
        assert api.get("/api/v1/tenant", headers=team[Role.OWNER].headers).json()["name"] == "Team A"

    def test_nul_in_redirect_uri_saves_no_oauth_state(self, api: TestClient, team: Team) -> None:
        r = api.get(
            "/api/v1/social-accounts/auth-url/x",
            params={"redirectUri": "http://localhost:3000/accounts/callback\x00"},
            headers=team[Role.ADMIN].headers,
        )
        field_error(r, "redirectUri", "query")
        with tenant_session(Context.system(team.tenant.id)) as session:
            assert session.exec(select(func.count()).select_from(OAuthState)).one() == 0


class TestEverywhere:
    def test_nested_values_and_keys_are_named(self, api: TestClient, team: Team) -> None:
        account = make_account(team.tenant)
        headers = team[Role.EDITOR].headers
        target = {"account_id": str(account.id), "options": {"title": "half \ud800"}}
        r = send_json(api, "POST", "/api/v1/posts", {"content": "fine", "targets": [target]}, headers)
        field_error(r, "targets[0].options.title", "body")
        r = send_json(api, "POST", "/api/v1/auth/login", {"email": "a@b.cd", "password": "x", "\ud800": 1}, {})
        error = field_error(r, "\\ud800", "body")  # the key, spelled as its escape: a response cannot hold it
        assert "has a name that contains" in error["message"]

    def test_path_parameters(self, api: TestClient, team: Team) -> None:
        field_error(api.get("/api/v1/invitations/abc%00def"), "token", "path")
        field_error(api.get("/api/v1/media/public/a%00.png", params={"token": "x"}), "name", "path")

    def test_every_json_body_field_of_every_operation(self, api: TestClient, team: Team) -> None:
        spec = api.get("/api/v1/openapi.json").json()["components"]["schemas"]
        checked = 0
        for method, path, op in operations(api):
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            url = "/api/v1" + re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
            for name, prop in spec[ref]["properties"].items():
                if prop.get("type") != "string" and not any(p.get("type") == "string" for p in prop.get("anyOf", [])):
                    continue
                for value in ("\ud800", "\x00"):
                    r = send_json(api, method, url, {name: value}, team[Role.OWNER].headers)
                    field_error(r, name, "body")
                    checked += 1
        assert checked >= 30

    def test_fine_text_still_goes_through(self, api: TestClient, team: Team) -> None:
        text = "Crème brûlée 👩‍👩‍👧‍👦 \ud83d\ude00 tab\tand\nnewline"  # a surrogate *pair* is one whole emoji
        r = send_json(api, "POST", "/api/v1/posts", {"content": text}, team[Role.EDITOR].headers)
        assert r.status_code == 201, r.text
        assert r.json()["content"] == "Crème brûlée 👩‍👩‍👧‍👦 😀 tab\tand\nnewline"


class TestPathsWithControlCharacters:
    @pytest.mark.parametrize("path", ["/api/v1/invitations/%0A", "/api/v1/posts/a%0Ab", "/api/v1/nowhere%0A"])
    def test_answer_in_the_error_shape(self, api: TestClient, team: Team, path: str) -> None:
        r = api.get(path, headers=team[Role.OWNER].headers)
        assert r.headers["content-type"] == "application/json"
        assert_error(r, r.status_code)
        assert r.status_code in (404, 422)


class TestDateTimes:
    @pytest.mark.parametrize("value", ["0.5", "1700000000", "-1", "tomorrow", "2030-03-10"])
    def test_a_number_is_not_a_date_time(self, api: TestClient, team: Team, value: str) -> None:
        r = api.get("/api/v1/posts", params={"until": value}, headers=team[Role.VIEWER].headers)
        error = assert_error(r, 422, "validation_error")
        assert error["message"] == "The query parameter 'until' must be a date and time (ISO 8601)."

    def test_iso_date_times_still_work(self, api: TestClient, team: Team) -> None:
        params = {"since": "2030-03-10T09:00:00+01:00", "until": "2030-03-11T09:00:00Z"}
        assert api.get("/api/v1/posts", params=params, headers=team[Role.VIEWER].headers).status_code == 200
        r = api.get("/api/v1/posts", params={"until": "2030-03-11T09:00:00"}, headers=team[Role.VIEWER].headers)
        assert_error(r, 422, "validation_error")  # an instant needs its offset

    def test_schedule_at_takes_text_only(self, api: TestClient, team: Team) -> None:
        headers = team[Role.EDITOR].headers
        post = api.post("/api/v1/posts", json={"content": "hello"}, headers=headers).json()
        r = api.post(f"/api/v1/posts/{post['id']}/schedule", json={"at": 1893456000}, headers=headers)
        error = assert_error(r, 422, "validation_error")
        assert error["message"] == "The field 'at' must be a date and time (ISO 8601)."
