"""The identity, team and tenant API end to end: flows, the role × endpoint matrix (generated from the
permission table as published in the OpenAPI document), the cross-tenant matrix, and bad input everywhere."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import AccountStatus, Invitation, Role, SocialAccount, User
from socialhub.security.permissions import ROLE_PERMISSIONS, Permission
from socialhub.services import team as team_service
from tests.api.conftest import Team
from tests.factories import make_account, random_email

PASSWORD = "correct horse battery"


def assert_error(response: Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details", "request_id"}
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert error["message"] and "Traceback" not in error["message"]
    if code:
        assert error["code"] == code, error
    return error


def operations(api: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    spec = api.get("/api/v1/openapi.json").json()
    return [(method.upper(), path, op) for path, item in spec["paths"].items() for method, op in item.items()]


class TestAuthFlows:
    def test_register_me_refresh_logout(self, api: TestClient) -> None:
        email = random_email()
        r = api.post("/api/v1/auth/register", json={"team_name": "Café ☕", "email": email, "password": PASSWORD})
        assert r.status_code == 201, r.text
        session = r.json()
        assert session["user"]["role"] == "owner" and "password_hash" not in session["user"]
        me = api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {session['access_token']}"}).json()
        assert me["tenant"]["name"] == "Café ☕" and "team:manage" in me["permissions"]

        renewed = api.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
        assert renewed.status_code == 200
        reused = api.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
        assert_error(reused, 401, "session_ended")

        login = api.post("/api/v1/auth/login", json={"email": email.upper(), "password": PASSWORD}).json()
        assert api.post("/api/v1/auth/logout", json={"refresh_token": login["refresh_token"]}).status_code == 204
        gone = api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {login['access_token']}"})
        assert_error(gone, 401, "session_ended")

    def test_wrong_password_is_401_and_says_so_plainly(self, api: TestClient, team: Team) -> None:
        r = api.post("/api/v1/auth/login", json={"email": team[Role.EDITOR].user.email, "password": "nope nope"})
        error = assert_error(r, 401, "invalid_credentials")
        assert error["message"] == "That email and password do not match an account."
        assert r.headers["WWW-Authenticate"] == "Bearer"

    def test_throttled_login_is_429_with_retry_after(self, api: TestClient, team: Team) -> None:
        email = team[Role.VIEWER].user.email
        for _ in range(10):
            api.post("/api/v1/auth/login", json={"email": email, "password": "wrong password"})
        r = api.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert_error(r, 429, "too_many_attempts")
        assert int(r.headers["Retry-After"]) > 0

    @pytest.mark.parametrize("header", ["Bearer not.a.jwt", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + "A" * 5000])
    def test_bad_credentials_are_401(self, api: TestClient, header: str) -> None:
        assert_error(api.get("/api/v1/auth/me", headers={"Authorization": header}), 401)

    def test_invitation_round_trip_over_http(self, api: TestClient, team: Team) -> None:
        email = random_email()
        created = api.post(
            "/api/v1/team/invitations", json={"email": email, "role": "contributor"}, headers=team[Role.ADMIN].headers
        )
        assert created.status_code == 201, created.text
        token = created.json()["accept_url"].rsplit("/", 1)[1]
        assert api.get(f"/api/v1/invitations/{token}").json() == {
            "team_name": "Team A",
            "email": email,
            "role": "contributor",
        }
        accepted = api.post(f"/api/v1/invitations/{token}/accept", json={"password": PASSWORD, "full_name": "Nia"})
        assert accepted.status_code == 201 and accepted.json()["user"]["role"] == "contributor"


class TestPermissionMatrix:
    """Every operation that states a required permission, for every role: allowed ⇔ the table says so."""

    BODIES: ClassVar[dict[tuple[str, str], Any]] = {
        ("PATCH", "/team/members/{user_id}"): {"role": "viewer"},
        ("POST", "/team/invitations"): {"email": "{email}", "role": "viewer"},
        ("PATCH", "/tenant"): {},
        ("PUT", "/tenant/ai-budget"): {"limit_usd": "40.00"},
    }

    def test_every_guarded_operation_for_every_role(self, api: TestClient, team: Team) -> None:
        target = team[Role.VIEWER].user.id
        guarded = [(m, p, op["x-required-permission"]) for m, p, op in operations(api) if "x-required-permission" in op]
        assert len(guarded) >= 10
        results = []
        for method, path, permission in guarded:
            for role in Role:
                # Only PATCH gets a real member (a harmless no-op change); DELETE gets an unknown id (allowed: 404).
                member = target if method == "PATCH" else uuid.uuid4()
                url = "/api/v1" + path.replace("{user_id}", str(member)).replace("{platform}", "x")
                url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), url)
                url += "?redirectUri=http://cb" if "auth-url" in path else ""
                body = json.loads(json.dumps(self.BODIES.get((method, path))).replace("{email}", random_email()))
                r = api.request(method, url, json=body, headers=team[role].headers)
                allowed = Permission(permission) in ROLE_PERMISSIONS[role]
                results.append((method, path, role.value, r.status_code))
                if allowed:
                    assert r.status_code not in (401, 403) and r.status_code < 500, (method, path, role, r.text)
                else:
                    assert_error(r, 403, "not_permitted")
        assert len(results) == len(guarded) * len(Role)


class TestCrossTenant:
    """Ids of another team's rows answer 404 on every route that takes an id, and nothing changes."""

    def test_foreign_ids_are_not_found_and_untouched(self, api: TestClient, team: Team, other_team: Team) -> None:
        foreign_user = other_team[Role.EDITOR].user
        foreign_account = make_account(other_team.tenant)
        foreign_invitation = team_service.invite(
            Context(other_team.tenant.id, other_team[Role.OWNER].user.id, Role.OWNER),
            email=random_email(),
            role=Role.VIEWER,
        ).invitation
        owner = team[Role.OWNER].headers
        id_routes = [(m, p) for m, p, _ in operations(api) if re.search(r"\{(user|invitation|account)_id\}", p)]
        assert id_routes
        for method, path in id_routes:
            ids = {"user_id": foreign_user.id, "invitation_id": foreign_invitation.id, "account_id": foreign_account.id}
            url = "/api/v1" + path.format(**ids)
            body = {"role": "viewer", "is_active": False} if method == "PATCH" else None
            assert_error(api.request(method, url, json=body, headers=owner), 404, "not_found")
        with tenant_session(Context.system(other_team.tenant.id)) as session:
            user = session.get(User, foreign_user.id)
            invitation = session.get(Invitation, foreign_invitation.id)
            account = session.get(SocialAccount, foreign_account.id)
        assert user is not None and user.role is Role.EDITOR and user.is_active and user.removed_at is None
        assert invitation is not None and invitation.revoked_at is None
        assert account is not None and account.status is AccountStatus.ACTIVE

    def test_lists_show_only_the_own_team(self, api: TestClient, team: Team, other_team: Team) -> None:
        members = api.get("/api/v1/team/members", headers=team[Role.VIEWER].headers).json()
        emails = {m["email"] for m in members["data"]}
        assert emails == {m.user.email for m in team.members.values()}
        audit = api.get("/api/v1/audit", headers=team[Role.OWNER].headers).json()
        assert all(e["entity_id"] != str(other_team.tenant.id) for e in audit["data"])


UNICODE_EDGES = ["\x00", "a\u202eb", "👩‍👩‍👧‍👦" * 50, "e\u0301" * 100, "\ud7ff\ue000", "x" * 10_000, "  ", "\u200b"]


class TestBadInput:
    """Every operation with a JSON body, fed garbage: always a 4xx in the error shape, never a 500.
    (The one multipart body, POST /media, has its own bad-input tests in test_media.py.)"""

    @pytest.fixture
    def body_operations(self, api: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
        return [(m, p, op) for m, p, op in operations(api) if "application/json" in _body_types(op)]

    def _url(self, path: str) -> str:
        return "/api/v1" + re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)

    def test_malformed_json_is_400(self, api: TestClient, team: Team, body_operations: list) -> None:
        for method, path, _ in body_operations:
            r = api.request(
                method,
                self._url(path),
                content=b'{"email": "a@b.c",',
                headers={**team[Role.OWNER].headers, "Content-Type": "application/json"},
            )
            assert_error(r, 400, "malformed_json")

    @pytest.mark.parametrize("body", [[], "text", 42, None, {"unexpected": 1}])
    def test_wrong_shapes_are_422(self, api: TestClient, team: Team, body_operations: list, body: Any) -> None:
        for method, path, _ in body_operations:
            r = api.request(method, self._url(path), json=body, headers=team[Role.OWNER].headers)
            if body is None or body == {"unexpected": 1} or r.status_code != 422:
                assert 400 <= r.status_code < 500, (method, path, body, r.text)
                assert_error(r, r.status_code)
            else:
                assert_error(r, 422, "validation_error")

    def test_wrong_types_name_the_field(self, api: TestClient, team: Team, body_operations: list) -> None:
        spec = api.get("/api/v1/openapi.json").json()["components"]["schemas"]
        for method, path, op in body_operations:
            ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            for field in spec[ref]["properties"]:
                r = api.request(
                    method, self._url(path), json={field: {"nested": ["wrong"]}}, headers=team[Role.OWNER].headers
                )
                error = assert_error(r, 422, "validation_error")
                named = [f["field"] for f in error["details"]["fields"]]  # the field, or the entry inside it
                assert any(name == field or name.startswith(f"{field}.") for name in named), (path, field, error)

    @pytest.mark.parametrize("value", UNICODE_EDGES)
    def test_unicode_edges_never_break_a_route(
        self, api: TestClient, team: Team, body_operations: list, value: str
    ) -> None:
        spec = api.get("/api/v1/openapi.json").json()["components"]["schemas"]
        for method, path, op in body_operations:
            ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            body = {f: value for f, p in spec[ref]["properties"].items() if _is_text(p)}
            r = api.request(method, self._url(path), json=body, headers=team[Role.OWNER].headers)
            assert r.status_code < 500, (method, path, value[:20], r.text)
            if r.status_code >= 400:
                assert_error(r, r.status_code)

    def test_oversized_bodies_are_413(self, api: TestClient, team: Team, body_operations: list) -> None:
        huge = json.dumps({"email": "x" * (2 * 1024 * 1024)})
        for method, path, _ in body_operations:
            r = api.request(
                method,
                self._url(path),
                content=huge,
                headers={**team[Role.OWNER].headers, "Content-Type": "application/json"},
            )
            assert_error(r, 413, "payload_too_large")

    def test_bad_path_ids_are_422(self, api: TestClient, team: Team) -> None:
        r = api.patch("/api/v1/team/members/not-a-uuid", json={}, headers=team[Role.OWNER].headers)
        assert_error(r, 422, "validation_error")


def _body_types(op: dict[str, Any]) -> set[str]:
    return set(op.get("requestBody", {}).get("content", {}))


def _is_text(prop: dict[str, Any]) -> bool:
    return prop.get("type") == "string" or any(p.get("type") == "string" for p in prop.get("anyOf", []))


class TestDocs:
    def test_openapi_lists_every_route_with_a_response_model(self, api: TestClient) -> None:
        for method, path, op in operations(api):
            success = [code for code in op["responses"] if code.startswith("2")]
            assert success, (method, path)
            if success[0] != "204":
                content = op["responses"][success[0]]["content"]
                binary = all(c.get("schema", {}).get("format") == "binary" for c in content.values())
                assert binary or "schema" in content["application/json"], (method, path)

    def test_every_request_body_field_has_an_example(self, api: TestClient) -> None:
        schemas = api.get("/api/v1/openapi.json").json()["components"]["schemas"]
        for method, path, op in operations(api):
            if "requestBody" not in op:
                continue
            for body in op["requestBody"]["content"].values():
                ref = body["schema"].get("$ref")
                schema = schemas[ref.rsplit("/", 1)[1]] if ref else body["schema"]  # multipart: inline
                for name, prop in schema["properties"].items():
                    assert prop.get("examples"), (method, path, name)

    def test_docs_page_and_its_assets_are_served_locally(self, api: TestClient) -> None:
        page = api.get("/api/v1/docs")
        assert page.status_code == 200
        assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page.text)
        assert assets and all(not a.startswith("http") for a in assets), assets
        for asset in assets:
            assert api.get(asset).status_code == 200, asset


class TestPlan:
    """The plan sets the media quota: the operator's to choose (the CLI), read-only through the API."""

    @pytest.mark.parametrize("plan", ["enterprise", None, "free"])
    def test_patch_tenant_refuses_it_in_words(self, api: TestClient, team: Team, plan: str | None) -> None:
        r = api.patch("/api/v1/tenant", json={"plan_tier": plan, "name": "Renamed"}, headers=team[Role.OWNER].headers)
        error = assert_error(r, 422, "validation_error")
        assert error["message"] == (
            "The field 'plan_tier' cannot be changed here: the plan is set by the operator of this installation "
            "(python -m socialhub set-plan), not by the team."
        )
        tenant = api.get("/api/v1/tenant", headers=team[Role.OWNER].headers).json()
        assert (tenant["plan_tier"], tenant["name"]) == ("free", "Team A")

    def test_the_document_shows_it_read_only(self, api: TestClient) -> None:
        schemas = api.get("/api/v1/openapi.json").json()["components"]["schemas"]
        assert "plan_tier" not in schemas["TenantUpdate"]["properties"]
        assert "set-plan" in schemas["TenantPublic"]["properties"]["plan_tier"]["description"]
