"""The platforms' own SDKs and popular community clients against the sandboxes (DESIGN.md: a sandbox is a contract).

Each test sends a request the way that client sends it (read from the SDK's source: paths, trailing slashes, token
placement, list encodings, multipart names, re-reads after create) and checks that the sandbox accepts it, as the
real API does, and answers in the shape the client parses.

Pointing the SDKs at loopback:
- PRAW (Reddit) takes ``oauth_url``/``reddit_url`` and a requests session through ``requestor_kwargs``.
- pinterest-api-sdk takes a ``Configuration(host=…)``.
- facebook-business reads the Graph host from ``FacebookSession.GRAPH``; set on the session instance.
- tweepy (``https://api.twitter.com``) and linkedin-api-client (``https://api.linkedin.com``) hard-code their
  HTTPS hosts, so ``Loopback`` is mounted on the SDK's own ``requests.Session`` for that host: it moves each
  request onto the sandbox unchanged (method, path, query, headers, body) and records it for the assertions.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx
import praw
import prawcore
import pytest
import requests
import tweepy
from facebook_business.adobjects.page import Page
from facebook_business.adobjects.pagepost import PagePost
from facebook_business.api import FacebookAdsApi
from facebook_business.exceptions import FacebookRequestError
from facebook_business.session import FacebookSession
from linkedin_api.clients.restli.client import RestliClient
from openapi_generated.pinterest_client.configuration import Configuration
from openapi_generated.pinterest_client.exceptions import NotFoundException
from pinterest.client import PinterestSDKClient
from pinterest.organic.boards import Board
from pinterest.organic.pins import Pin

from socialhub.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxState
from tests.conftest import Sandbox

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
LINKEDIN_VERSION = "202610"
FEED = {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []}


class Loopback(requests.adapters.HTTPAdapter):
    """Sends what an SDK addressed to a platform's HTTPS host to the sandbox instead, recording each request."""

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = urlsplit(target)
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        url = urlsplit(request.url or "")
        path = self.target.path.rstrip("/") + url.path
        request.url = urlunsplit((self.target.scheme, self.target.netloc, path, url.query, ""))
        self.sent.append(request)
        return super().send(request, **kwargs)


def recorder(session: requests.Session) -> list[requests.Response]:
    """Every response the session receives (its request included), in order."""
    seen: list[requests.Response] = []
    session.hooks["response"].append(lambda response, *_args, **_kwargs: seen.append(response))
    return seen


@pytest.fixture
def states(sandbox: Sandbox) -> Iterator[dict[str, SandboxState]]:
    for state in sandbox.states.values():
        state.reset()
    yield sandbox.states


# --- X: tweepy's v2 Client --------------------------------------------------------------------------------------


@pytest.fixture
def tweepy_client(sandbox: Sandbox, states: dict[str, SandboxState]) -> tuple[tweepy.Client, Loopback]:
    # An OAuth 2.0 user token goes in tweepy as bearer_token, with user_auth=False on each call (tweepy's docs).
    token = states["x"].issue_token(["tweet.read", "tweet.write", "users.read", "offline.access"])
    client = tweepy.Client(bearer_token=token.access_token)
    loopback = Loopback(sandbox.base("x"))
    client.session.mount("https://api.twitter.com", loopback)
    return client, loopback


def test_tweepy_reads_a_post_and_its_public_metrics_by_id(tweepy_client: tuple[tweepy.Client, Loopback]) -> None:
    client, loopback = tweepy_client
    created = client.create_tweet(text="Hello from tweepy", user_auth=False)

    found = client.get_tweet(created.data["id"], tweet_fields=["public_metrics", "created_at"], user_auth=False)

    request = loopback.sent[-1]
    assert request.method == "GET" and urlsplit(request.url or "").path.endswith(f"/2/tweets/{created.data['id']}")
    assert parse_qs(urlsplit(request.url or "").query) == {"tweet.fields": ["public_metrics,created_at"]}
    assert found.errors == [] and found.data.id == int(created.data["id"]) and found.data.text == "Hello from tweepy"
    assert found.data.created_at is not None
    assert {"retweet_count", "reply_count", "like_count", "quote_count", "impression_count"} <= set(
        found.data.public_metrics
    )


def test_tweepy_lookup_of_a_missing_post_answers_x_s_not_found_errors(
    tweepy_client: tuple[tweepy.Client, Loopback],
) -> None:
    client, _ = tweepy_client
    missing = client.get_tweet("1234567890123456789", tweet_fields=["public_metrics"], user_auth=False)
    assert missing.data is None
    [error] = missing.errors
    assert error["type"].endswith("/problems/resource-not-found") and error["parameter"] == "id"


def test_tweepy_hears_problem_json_for_an_unknown_route(tweepy_client: tuple[tweepy.Client, Loopback]) -> None:
    client, _ = tweepy_client
    with pytest.raises(tweepy.NotFound) as caught:
        client.request("GET", "/2/tweets/1/not_a_thing")
    response = caught.value.response
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {"title": "Not Found", "detail": "Not Found", "type": "about:blank", "status": 404}


# --- Reddit: PRAW -------------------------------------------------------------------------------------------------


@pytest.fixture
def reddit(sandbox: Sandbox, states: dict[str, SandboxState]) -> tuple[praw.Reddit, list[requests.Response]]:
    token = states["reddit"].issue_token(["submit", "identity", "read"])
    session = requests.Session()
    seen = recorder(session)
    client = praw.Reddit(
        client_id=SANDBOX_CLIENT_ID,
        client_secret=SANDBOX_CLIENT_SECRET,
        refresh_token=token.refresh_token,
        user_agent="python:socialhub-contract-tests:0.1 (by /u/sandbox_writer)",
        oauth_url=f"{sandbox.base('reddit')}/",  # PRAW joins relative paths ("api/submit/") onto it
        reddit_url=sandbox.base("reddit"),
        short_url=sandbox.base("reddit"),
        check_for_updates=False,
        check_for_async=False,
        requestor_kwargs={"session": session},
    )
    return client, seen


def test_praw_submits_with_its_trailing_slash_and_reads_the_submission_back(
    reddit: tuple[praw.Reddit, list[requests.Response]], states: dict[str, SandboxState]
) -> None:
    client, seen = reddit

    submission = client.subreddit("sandbox").submit("Hello from PRAW", selftext="Body text")
    fetched = client.submission(submission.id)
    assert (fetched.title, fetched.selftext, str(fetched.author), str(fetched.subreddit)) == (
        "Hello from PRAW",
        "Body text",
        "sandbox_writer",
        "sandbox",
    )

    calls = [(r.request.method, urlsplit(r.request.url or "").path, r.status_code) for r in seen]
    base = urlsplit(client.config.oauth_url).path.rstrip("/")
    assert ("POST", f"{base}/api/submit/", 200) in calls  # served, not a 307 to /api/submit
    assert ("GET", f"{base}/comments/{submission.id}/", 200) in calls
    comments_request = next(r.request for r in seen if "/comments/" in (r.request.url or ""))
    assert parse_qs(urlsplit(comments_request.url or "").query)["raw_json"] == ["1"]
    assert all(status != 307 for *_, status in calls)
    [post] = states["reddit"].published
    assert post.id == submission.id and post.payload["text"] == "Body text"


def test_praw_hears_reddit_s_json_for_an_unknown_route_and_a_missing_post(
    reddit: tuple[praw.Reddit, list[requests.Response]],
) -> None:
    client, seen = reddit
    with pytest.raises(prawcore.NotFound):
        client.get("api/not_a_thing/")
    assert seen[-1].json() == {"message": "Not Found", "error": 404}
    with pytest.raises(prawcore.NotFound):
        _ = client.submission("zzzzzzz").title
    assert seen[-1].json() == {"message": "Not Found", "error": 404}


# --- Pinterest: the official pinterest-api-sdk -----------------------------------------------------------------


@pytest.fixture
def pinterest(sandbox: Sandbox, states: dict[str, SandboxState]) -> PinterestSDKClient:
    scopes = ["boards:read", "boards:write", "pins:read", "pins:write", "user_accounts:read"]
    token = states["pinterest"].issue_token(scopes)
    return PinterestSDKClient(
        configuration=Configuration(access_token=token.access_token, host=f"{sandbox.base('pinterest')}/v5")
    )


def test_official_sdk_creates_a_board_and_a_pin_and_reads_each_back(
    pinterest: PinterestSDKClient, states: dict[str, SandboxState]
) -> None:
    board = Board.create(name="Summer soups", description="Cold ones", privacy="PUBLIC", client=pinterest)
    assert board.name == "Summer soups"  # Board.create re-reads the board: GET /v5/boards/{id}
    assert (Board(board_id=board.id, client=pinterest).privacy, board.id.isdigit()) == ("PUBLIC", True)

    # Pin.create posts the pin, then re-reads it with GET /v5/pins/{id}: the re-read must find it.
    pin = Pin.create(
        board_id=board.id,
        title="Gazpacho",
        description="Tomatoes, cucumber, bread",
        link="https://example.test/gazpacho",
        media_source={"source_type": "image_url", "url": "https://example.test/gazpacho.jpg"},
        client=pinterest,
    )
    assert (pin.title, pin.board_id, pin.link) == ("Gazpacho", board.id, "https://example.test/gazpacho")
    [published] = states["pinterest"].published
    assert published.id == pin.id and published.payload["board_id"] == board.id


def test_official_sdk_hears_pinterest_s_code_and_message_for_a_missing_pin(pinterest: PinterestSDKClient) -> None:
    with pytest.raises(NotFoundException) as caught:
        Pin(pin_id="123456789", client=pinterest)
    assert caught.value.status == 404
    assert httpx.Response(404, content=caught.value.body).json() == {"code": 404, "message": "Pin not found."}


# --- Facebook: the official Business SDK ------------------------------------------------------------------------


@pytest.fixture
def graph(sandbox: Sandbox, states: dict[str, SandboxState]) -> tuple[FacebookAdsApi, str, list[requests.Response]]:
    """The SDK with a Page token (read from /me/accounts with a long-lived user token, as a client gets one)."""
    user = states["facebook"].issue_token(["pages_show_list", "pages_manage_posts", "read_insights"])
    user.expires_at += 60 * 86400  # long-lived, so the Page token is too
    accounts = httpx.get(
        f"{sandbox.base('facebook')}/v23.0/me/accounts",
        params={"access_token": user.access_token, "fields": "id,access_token"},
    ).json()
    page = accounts["data"][0]
    session = FacebookSession(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, page["access_token"])
    session.GRAPH = sandbox.base("facebook")
    seen = recorder(session.requests)
    return FacebookAdsApi(session, api_version="v23.0"), page["id"], seen


def test_business_sdk_reads_the_page_node(graph: tuple[FacebookAdsApi, str, list[requests.Response]]) -> None:
    api, page_id, seen = graph
    page = Page(page_id, api=api).api_get(fields=["name", "username", "fan_count", "link"])
    assert (page["id"], page["name"], page["username"]) == (page_id, "Sandbox Bakery", "sandboxbakery")
    assert isinstance(page["fan_count"], int) and page["link"].endswith(f"/{page_id}")
    request = seen[-1].request
    # The SDK reads a node at "/{id}/" with the token as a query parameter (and an appsecret_proof).
    assert urlsplit(request.url or "").path.endswith(f"/v23.0/{page_id}/") and seen[-1].status_code == 200
    assert {"access_token", "appsecret_proof", "fields"} <= set(parse_qs(urlsplit(request.url or "").query))


@pytest.mark.filterwarnings("ignore:Endpoint photos cannot upload files:UserWarning")
def test_business_sdk_uploads_a_photo_as_source0(
    graph: tuple[FacebookAdsApi, str, list[requests.Response]], states: dict[str, SandboxState], tmp_path: Path
) -> None:
    api, page_id, seen = graph
    picture = tmp_path / "bread.png"
    picture.write_bytes(PNG)
    request = Page(page_id, api=api).create_photo(params={"caption": "From the SDK", "published": True}, pending=True)
    photo = request.add_file(str(picture)).execute()

    assert b'name="source0"' in (seen[-1].request.body or b"")
    [post] = states["facebook"].published
    assert post.id == photo["post_id"] and post.payload["message"] == "From the SDK"
    assert post.payload["bytes"] == len(PNG)


@pytest.mark.filterwarnings("ignore:Endpoint photos cannot upload files:UserWarning")
@pytest.mark.filterwarnings("ignore:value of metric might not be compatible:UserWarning")
def test_business_sdk_reads_insights_with_a_json_array_of_metrics(
    graph: tuple[FacebookAdsApi, str, list[requests.Response]], tmp_path: Path
) -> None:
    api, page_id, seen = graph
    picture = tmp_path / "bread.png"
    picture.write_bytes(PNG)
    photo = Page(page_id, api=api).create_photo(params={"caption": "Count me"}, pending=True)
    post_id = photo.add_file(str(picture)).execute()["post_id"]

    insights = PagePost(post_id, api=api).get_insights(params={"metric": ["post_media_view", "post_clicks"]})

    sent = parse_qs(urlsplit(seen[-1].request.url or "").query)["metric"]
    assert sent == ['["post_media_view","post_clicks"]']  # the SDK JSON-encodes list parameters
    assert {item["name"]: item["values"][0]["value"] for item in insights} == {"post_media_view": 120, "post_clicks": 7}


def test_graph_takes_the_token_as_a_form_field(sandbox: Sandbox, states: dict[str, SandboxState]) -> None:
    user = states["facebook"].issue_token(["pages_show_list", "pages_manage_posts"])
    accounts = httpx.get(
        f"{sandbox.base('facebook')}/v23.0/me/accounts",
        params={"access_token": user.access_token, "fields": "id,access_token"},
    ).json()
    page = accounts["data"][0]
    answer = httpx.post(
        f"{sandbox.base('facebook')}/v23.0/{page['id']}/feed",
        data={"message": "Token in the body", "access_token": page["access_token"]},
    )
    assert answer.status_code == 200 and answer.json()["id"].startswith(f"{page['id']}_")
    assert states["facebook"].published[0].payload["message"] == "Token in the body"


def test_business_sdk_hears_graph_s_envelope_for_an_unknown_path(
    graph: tuple[FacebookAdsApi, str, list[requests.Response]],
) -> None:
    api, page_id, _ = graph
    with warnings.catch_warnings(), pytest.raises(FacebookRequestError) as caught:
        api.call("GET", (page_id, "feed", "nothing", "here"))
    assert caught.value.api_error_code() == 2500 and caught.value.api_error_type() == "OAuthException"
    assert "Unknown path components" in caught.value.api_error_message()


# --- LinkedIn: the official linkedin-api-client ------------------------------------------------------------------


@pytest.fixture
def linkedin(sandbox: Sandbox, states: dict[str, SandboxState]) -> tuple[RestliClient, Loopback, str]:
    token = states["linkedin"].issue_token(["openid", "profile", "w_member_social"])
    client = RestliClient()
    loopback = Loopback(sandbox.base("linkedin"))
    client.session.mount("https://api.linkedin.com", loopback)
    return client, loopback, token.access_token


def test_official_client_posts_an_image_right_after_uploading_it(
    linkedin: tuple[RestliClient, Loopback, str], states: dict[str, SandboxState]
) -> None:
    client, loopback, token = linkedin
    me = client.get(resource_path="/userinfo", access_token=token)
    owner = f"urn:li:person:{me.entity['sub']}"
    upload = client.action(
        resource_path="/images",
        action_name="initializeUpload",
        action_params={"initializeUploadRequest": {"owner": owner}},
        version_string=LINKEDIN_VERSION,
        access_token=token,
    )
    put = requests.put(upload.value["uploadUrl"], data=PNG, headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert put.status_code == 201

    # LinkedIn's own image-post flow: straight from the PUT to the post, no status polling in between.
    created = client.create(
        resource_path="/posts",
        entity={
            "author": owner,
            "commentary": "Fresh from the official client",
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "content": {"media": {"id": upload.value["image"], "altText": "A tiny PNG"}},
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        },
        version_string=LINKEDIN_VERSION,
        access_token=token,
    )

    assert created.status_code == 201 and created.entity_id.startswith("urn:li:share:")
    assert [urlsplit(r.url or "").path.rsplit("/", 1)[-1] for r in loopback.sent] == ["userinfo", "images", "posts"]
    assert loopback.sent[-1].headers["X-Restli-Protocol-Version"] == "2.0.0"
    [post] = states["linkedin"].published
    assert post.id == created.entity_id and post.payload["content"]["media"]["id"] == upload.value["image"]


def test_official_client_hears_linkedin_s_envelope_for_an_unknown_resource(
    linkedin: tuple[RestliClient, Loopback, str],
) -> None:
    client, _, token = linkedin
    missing = client.get(resource_path="/notAResource", access_token=token, version_string=LINKEDIN_VERSION)
    assert missing.status_code == 404
    assert missing.response.json() == {
        "status": 404,
        "message": "No virtual resource found",
        "code": "RESOURCE_NOT_FOUND",
        "serviceErrorCode": 0,
    }
