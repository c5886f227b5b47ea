"""How every sandbox routes, as the platforms do: either slash spelling is served (never a 307), and an unknown path
or a wrong method answers in the platform's own error envelope, not Starlette's plain-text "Not Found"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import Sandbox

SCOPES = {
    "x": ["tweet.read", "users.read"],
    "linkedin": ["openid", "profile", "w_member_social"],
    "facebook": ["pages_show_list"],
    "reddit": ["identity", "read"],
    "pinterest": ["user_accounts:read", "boards:read"],
}
# An authenticated read per platform, written the way the platform documents it.
READS = {
    "x": "/2/users/me",
    "linkedin": "/v2/userinfo",
    "facebook": "/v23.0/me",
    "reddit": "/api/v1/me",
    "pinterest": "/v5/user_account",
}
UA = {"User-Agent": "python:socialhub-tests:0.1 (by /u/sandbox_writer)"}  # Reddit throttles generic agents


@pytest.fixture
def tokens(sandbox: Sandbox) -> Iterator[dict[str, str]]:
    for state in sandbox.states.values():
        state.reset()
    yield {name: sandbox.states[name].issue_token(scopes).access_token for name, scopes in SCOPES.items()}


def call(sandbox: Sandbox, platform: str, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", **UA, **kwargs.pop("headers", {})}
    return httpx.request(method, f"{sandbox.base(platform)}{path}", headers=headers, follow_redirects=False, **kwargs)


@pytest.mark.parametrize("platform", sorted(READS))
def test_both_slash_spellings_are_served_alike(platform: str, sandbox: Sandbox, tokens: dict[str, str]) -> None:
    plain = call(sandbox, platform, "GET", READS[platform], tokens[platform])
    slashed = call(sandbox, platform, "GET", f"{READS[platform]}/", tokens[platform])
    assert plain.status_code == slashed.status_code == 200
    assert plain.json() == slashed.json()


def test_paths_documented_with_a_slash_are_served_without_it(sandbox: Sandbox) -> None:
    # Pinterest's consent page is /oauth/; a client that drops the slash must not get a redirect either.
    query = {"client_id": "c", "redirect_uri": "http://localhost/cb", "response_type": "code", "state": "s"}
    for path in ("/oauth/", "/oauth"):
        answer = httpx.get(f"{sandbox.base('pinterest')}{path}", params=query, follow_redirects=False)
        assert answer.status_code == 302 and answer.headers["location"].startswith("http://localhost/cb?code=")


def test_a_post_with_a_trailing_slash_reaches_the_platform(sandbox: Sandbox, tokens: dict[str, str]) -> None:
    form = {"api_type": "json", "sr": "sandbox", "kind": "self", "title": "Slash", "text": "body"}
    answer = call(sandbox, "reddit", "POST", "/api/submit/", tokens["reddit"], data=form)
    assert answer.status_code == 200 and answer.json()["json"]["errors"] == []
    assert [p.payload["title"] for p in sandbox.states["reddit"].published] == ["Slash"]


NOT_FOUND = {
    "x": (404, {"title": "Not Found", "detail": "Not Found", "type": "about:blank", "status": 404}),
    "linkedin": (
        404,
        {"status": 404, "message": "No virtual resource found", "code": "RESOURCE_NOT_FOUND", "serviceErrorCode": 0},
    ),
    "reddit": (404, {"message": "Not Found", "error": 404}),
    "pinterest": (404, {"code": 404, "message": "Not found."}),
}


@pytest.mark.parametrize("platform", sorted(NOT_FOUND))
def test_an_unknown_path_answers_in_the_platform_s_envelope(
    platform: str, sandbox: Sandbox, tokens: dict[str, str]
) -> None:
    status, body = NOT_FOUND[platform]
    answer = call(sandbox, platform, "GET", "/no/such/api/path", tokens[platform])
    assert answer.status_code == status and answer.json() == body
    assert answer.headers["content-type"].startswith(("application/json", "application/problem+json"))


def test_graph_answers_an_unknown_path_as_graph_does(sandbox: Sandbox, tokens: dict[str, str]) -> None:
    answer = call(sandbox, "facebook", "GET", "/v23.0/me/accounts/extra/parts", tokens["facebook"])
    error = answer.json()["error"]
    assert answer.status_code == 400 and (error["code"], error["type"]) == (2500, "OAuthException")
    assert error["message"] == "Unknown path components: /extra/parts" and error["fbtrace_id"]


METHOD_NOT_ALLOWED_FIELDS = {
    "x": {"title", "detail", "type", "status"},
    "linkedin": {"status", "message", "code"},
    "reddit": {"message", "error"},
    "pinterest": {"code", "message"},
}


@pytest.mark.parametrize(
    ("platform", "method", "path"),
    [
        ("x", "DELETE", "/2/users/me"),
        ("linkedin", "PATCH", "/rest/posts"),
        ("reddit", "PUT", "/api/submit"),
        ("pinterest", "DELETE", "/v5/user_account"),
        ("facebook", "PUT", "/v23.0/me"),
    ],
)
def test_a_wrong_method_answers_in_the_platform_s_envelope(
    platform: str, method: str, path: str, sandbox: Sandbox, tokens: dict[str, str]
) -> None:
    answer = call(sandbox, platform, method, path, tokens[platform])
    body = answer.json()
    if platform == "facebook":  # Graph: a 400 in its envelope
        assert answer.status_code == 400 and body["error"]["message"] == "Unsupported put request."
        assert body["error"]["type"] == "GraphMethodException"
        return
    assert answer.status_code == 405 and method not in answer.headers["allow"]
    assert set(body) == METHOD_NOT_ALLOWED_FIELDS[platform]


def test_a_path_outside_every_platform_says_where_they_are(sandbox: Sandbox) -> None:
    answer = httpx.get(f"{sandbox.url}/tiktok/v2/user/info/")
    assert answer.status_code == 404
    assert answer.json()["platforms"] == ["x", "linkedin", "facebook", "reddit", "pinterest"]
