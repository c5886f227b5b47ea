"""Facebook Pages: the production client against the Graph sandbox (PLATFORMS.md §2, §10, §11)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from socialhub.platforms.base import AccountIdentity, Draft, MediaItem, PlatformClient
from socialhub.platforms.errors import (
    AuthError,
    DuplicateIsSuccess,
    PermanentError,
    RateLimited,
    TransientError,
)
from socialhub.platforms.facebook import FacebookClient
from socialhub.sandbox.common import SandboxState
from tests.platforms.conftest import Sandbox, connect

JPEG = MediaItem(kind="image", content_type="image/jpeg", data=b"\xff\xd8\xff" + b"0" * 200, filename="a.jpg")


@pytest.fixture
def client(make_client: Callable[..., PlatformClient]) -> FacebookClient:
    made = make_client("facebook")
    assert isinstance(made, FacebookClient)
    made.sleep = lambda _seconds: None
    return made


@pytest.fixture
def state(sandbox: Sandbox) -> SandboxState:
    return sandbox.states["facebook"]


def connected(client: FacebookClient, sandbox: Sandbox) -> tuple[str, AccountIdentity]:
    token = connect(client, sandbox)
    return token.access_token, client.identity(token.access_token)[0]


def published(state: SandboxState) -> list[Any]:
    return list(state.published)


def video(size: int, head: bytes = b"\x00\x00\x00\x18ftypmp42") -> MediaItem:
    return MediaItem(kind="video", content_type="video/mp4", data=head + b"v" * (size - len(head)), filename="v.mp4")


# --- OAuth -------------------------------------------------------------------------------------------------


def test_connect_swaps_the_code_for_a_sixty_day_user_token_without_refresh_token(client, sandbox, state):
    token = connect(client, sandbox)

    assert token.refresh_token is None
    assert token.expires_at is not None
    assert token.expires_at - datetime.now(UTC) > timedelta(days=59)
    assert state.counters["token"] == 2  # code exchange, then fb_exchange_token
    assert "pages_manage_posts" in token.scopes  # read back from /me/permissions


def test_only_the_permissions_people_granted_are_recorded(client, sandbox):
    request = client.authorization_url(state="s", redirect_uri="http://localhost/cb")
    declined = request.url.replace("%2Cread_insights", "")  # the person unticked insights in the dialog
    code = httpx.URL(httpx.get(declined).headers["location"]).params["code"]

    token = client.exchange_code(code=code, redirect_uri="http://localhost/cb", code_verifier=None)

    assert "read_insights" not in token.scopes
    assert "pages_manage_posts" in token.scopes


def test_authorization_url_uses_the_configured_version_and_comma_separated_scopes(make_client):
    client = make_client("facebook", api_version="v25.0")

    request = client.authorization_url(state="s", redirect_uri="http://localhost/cb")

    assert "/v25.0/dialog/oauth?" in request.url
    assert "scope=pages_show_list%2Cpages_manage_posts" in request.url
    assert request.code_verifier is None
    assert client.endpoints.token_url.endswith("/v25.0/oauth/access_token")


def test_an_authorization_code_works_only_once(client, sandbox):
    request = client.authorization_url(state="test-state", redirect_uri="http://localhost:3000/accounts/callback")
    location = httpx.get(request.url).headers["location"]
    code = httpx.URL(location).params["code"]
    client.exchange_code(code=code, redirect_uri="http://localhost:3000/accounts/callback", code_verifier=None)

    with pytest.raises(AuthError) as caught:
        client.exchange_code(code=code, redirect_uri="http://localhost:3000/accounts/callback", code_verifier=None)

    assert caught.value.code == "100/36009"
    assert "has been used" in (caught.value.platform_message or "")


def test_refresh_is_impossible_and_asks_for_a_reconnect(client):
    assert FacebookClient.capabilities.refreshable is False
    with pytest.raises(AuthError, match="reconnected"):
        client.refresh("anything")


def test_revoke_kills_the_user_token_and_every_page_token(client, sandbox, state):
    user_token, page = connected(client, sandbox)

    assert client.revoke(user_token) is True

    assert state.counters["revoke"] == 1
    with pytest.raises(AuthError) as caught:
        client.publish(user_token, page, Draft(text="after revoke"))
    assert caught.value.code == "190/458"
    assert client.revoke(user_token) is True  # nothing left to revoke is not an error


# --- identity -----------------------------------------------------------------------------------------------


def test_identity_lists_every_page_across_paging_and_business_pages_with_page_tokens(client, sandbox):
    token = connect(client, sandbox)

    pages = client.identity(token.access_token)

    assert [page.display_name for page in pages] == [
        "Sandbox Bakery",
        "Sandbox Books",
        "Sandbox Cycles",  # only reachable through paging.next
        "Sandbox Holdings HQ",  # business-owned, from /me/businesses
    ]
    assert all(page.kind == "page" and page.access_token for page in pages)
    assert len({page.access_token for page in pages} | {token.access_token}) == 5
    assert pages[0].username == "sandboxbakery"
    assert pages[0].extra["user_name"] == "Sandbox Person"
    assert "CREATE_CONTENT" in pages[0].extra["tasks"]


# --- publishing ---------------------------------------------------------------------------------------------


def test_text_post_goes_out_with_the_page_token_and_returns_its_permalink(client, sandbox, state):
    token, page = connected(client, sandbox)

    result = client.publish(token, page, Draft(text="Fresh bread at 8"))

    [post] = published(state)
    assert post.kind == "text" and post.user_id == page.id
    assert post.payload["message"] == "Fresh bread at 8"
    assert result.post_id == post.id and result.post_id.startswith(f"{page.id}_")
    # The Sandbox's own view of the post, at facebook.com's path (a real client gets facebook.com's address).
    assert result.permalink == f"{sandbox.base('facebook')}/{page.id}/posts/{post.id.split('_')[1]}"


def test_publishing_with_the_user_token_instead_of_a_page_token_is_a_permission_error(client, sandbox, state):
    token, page = connected(client, sandbox)
    without_page_token = AccountIdentity(id=page.id, display_name=page.display_name, kind="page")

    with pytest.raises(PermanentError) as caught:
        client.publish(token, without_page_token, Draft(text="hello"))

    assert caught.value.code == "200"
    assert "permission" in caught.value.explanation
    assert published(state) == []


def test_link_post_carries_the_link(client, sandbox, state):
    token, page = connected(client, sandbox)

    client.publish(token, page, Draft(text="Read this", options={"link": "https://example.com/a"}))

    [post] = published(state)
    assert post.kind == "link" and post.payload["link"] == "https://example.com/a"


def test_single_photo_is_uploaded_as_a_published_photo(client, sandbox, state):
    token, page = connected(client, sandbox)

    result = client.publish(token, page, Draft(text="Croissants", media=(JPEG,)))

    [post] = published(state)
    assert post.kind == "photo" and post.payload["message"] == "Croissants"
    assert post.payload["bytes"] == len(JPEG.data or b"")
    assert result.post_id == post.id
    assert result.permalink and result.permalink.startswith(f"{sandbox.base('facebook')}/")


def test_several_photos_are_uploaded_unpublished_then_attached_to_one_post(client, sandbox, state):
    token, page = connected(client, sandbox)
    handles: list[str] = []

    result = client.publish(token, page, Draft(text="Album", media=(JPEG, JPEG, JPEG)), on_handle=handles.append)

    [post] = published(state)
    assert post.kind == "photos" and result.post_id == post.id
    assert handles == [",".join(post.payload["attached_media"])]
    assert len(post.payload["attached_media"]) == 3


def test_video_is_uploaded_in_chunks_then_polled_until_ready(client, sandbox, state):
    token, page = connected(client, sandbox)
    seen_at_handle: list[int] = []

    result = client.publish(
        token,
        page,
        Draft(text="Our kitchen", media=(video(2_500_000),), options={"title": "Kitchen tour"}),
        on_handle=lambda handle: seen_at_handle.append(len(state.published)),
    )

    [post] = published(state)
    assert post.kind == "video" and post.payload["bytes"] == 2_500_000
    assert post.payload["title"] == "Kitchen tour"
    assert result.post_id == post.payload["video_id"]
    assert seen_at_handle == [0]  # the handle was saved before finish published the video
    assert state.objects["videos"][result.post_id]["polls"] == 3  # processing, processing, ready
    assert result.permalink == f"{sandbox.base('facebook')}/sandboxbakery/videos/{result.post_id}/"


def test_video_that_facebook_cannot_process_fails_permanently(client, sandbox):
    token, page = connected(client, sandbox)

    with pytest.raises(PermanentError) as caught:
        client.publish(token, page, Draft(text="broken", media=(video(1000, b"CORRUPT"),)))

    assert caught.value.code == "6000"
    assert "format" in (caught.value.platform_message or "")


# --- duplicates and lost responses --------------------------------------------------------------------------


def test_lost_response_after_commit_is_found_by_lookup_not_posted_twice(make_client, sandbox, state):
    client = make_client("facebook", timeout=0.5)
    token, page = connected(client, sandbox)
    since = datetime.now(UTC)
    sandbox.fault("facebook", r"/feed$", "crash_after_commit", method="POST", seconds=1.5)
    draft = Draft(text="Exactly once")

    with pytest.raises(TransientError) as caught:
        client.publish(token, page, draft)
    assert caught.value.maybe_applied is True

    found = client.lookup_existing(token, page, draft, since=since)
    assert len(published(state)) == 1
    assert found is not None and found.post_id == state.published[0].id
    assert found.permalink and found.permalink.startswith(f"{sandbox.base('facebook')}/")
    assert client.lookup_existing(token, page, Draft(text="Never posted"), since=since) is None


def test_duplicate_status_message_resolves_to_the_existing_post(client, sandbox, state):
    token, page = connected(client, sandbox)
    first = client.publish(token, page, Draft(text="Same words"))

    with pytest.raises(DuplicateIsSuccess) as caught:
        client.publish(token, page, Draft(text="Same words"))

    assert caught.value.post_id == first.post_id
    assert caught.value.code == "506"
    assert len(published(state)) == 1


def test_duplicate_refusal_without_a_matching_post_stays_permanent(client, sandbox):
    token, page = connected(client, sandbox)
    sandbox.fault("facebook", r"/feed$", "duplicate", method="POST")

    with pytest.raises(PermanentError) as caught:
        client.publish(token, page, Draft(text="Nothing like it exists"))

    assert not isinstance(caught.value, DuplicateIsSuccess)
    assert "duplicate" in caught.value.explanation


# --- errors -------------------------------------------------------------------------------------------------


def test_expired_session_is_an_auth_error(client, sandbox):
    token, page = connected(client, sandbox)
    sandbox.fault("facebook", r"/feed$", "401")

    with pytest.raises(AuthError) as caught:
        client.publish(token, page, Draft(text="x"))

    assert caught.value.code == "190/463"
    assert "expired" in caught.value.explanation


def test_page_rate_limit_waits_for_the_time_facebook_gives(client, sandbox):
    token, page = connected(client, sandbox)
    sandbox.fault("facebook", r"/feed$", "429", reset_in=600)

    with pytest.raises(RateLimited) as caught:
        client.publish(token, page, Draft(text="x"))

    assert caught.value.code == "80001"
    assert caught.value.reset_at is not None
    wait = caught.value.reset_at - datetime.now(UTC)
    assert timedelta(minutes=9) < wait <= timedelta(minutes=10)


@pytest.mark.parametrize(("kind", "code"), [("500", "1"), ("503", "2")])
def test_server_errors_are_transient(client, sandbox, kind, code):
    token, page = connected(client, sandbox)
    sandbox.fault("facebook", r"/feed$", kind)

    with pytest.raises(TransientError) as caught:
        client.publish(token, page, Draft(text="x"))

    assert caught.value.code == code
    assert caught.value.maybe_applied is False


def test_usage_headers_are_tracked_and_exhaustion_is_a_rate_limit(client, sandbox, state):
    token, page = connected(client, sandbox)
    state.objects["call_limit"] = 4
    assert page.access_token

    since = datetime.now(UTC) - timedelta(minutes=1)
    client.publish(page.access_token, page, Draft(text="one"))  # the Page token's first call
    assert (client.rate_limit.limit, client.rate_limit.remaining) == (100, 75)
    for remaining in (50, 25, 0):
        client.lookup_existing(token, page, Draft(text="one"), since=since)
        assert client.rate_limit.remaining == remaining
    with pytest.raises(RateLimited) as caught:
        client.lookup_existing(token, page, Draft(text="one"), since=since)

    assert caught.value.code == "80001"
    assert client.rate_limit.exhausted
    assert caught.value.reset_at and caught.value.reset_at - datetime.now(UTC) > timedelta(minutes=9)


def test_graph_validation_error_is_permanent_with_facebooks_words(client, sandbox, state):
    token, page = connected(client, sandbox)

    with pytest.raises(PermanentError) as caught:
        client.publish(token, page, Draft(text=""))

    assert caught.value.code == "100"
    assert caught.value.platform_message == "(#100) Missing message or attachment"
    assert "Missing message or attachment" in caught.value.user_message


def graph_response(status: int, headers: dict[str, str] | None = None, **error: Any) -> httpx.Response:
    return httpx.Response(
        status, json={"error": {"type": "OAuthException", "fbtrace_id": "x", **error}}, headers=headers
    )


@pytest.mark.parametrize(
    ("error", "kind", "words"),
    [
        ({"code": 190, "error_subcode": 460}, AuthError, "password"),
        ({"code": 190, "error_subcode": 467}, AuthError, "no longer accepts"),
        ({"code": 102}, AuthError, "sign-in"),
        ({"code": 492}, AuthError, "Page role"),
        ({"code": 200, "error_subcode": 1404078}, AuthError, "Publishing Authorization"),
        ({"code": 17}, RateLimited, "limiting"),
        ({"code": 613}, RateLimited, "limiting"),
        ({"code": 368, "error_subcode": 1390008}, RateLimited, "limiting"),
        ({"code": 100, "is_transient": True}, TransientError, "temporary"),
        ({"code": 10}, PermanentError, "permission"),
        ({"code": 368}, PermanentError, "policies"),
        ({"code": 100, "error_subcode": 1609005}, PermanentError, "preview"),
        ({"code": 100, "error_subcode": 1346003}, PermanentError, "flagged"),
        ({"code": 100, "error_subcode": 1366046}, PermanentError, "photo"),
        ({"code": 9007}, PermanentError, "refused"),
    ],
)
def test_graph_codes_map_onto_the_taxonomy_keeping_facebooks_message(client, error, kind, words):
    found = client.classify(graph_response(400, message="(#x) what Facebook said", **error))

    assert type(found) is kind
    assert words in (found.explanation + found.action)
    assert found.platform_message == "(#x) what Facebook said"


def test_rate_limit_without_a_regain_time_waits_an_hour(client):
    usage = {"X-App-Usage": json.dumps({"call_count": 100, "total_time": 10, "total_cputime": 10})}
    found = client.classify(graph_response(400, usage, code=4, message="(#4) Application request limit reached"))

    assert isinstance(found, RateLimited) and found.reset_at
    assert timedelta(minutes=59) < found.reset_at - datetime.now(UTC) <= timedelta(hours=1)


def test_success_and_non_graph_failures_are_classified(client):
    assert client.classify(httpx.Response(200, json={"id": "1"})) is None
    assert isinstance(client.classify(httpx.Response(502, text="<html>bad gateway</html>")), TransientError)


# --- validation ---------------------------------------------------------------------------------------------


def image(size: int = 100, content_type: str = "image/jpeg", kind: str = "image") -> MediaItem:
    return MediaItem(kind=kind, content_type=content_type, data=b"x", size_bytes=size)


@pytest.mark.parametrize(
    ("draft", "problem"),
    [
        (Draft(text="a" * 63_206), None),
        (Draft(text="a" * 63_207), "at most 63,206 characters"),
        (Draft(text=" "), "needs text, a link, a photo or a video"),
        (Draft(text="", options={"link": "https://example.com"}), None),
        (Draft(text="x", options={"link": "example.com"}), "full web address"),
        (Draft(text="x", media=(image(),) * 10), None),
        (Draft(text="x", media=(image(),) * 11), "at most 10 photos"),
        (Draft(text="x", media=(image(10 * 1024 * 1024),)), None),
        (Draft(text="x", media=(image(10 * 1024 * 1024 + 1),)), "up to 10 MB"),
        (Draft(text="x", media=(image(content_type="image/webp"),)), "JPEG, PNG, GIF, BMP or TIFF"),
        (Draft(text="x", media=(image(kind="gif", content_type="image/gif"),)), "animated GIFs"),
        (Draft(text="x", media=(image(kind="document", content_type="application/pdf"),)), "only photos and videos"),
        (Draft(text="x", media=(video(10), video(10))), "only one video"),
        (Draft(text="x", media=(video(10), image())), "photos or one video"),
        (Draft(text="x", media=(image(),), options={"link": "https://example.com"}), "link preview"),
        (Draft(text="x", media=(MediaItem(kind="image", content_type="image/png"),)), "has no file"),
    ],
)
def test_validation_explains_each_rule_at_its_boundary(client, draft, problem):
    problems = client.validate(draft)

    if problem is None:
        assert problems == []
    else:
        assert any(problem in sentence for sentence in problems), problems


# --- metrics ------------------------------------------------------------------------------------------------


def test_metrics_combine_post_counts_and_insights(client, sandbox):
    token, page = connected(client, sandbox)
    post = client.publish(token, page, Draft(text="measure me"))

    metrics = client.fetch_metrics(token, page, [post.post_id])

    assert metrics[post.post_id] == {
        "shares": 1,
        "reactions": 7,
        "comments": 3,
        "impressions": 120,
        "reach": 80,
        "clicks": 7,
        "likes": 5,
    }


def test_metrics_fall_back_when_facebook_retires_an_insights_metric(client, sandbox, state):
    token, page = connected(client, sandbox)
    post = client.publish(token, page, Draft(text="measure me"))
    state.objects["invalid_metrics"] = {"post_media_view"}

    metrics = client.fetch_metrics(token, page, [post.post_id])[post.post_id]

    assert "impressions" not in metrics
    assert metrics["clicks"] == 7 and metrics["reactions"] == 7
