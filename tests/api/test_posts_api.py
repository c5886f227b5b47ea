"""/posts over HTTP: the approval flow, scheduling in a time zone, validation, cancel, retry, lists, the role ×
route matrix and foreign ids, all in the API's error shape."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from socialhub.api import app as app_module
from socialhub.api import posts as posts_api
from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import Platform, Post, PostPlatform, PostStatus, PublishStatus, Role, SocialAccount
from socialhub.security.permissions import ROLE_PERMISSIONS, Permission
from socialhub.services import media
from tests.api.conftest import Team
from tests.api.test_identity_api import assert_error, operations
from tests.factories import make_account
from tests.media import samples

LONG_FOR_X = "word " * 60  # 300 characters as X counts them; X allows 280


@pytest.fixture
def api(database: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The real app with the posts router, whether or not app.py includes it yet."""
    if not hasattr(app_module, "posts"):  # app.py does not import (and include) the router yet
        create_v1 = app_module.create_api_v1

        def with_posts() -> FastAPI:
            v1 = create_v1()
            v1.include_router(posts_api.router)
            return v1

        monkeypatch.setattr(app_module, "create_api_v1", with_posts)
    with TestClient(app_module.create_api(), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def x(team: Team) -> SocialAccount:
    return make_account(team.tenant, platform=Platform.X)


@pytest.fixture
def pinterest(team: Team) -> SocialAccount:
    return make_account(team.tenant, platform=Platform.PINTEREST)


def create(api: TestClient, team: Team, role: Role, *accounts: SocialAccount, **body: Any) -> dict[str, Any]:
    body = {"content": "Spring menu is here", "targets": [{"account_id": str(a.id)} for a in accounts], **body}
    r = api.post("/api/v1/posts", json=body, headers=team[role].headers)
    assert r.status_code == 201, r.text
    return r.json()


def set_rows(team: Team, post_id: str, **values: Any) -> None:
    with tenant_session(Context.system(team.tenant.id)) as session:
        for row in session.exec(select(PostPlatform).where(PostPlatform.post_id == uuid.UUID(post_id))).all():
            for name, value in values.items():
                setattr(row, name, value)
        session.commit()


class TestFlows:
    def test_a_contributors_post_is_approved_by_an_editor_and_queued(
        self, api: TestClient, team: Team, x: SocialAccount
    ) -> None:
        post = create(api, team, Role.CONTRIBUTOR, x, title="Spring")
        assert post["status"] == "draft" and post["targets"][0]["platform"] == "x"
        assert post["targets"][0]["status"] == "pending" and post["timezone"] == "UTC"
        url = f"/api/v1/posts/{post['id']}"
        held = api.post(
            f"{url}/schedule",
            json={"at": "2030-03-09T09:00", "timezone": "America/New_York"},
            headers=team[Role.CONTRIBUTOR].headers,
        )
        assert held.status_code == 200, held.text
        assert held.json()["status"] == "pending_approval" and held.json()["approval_state"] == "pending"
        assert held.json()["scheduled_at"] == "2030-03-09T14:00:00Z"
        assert_error(api.post(f"{url}/approve", headers=team[Role.CONTRIBUTOR].headers), 403, "not_permitted")
        approved = api.post(f"{url}/approve", headers=team[Role.EDITOR].headers)
        assert approved.status_code == 200, approved.text
        target = api.get(url, headers=team[Role.VIEWER].headers).json()["targets"][0]
        assert approved.json()["status"] == "scheduled" and approved.json()["approved_by"] == str(
            team[Role.EDITOR].user.id
        )
        assert (target["status"], target["next_attempt_at"], target["attempts"]) == (
            "queued",
            "2030-03-09T14:00:00Z",
            0,
        )

    def test_reject_sends_it_back_as_a_draft(self, api: TestClient, team: Team, x: SocialAccount) -> None:
        post = create(api, team, Role.CONTRIBUTOR, x)
        url = f"/api/v1/posts/{post['id']}"
        api.post(f"{url}/schedule", json={}, headers=team[Role.CONTRIBUTOR].headers)
        rejected = api.post(f"{url}/reject", json={"reason": "Wrong price."}, headers=team[Role.EDITOR].headers)
        assert rejected.status_code == 200, rejected.text
        assert (rejected.json()["status"], rejected.json()["approval_state"]) == ("draft", "rejected")
        audit = api.get("/api/v1/audit", headers=team[Role.OWNER].headers).json()["data"]
        assert any(e["action"] == "post.rejected" and e["after"]["reason"] == "Wrong price." for e in audit)

    def test_an_editor_publishes_now_without_a_body(self, api: TestClient, team: Team, x: SocialAccount) -> None:
        post = create(api, team, Role.EDITOR, x)
        r = api.post(f"/api/v1/posts/{post['id']}/schedule", headers=team[Role.EDITOR].headers)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "scheduled" and r.json()["targets"][0]["status"] == "queued"

    def test_a_past_time_is_422_in_the_error_shape(self, api: TestClient, team: Team, x: SocialAccount) -> None:
        post = create(api, team, Role.EDITOR, x)
        r = api.post(
            f"/api/v1/posts/{post['id']}/schedule", json={"at": "2020-01-01T09:00Z"}, headers=team[Role.EDITOR].headers
        )
        error = assert_error(r, 422, "invalid")
        assert error["details"] == {"field": "at"}

    def test_every_targets_problems_are_returned_together(
        self, api: TestClient, team: Team, x: SocialAccount, pinterest: SocialAccount
    ) -> None:
        post = create(api, team, Role.EDITOR, x, pinterest, content=LONG_FOR_X)
        url = f"/api/v1/posts/{post['id']}"
        checked = api.post(f"{url}/validate", headers=team[Role.VIEWER].headers)
        assert checked.status_code == 200, checked.text
        body = checked.json()
        assert body["valid"] is False and set(body["problems"]) == {str(x.id), str(pinterest.id)}
        assert any("X allows 280" in p for p in body["problems"][str(x.id)])
        assert "Choose the Pinterest board to pin to." in body["problems"][str(pinterest.id)]
        refused = assert_error(api.post(f"{url}/schedule", json={}, headers=team[Role.EDITOR].headers), 422)
        assert refused["details"]["problems"] == {k: v for k, v in body["problems"].items() if v}

    def test_cancel_then_delete_and_a_scheduled_post_is_not_deleted(
        self, api: TestClient, team: Team, x: SocialAccount
    ) -> None:
        post = create(api, team, Role.EDITOR, x)
        url, headers = f"/api/v1/posts/{post['id']}", team[Role.EDITOR].headers
        api.post(f"{url}/schedule", json={"at": "2031-01-01T10:00:00+01:00"}, headers=headers)
        assert_error(api.delete(url, headers=headers), 409, "conflict")
        cancelled = api.post(f"{url}/cancel", headers=headers)
        assert cancelled.status_code == 200 and cancelled.json()["targets"][0]["status"] == "cancelled"
        assert api.delete(url, headers=headers).status_code == 204
        assert_error(api.get(url, headers=headers), 404, "not_found")

    def test_edits_follow_the_authors_rules(self, api: TestClient, team: Team, x: SocialAccount) -> None:
        post = create(api, team, Role.EDITOR, x)
        url = f"/api/v1/posts/{post['id']}"
        assert_error(api.patch(url, json={"content": "Mine"}, headers=team[Role.CONTRIBUTOR].headers), 403)
        edited = api.patch(url, json={"title": "New", "targets": []}, headers=team[Role.ADMIN].headers)
        assert edited.status_code == 200, edited.text
        assert edited.json()["title"] == "New" and edited.json()["targets"] == []

    def test_an_unconfirmed_target_is_retried_only_when_confirmed(
        self, api: TestClient, team: Team, x: SocialAccount
    ) -> None:
        post = create(api, team, Role.EDITOR, x)
        api.post(f"/api/v1/posts/{post['id']}/schedule", headers=team[Role.EDITOR].headers)
        set_rows(team, post["id"], status=PublishStatus.UNCONFIRMED, error_message="X did not answer in time.")
        retry = f"/api/v1/posts/{post['id']}/targets/{post['targets'][0]['id']}/retry"
        target = api.get(f"/api/v1/posts/{post['id']}", headers=team[Role.VIEWER].headers).json()["targets"][0]
        assert (target["status"], target["error_message"]) == ("unconfirmed", "X did not answer in time.")
        error = assert_error(api.post(retry, headers=team[Role.EDITOR].headers), 409, "conflict")
        assert "Check the account on X" in error["message"]
        r = api.post(retry, json={"confirm_not_published": True}, headers=team[Role.EDITOR].headers)
        assert r.status_code == 200, r.text
        assert r.json()["targets"][0]["status"] == "queued" and r.json()["targets"][0]["error_message"] is None

    def test_list_filters_and_counts(self, api: TestClient, team: Team, x: SocialAccount) -> None:
        percent = create(api, team, Role.EDITOR, x, content="50% off today")
        create(api, team, Role.EDITOR, content="500 off today")
        api.post(f"/api/v1/posts/{percent['id']}/schedule", headers=team[Role.EDITOR].headers)
        headers = team[Role.VIEWER].headers
        listed = api.get("/api/v1/posts", params={"q": "50%"}, headers=headers).json()
        assert listed["count"] == 1 and listed["data"][0]["id"] == percent["id"]
        assert api.get("/api/v1/posts", params={"platform": "x"}, headers=headers).json()["count"] == 1
        assert api.get("/api/v1/posts", params={"status": "draft"}, headers=headers).json()["count"] == 1
        assert api.get("/api/v1/posts", params={"limit": 1}, headers=headers).json()["count"] == 2
        future = {"since": "2029-01-01T00:00:00Z"}
        assert api.get("/api/v1/posts", params=future, headers=headers).json()["count"] == 0
        assert_error(api.get("/api/v1/posts", params={"since": "2029-01-01T00:00"}, headers=headers), 422)
        assert_error(api.get("/api/v1/posts", params={"status": "lost"}, headers=headers), 422)
        assert_error(api.get("/api/v1/posts", params={"q": "a\x00b"}, headers=headers), 422)

    def test_a_failed_target_is_fixed_then_retried_and_the_published_one_is_untouched(
        self, api: TestClient, team: Team, x: SocialAccount
    ) -> None:
        reddit = make_account(team.tenant, platform=Platform.REDDIT)
        body = {
            "content": "Spring menu is here",
            "targets": [
                {"account_id": str(x.id)},
                {
                    "account_id": str(reddit.id),
                    "options": {"subreddit": "textonly", "title": "Menu", "link": "https://a.example"},
                },
            ],
        }
        headers = team[Role.EDITOR].headers
        post = api.post("/api/v1/posts", json=body, headers=headers).json()
        url = f"/api/v1/posts/{post['id']}"
        api.post(f"{url}/schedule", headers=headers)
        targets = {t["platform"]: t for t in post["targets"]}
        set_rows(team, post["id"], status=PublishStatus.PUBLISHED, permalink="https://x.com/a/status/1")
        with tenant_session(Context.system(team.tenant.id)) as session:
            row = session.get(PostPlatform, uuid.UUID(targets["reddit"]["id"]))
            assert row is not None
            row.status, row.error_message = PublishStatus.FAILED, "That subreddit only accepts text posts."
            session.commit()
        target_url = f"{url}/targets/{targets['reddit']['id']}"

        refused = assert_error(
            api.patch(f"{url}/targets/{targets['x']['id']}", json={"custom_content": "Again"}, headers=headers), 409
        )
        assert "the X one is published" in refused["message"]
        invalid = assert_error(
            api.patch(target_url, json={"options": {"subreddit": "textonly"}}, headers=headers), 422, "invalid"
        )
        assert invalid["details"]["problems"] == {str(reddit.id): ["Reddit posts need a title."]}

        fixed = api.patch(
            target_url,
            json={"custom_content": "Spring menu, as text", "options": {"subreddit": "textonly", "title": "Menu"}},
            headers=headers,
        )
        assert fixed.status_code == 200, fixed.text
        after = {t["platform"]: t for t in fixed.json()["targets"]}
        assert after["reddit"]["custom_content"] == "Spring menu, as text" and "link" not in after["reddit"]["options"]
        assert after["reddit"]["status"] == "failed" and after["x"] == {
            **targets["x"],
            **{k: after["x"][k] for k in ("status", "permalink", "next_attempt_at", "published_at")},
        }
        shared = api.patch(target_url, json={"custom_content": None}, headers=headers)
        assert {t["platform"]: t for t in shared.json()["targets"]}["reddit"]["custom_content"] is None
        kept = {t["platform"]: t for t in api.patch(target_url, json={}, headers=headers).json()["targets"]}
        assert kept["reddit"]["options"] == {"subreddit": "textonly", "title": "Menu"}

        retried = api.post(f"{target_url}/retry", headers=headers)
        assert retried.status_code == 200, retried.text
        statuses = {t["platform"]: t["status"] for t in retried.json()["targets"]}
        assert statuses == {"x": "published", "reddit": "queued"}
        audit = api.get("/api/v1/audit", headers=team[Role.OWNER].headers).json()["data"]
        assert [e["action"] for e in audit].count("post.target_updated") == 2


class TestAccess:
    def test_a_viewer_cannot_create_and_a_contributor_cannot_approve_or_retry(
        self, api: TestClient, team: Team, x: SocialAccount
    ) -> None:
        body = {"content": "Hi", "targets": [{"account_id": str(x.id)}]}
        assert_error(api.post("/api/v1/posts", json=body, headers=team[Role.VIEWER].headers), 403, "not_permitted")
        post = create(api, team, Role.CONTRIBUTOR, x)
        url = f"/api/v1/posts/{post['id']}"
        assert_error(api.post(f"{url}/approve", headers=team[Role.CONTRIBUTOR].headers), 403, "not_permitted")
        retry = f"{url}/targets/{post['targets'][0]['id']}/retry"
        assert_error(api.post(retry, headers=team[Role.CONTRIBUTOR].headers), 403, "not_permitted")

    def test_every_posts_route_for_every_role(self, api: TestClient, team: Team) -> None:
        guarded = [(m, p, op["x-required-permission"]) for m, p, op in operations(api) if p.startswith("/posts")]
        assert len(guarded) == 12
        for method, path, permission in guarded:
            for role in Role:
                url = "/api/v1" + re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
                r = api.request(method, url, headers=team[role].headers)
                if Permission(permission) in ROLE_PERMISSIONS[role]:
                    assert r.status_code not in (401, 403) and r.status_code < 500, (method, path, role, r.text)
                else:
                    assert_error(r, 403, "not_permitted")

    def test_another_teams_post_and_account_are_not_found_and_untouched(
        self, api: TestClient, team: Team, other_team: Team
    ) -> None:
        foreign_account = make_account(other_team.tenant, platform=Platform.X)
        foreign = create(api, other_team, Role.CONTRIBUTOR, foreign_account)
        api.post(f"/api/v1/posts/{foreign['id']}/schedule", json={}, headers=other_team[Role.CONTRIBUTOR].headers)
        owner = team[Role.OWNER].headers
        bodies = {"PATCH": {"content": "Taken"}, "POST": {}}
        special = {
            "/posts/{post_id}/reject": {"reason": "No"},
            "/posts/{post_id}/targets/{target_id}": {"custom_content": "Taken"},
        }
        routes = [(m, p) for m, p, _ in operations(api) if "{post_id}" in p]
        assert len(routes) == 10
        for method, path in routes:
            url = "/api/v1" + path.format(post_id=foreign["id"], target_id=foreign["targets"][0]["id"])
            body = special.get(path, bodies.get(method))
            assert_error(api.request(method, url, json=body, headers=owner), 404, "not_found")
        mine = {"content": "Hi", "targets": [{"account_id": str(foreign_account.id)}]}
        error = assert_error(api.post("/api/v1/posts", json=mine, headers=owner), 404, "not_found")
        assert error["message"] == "There is no such connected account."
        assert api.get("/api/v1/posts", headers=owner).json() == {"data": [], "count": 0}
        with tenant_session(Context.system(other_team.tenant.id)) as session:
            post = session.get(Post, uuid.UUID(foreign["id"]))
        assert post is not None and post.status is PostStatus.PENDING_APPROVAL and post.content == "Spring menu is here"
        with tenant_session(Context.system(other_team.tenant.id)) as session:
            row = session.exec(select(PostPlatform).where(PostPlatform.post_id == post.id)).one()
        assert row.custom_content is None


class TestBadInput:
    @pytest.mark.parametrize(
        "body",
        [
            {"content": "a\x00b"},
            {"content": "x" * 100_001},
            {"content": "Hi", "targets": [{"account_id": "nope"}]},
            {"content": "Hi", "targets": [{"account_id": str(uuid.UUID(int=1)), "options": {"Bad Key": 1}}]},
            {"content": "Hi", "targets": [{"account_id": str(uuid.UUID(int=1)), "options": {"board": {"a": 1}}}]},
            {"content": "Hi", "targets": [{"account_id": str(uuid.UUID(int=1)), "options": {"board": "\x00"}}]},
            {"content": "Hi", "type": "hologram"},
            {"content": "Hi", "timezone": "Mars/Olympus"},
        ],
    )
    def test_bad_posts_are_422_never_500(self, api: TestClient, team: Team, body: dict[str, Any]) -> None:
        r = api.post("/api/v1/posts", json=body, headers=team[Role.EDITOR].headers)
        assert_error(r, 422)

    @pytest.mark.parametrize(
        "body",
        [
            {"custom_content": "a\x00b"},
            {"custom_content": "x" * 100_001},
            {"options": {"Bad Key": 1}},
            {"options": {"title": ["a"]}},
            {"options": {f"o{n}": n for n in range(21)}},
            {"media_ids": ["nope"]},
            {"content": "the post's field, not the target's"},
        ],
    )
    def test_bad_target_changes_are_422_and_change_nothing(
        self, api: TestClient, team: Team, x: SocialAccount, body: dict[str, Any]
    ) -> None:
        post = create(api, team, Role.EDITOR, x)
        set_rows(team, post["id"], status=PublishStatus.FAILED)
        url = f"/api/v1/posts/{post['id']}/targets/{post['targets'][0]['id']}"
        assert_error(api.patch(url, json=body, headers=team[Role.EDITOR].headers), 422)
        target = api.get(f"/api/v1/posts/{post['id']}", headers=team[Role.EDITOR].headers).json()["targets"][0]
        assert (target["custom_content"], target["options"], target["media_ids"]) == (None, {}, [])

    def test_a_file_of_another_team_cannot_be_a_targets_file(
        self, api: TestClient, team: Team, other_team: Team, x: SocialAccount
    ) -> None:
        theirs = Context(other_team.tenant.id, other_team[Role.EDITOR].user.id, Role.EDITOR)
        foreign = str(media.upload_file(theirs, samples.png(), filename="theirs.png").id)
        post = create(api, team, Role.EDITOR, x)
        set_rows(team, post["id"], status=PublishStatus.FAILED)
        url = f"/api/v1/posts/{post['id']}/targets/{post['targets'][0]['id']}"
        r = api.patch(url, json={"media_ids": [foreign]}, headers=team[Role.EDITOR].headers)
        error = assert_error(r, 404, "not_found")
        assert error["message"] == "There is no such media file." and error["details"] == {"media_id": foreign}

    def test_bad_schedule_input_is_422(self, api: TestClient, team: Team, x: SocialAccount) -> None:
        post = create(api, team, Role.EDITOR, x)
        url = f"/api/v1/posts/{post['id']}/schedule"
        for body in (
            {"at": "tomorrow"},
            {"timezone": "Nowhere/Land"},
            {"at": "2030-03-10T02:30", "timezone": "EST5EDT"},
        ):
            assert_error(api.post(url, json=body, headers=team[Role.EDITOR].headers), 422)
