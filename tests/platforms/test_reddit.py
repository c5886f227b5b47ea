"""Reddit: the production client against the Data API sandbox (PLATFORMS.md §9, §10, §11)."""

from __future__ import annotations

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
from socialhub.platforms.reddit import RedditClient
from socialhub.sandbox import reddit as reddit_sandbox
from socialhub.sandbox.common import SandboxState
from tests.platforms.conftest import REDIRECT_URI, Sandbox, connect

PNG = MediaItem(kind="image", content_type="image/png", data=b"\x89PNG\r\n\x1a\n" + b"p" * 300, filename="a.png")
MP4 = MediaItem(
    kind="video", content_type="video/mp4", data=b"\x00\x00\x00\x18ftypmp42" + b"v" * 5000, filename="v.mp4"
)


@pytest.fixture
def client(make_client: Callable[..., PlatformClient]) -> RedditClient:
    made = make_client("reddit", user_agent="web:socialhub-tests:0.1 (by /u/socialhub_dev)")
    assert isinstance(made, RedditClient)
    made.sleep = lambda _seconds: None
    return made


@pytest.fixture
def state(sandbox: Sandbox) -> SandboxState:
    return sandbox.states["reddit"]


def connected(client: RedditClient, sandbox: Sandbox) -> tuple[str, AccountIdentity]:
    token = connect(client, sandbox)
    return token.access_token, client.identity(token.access_token)[0]


def draft(title: str = "Hello Reddit", sr: str = "sandbox", text: str = "", media: tuple = (), **options: Any) -> Draft:
    return Draft(text=text, media=media, options={"subreddit": sr, "title": title, **options})


# --- OAuth -------------------------------------------------------------------------------------------------


def test_connect_asks_for_a_permanent_grant_and_gets_a_one_hour_token_with_refresh_token(client, sandbox):
    request = client.authorization_url(state="s", redirect_uri=REDIRECT_URI)
    token = connect(client, sandbox)

    assert "duration=permanent" in request.url
    assert "scope=identity+submit+read+history" in request.url
    assert token.refresh_token
    assert token.expires_at and timedelta(minutes=59) < token.expires_at - datetime.now(UTC) <= timedelta(hours=1)


def test_a_temporary_grant_carries_no_refresh_token(client, sandbox):
    request = client.authorization_url(state="s", redirect_uri=REDIRECT_URI)
    consent = httpx.get(request.url.replace("duration=permanent", "duration=temporary"))
    code = httpx.URL(consent.headers["location"]).params["code"]

    token = client.exchange_code(code=code, redirect_uri=REDIRECT_URI, code_verifier=None)

    assert token.refresh_token is None


def test_the_token_endpoint_requires_basic_client_auth(sandbox):
    response = httpx.post(
        f"{sandbox.base('reddit')}/api/v1/access_token",
        data={"grant_type": "refresh_token", "refresh_token": "x", "client_id": "a", "client_secret": "b"},
        headers={"User-Agent": "web:test:0.1 (by /u/someone)"},
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_refresh_keeps_the_original_refresh_token_working(client, sandbox):
    original = connect(client, sandbox)
    assert original.refresh_token

    refreshed = client.refresh(original.refresh_token)
    again = client.refresh(original.refresh_token)  # not rotated: the same one still works

    # Reddit sends no refresh token back; the stored one stays (authlib already carries it over).
    assert refreshed.refresh_token in (None, original.refresh_token)
    assert original.merged_with(refreshed).refresh_token == original.refresh_token
    assert refreshed.access_token != original.access_token != again.access_token
    assert client.identity(again.access_token)[0].username == "sandbox_writer"


def test_revoking_the_refresh_token_kills_its_access_tokens(client, sandbox, state):
    original = connect(client, sandbox)
    assert original.refresh_token
    refreshed = client.refresh(original.refresh_token)

    assert client.revoke(original.refresh_token) is True

    assert state.counters["revoke"] == 1
    for token in (original.access_token, refreshed.access_token):
        with pytest.raises(AuthError):
            client.identity(token)
    with pytest.raises(AuthError):
        client.refresh(original.refresh_token)


# --- identity and User-Agent --------------------------------------------------------------------------------


def test_identity_is_the_reddit_user(client, sandbox):
    token = connect(client, sandbox)

    [account] = client.identity(token.access_token)

    assert (account.id, account.username, account.kind) == ("1a2b3c4d", "sandbox_writer", "user")
    assert account.avatar_url == "https://styles.redditmedia.com/a.png?w=256&s=1"  # HTML escaping undone


def test_a_generic_user_agent_is_throttled(make_client, sandbox):
    client = make_client("reddit", user_agent="python-httpx/0.28.1")
    request = client.authorization_url(state="test-state", redirect_uri=REDIRECT_URI)
    code = httpx.URL(httpx.get(request.url).headers["location"]).params["code"]

    with pytest.raises(RateLimited):
        client.exchange_code(code=code, redirect_uri=REDIRECT_URI, code_verifier=None)


# --- publishing ---------------------------------------------------------------------------------------------


def test_text_post_is_submitted_with_its_permalink(client, sandbox, state):
    token, account = connected(client, sandbox)

    result = client.publish(token, account, draft(text="Body **markdown**", nsfw=True, flair_id="f1"))

    [post] = state.published
    assert post.kind == "self" and post.id == result.post_id
    assert (post.payload["subreddit"], post.payload["title"], post.payload["text"]) == (
        "sandbox",
        "Hello Reddit",
        "Body **markdown**",
    )
    assert result.permalink == f"{sandbox.base('reddit')}/r/sandbox/comments/{post.id}/hello_reddit/"


def test_subreddit_given_as_r_slash_name_is_accepted(client, sandbox, state):
    token, account = connected(client, sandbox)

    client.publish(token, account, draft(sr="/r/sandbox/"))

    assert state.published[0].payload["subreddit"] == "sandbox"


def test_link_post_then_the_same_link_again_resolves_to_the_first_post(client, sandbox, state):
    token, account = connected(client, sandbox)
    link = "https://example.com/article"
    first = client.publish(token, account, draft(link=link, text="why it matters"))

    with pytest.raises(DuplicateIsSuccess) as caught:
        client.publish(token, account, draft(title="Another title", link=link))

    assert caught.value.post_id == first.post_id and caught.value.permalink == first.permalink
    assert caught.value.code == "ALREADY_SUB"
    [post] = state.published
    assert post.kind == "link" and post.payload["url"] == link and post.payload["text"] == "why it matters"


def test_already_submitted_by_someone_else_is_permanent(client, sandbox):
    token, account = connected(client, sandbox)
    sandbox.fault("reddit", r"/api/submit$", "duplicate")

    with pytest.raises(PermanentError) as caught:
        client.publish(token, account, draft(link="https://example.com/theirs"))

    assert not isinstance(caught.value, DuplicateIsSuccess)
    assert caught.value.code == "ALREADY_SUB"
    assert caught.value.platform_message == "that link has already been submitted (field: url)"


def test_image_post_uploads_through_the_lease_and_is_found_in_the_listing(client, sandbox, state):
    token, account = connected(client, sandbox)

    result = client.publish(token, account, draft(media=(PNG,)))

    [post] = state.published
    assert post.kind == "image" and result.post_id == post.id
    [asset] = state.objects["assets"].values()
    assert asset["uploaded"] and asset["bytes"] == len(PNG.data or b"")
    assert post.payload["url"].endswith(asset["key"])  # the media URL from S3's <Location>
    assert result.permalink == f"{sandbox.base('reddit')}/r/sandbox/comments/{post.id}/hello_reddit/"


def test_video_post_uploads_video_and_poster_and_waits_for_processing(client, sandbox, state):
    token, account = connected(client, sandbox)
    polls: list[float] = []
    client.sleep = polls.append

    result = client.publish(token, account, draft(media=(MP4, PNG)))

    [post] = state.published
    assert post.kind == "video" and result.post_id == post.id
    assert len(state.objects["assets"]) == 2
    assert polls == [client.poll_interval_seconds] * 2  # three listing polls: processing, processing, shown


@pytest.mark.parametrize(("content_type", "kind", "uploads"), [("image/gif", "image", 1), ("video/mp4", "videogif", 2)])
def test_gifs_post_as_images_or_as_video_gifs(client, sandbox, state, content_type, kind, uploads):
    token, account = connected(client, sandbox)
    gif = MediaItem(kind="gif", content_type=content_type, data=b"GIF89a" + b"g" * 100, filename="a.gif")
    media = (gif,) if uploads == 1 else (gif, PNG)

    client.publish(token, account, draft(media=media))

    assert [p.kind for p in state.published] == [kind]
    assert len(state.objects["assets"]) == uploads


def test_several_images_become_a_gallery_with_captions(client, sandbox, state):
    token, account = connected(client, sandbox)
    images = tuple(MediaItem(**{**PNG.__dict__, "alt_text": f"photo {n}"}) for n in range(3))

    result = client.publish(token, account, draft(text="the story", media=images))

    [post] = state.published
    assert post.kind == "gallery" and result.post_id == post.id
    assert [item["caption"] for item in post.payload["items"]] == ["photo 0", "photo 1", "photo 2"]
    assert post.payload["text"] == "the story"
    assert result.permalink == f"{sandbox.base('reddit')}/gallery/{post.id}"


def test_oversized_file_is_refused_by_the_upload_target_with_sizes(client, sandbox, state, monkeypatch):
    monkeypatch.setitem(reddit_sandbox.MAX_BYTES, "image", 100)
    token, account = connected(client, sandbox)

    with pytest.raises(PermanentError) as caught:
        client.publish(token, account, draft(media=(PNG,)))

    assert caught.value.code == "EntityTooLarge"
    assert "at most 0.0 MB" in caught.value.explanation
    assert state.published == []


def test_media_post_not_yet_listed_is_maybe_applied_then_found_by_lookup(client, sandbox, state):
    token, account = connected(client, sandbox)
    client.max_listing_polls = 1
    since = datetime.now(UTC)

    with pytest.raises(TransientError) as caught:
        client.publish(token, account, draft(media=(MP4, PNG)))

    assert caught.value.maybe_applied is True
    assert client.lookup_existing(token, account, draft(), since=since) is None  # still processing
    found = client.lookup_existing(token, account, draft(), since=since)
    assert found is not None and found.post_id == state.published[0].id
    assert len(state.published) == 1


def test_lost_response_after_commit_is_found_by_lookup_not_posted_twice(make_client, sandbox, state):
    client = make_client("reddit", timeout=0.5)
    token, account = connected(client, sandbox)
    since = datetime.now(UTC)
    sandbox.fault("reddit", r"/api/submit$", "crash_after_commit", seconds=1.5)

    with pytest.raises(TransientError) as caught:
        client.publish(token, account, draft(title="Exactly once"))
    assert caught.value.maybe_applied is True

    found = client.lookup_existing(token, account, draft(title="Exactly once"), since=since)
    assert len(state.published) == 1
    assert found is not None and found.post_id == state.published[0].id
    assert client.lookup_existing(token, account, draft(title="Exactly once"), since=since + timedelta(hours=1)) is None
    assert client.lookup_existing(token, account, draft(title="Other title"), since=since) is None


# --- errors ---------------------------------------------------------------------------------------------------


def test_401_is_an_auth_error(client, sandbox):
    token, account = connected(client, sandbox)
    sandbox.fault("reddit", r"/api/submit$", "401")

    with pytest.raises(AuthError) as caught:
        client.publish(token, account, draft())

    assert caught.value.status_code == 401


def test_429_waits_for_the_reset_given_in_seconds_from_now(client, sandbox):
    token, account = connected(client, sandbox)
    sandbox.fault("reddit", r"/api/submit$", "429", reset_in=120)

    with pytest.raises(RateLimited) as caught:
        client.publish(token, account, draft())

    assert caught.value.reset_at is not None
    assert timedelta(seconds=115) < caught.value.reset_at - datetime.now(UTC) <= timedelta(seconds=120)


@pytest.mark.parametrize("kind", ["500", "502", "503"])
def test_server_errors_are_transient(client, sandbox, kind):
    token, account = connected(client, sandbox)
    sandbox.fault("reddit", r"/api/submit$", kind)

    with pytest.raises(TransientError) as caught:
        client.publish(token, account, draft())

    assert caught.value.code == kind and caught.value.maybe_applied is False


def test_rate_limit_headers_are_read_and_a_spent_window_is_a_rate_limit(client, sandbox, state):
    token, account = connected(client, sandbox)  # identity: the token's first request
    state.objects["window_limit"] = 3

    client.publish(token, account, draft())
    assert (client.rate_limit.limit, client.rate_limit.remaining) == (3, 1)
    assert client.rate_limit.reset_at and client.rate_limit.reset_at - datetime.now(UTC) > timedelta(minutes=9)
    client.fetch_metrics(token, account, [state.published[0].id])
    assert client.rate_limit.remaining == 0
    with pytest.raises(RateLimited) as caught:
        client.fetch_metrics(token, account, [state.published[0].id])

    assert caught.value.code == "429"
    assert caught.value.reset_at and caught.value.reset_at - datetime.now(UTC) > timedelta(minutes=9)


@pytest.mark.parametrize(
    ("options", "code", "words"),
    [
        ({"sr": "nosuchplace"}, "SUBREDDIT_NOEXIST", "doesn't exist"),
        ({"sr": "private"}, "SUBREDDIT_NOTALLOWED", "isn't allowed"),
        ({"sr": "linksonly"}, "NO_SELFS", "doesn't accept text posts"),
        ({"sr": "textonly", "link": "https://example.com"}, "NO_LINKS", "only accepts text posts"),
        ({"sr": "flairrequired"}, "SUBMIT_VALIDATION_FLAIR_REQUIRED", "requires post flair"),
        ({"title": "t" * 301}, "TOO_LONG", "longer than Reddit allows"),
    ],
)
def test_submit_refusals_in_json_errors_are_permanent_with_reddits_words(client, sandbox, state, options, code, words):
    token, account = connected(client, sandbox)

    with pytest.raises(PermanentError) as caught:
        client.publish(token, account, draft(**options))

    assert caught.value.code == code
    assert words in caught.value.explanation
    assert caught.value.status_code == 200  # Reddit refuses with HTTP 200
    assert caught.value.platform_message and "(field:" in caught.value.platform_message
    assert state.published == []


def test_spam_throttle_waits_as_long_as_the_message_says(client, sandbox, state):
    token, account = connected(client, sandbox)
    state.objects["throttle_minutes"] = 7

    with pytest.raises(RateLimited) as caught:
        client.publish(token, account, draft())

    assert caught.value.code == "RATELIMIT"
    assert caught.value.reset_at
    assert timedelta(minutes=6, seconds=55) < caught.value.reset_at - datetime.now(UTC) <= timedelta(minutes=7)


def submit_errors(*entry: Any) -> httpx.Response:
    return httpx.Response(200, json={"json": {"errors": [list(entry)]}})


def test_error_signals_map_onto_the_taxonomy(client):
    now = datetime.now(UTC)
    break_for = client.classify(submit_errors("RATELIMIT", "Take a break for 30 seconds before trying again.", "x"))
    assert isinstance(break_for, RateLimited) and break_for.reset_at
    assert break_for.reset_at - now <= timedelta(seconds=31)
    unparsed = client.classify(submit_errors("RATELIMIT", "slow down", None))
    assert isinstance(unparsed, RateLimited) and unparsed.reset_at and unparsed.reset_at - now > timedelta(minutes=9)
    assert isinstance(client.classify(submit_errors("USER_REQUIRED", "Please log in to do that.", None)), AuthError)
    unknown = client.classify(submit_errors("SOMETHING_NEW", "a new rule", "text"))
    assert isinstance(unknown, PermanentError) and unknown.code == "SOMETHING_NEW"
    assert unknown.user_message.startswith("Reddit refused the post. Reddit said: “a new rule (field: text)”.")
    for status in (408, 520, 522):
        assert isinstance(client.classify(httpx.Response(status)), TransientError)
    for status in (400, 403, 404, 413, 451):
        assert type(client.classify(httpx.Response(status))) is PermanentError
    assert client.classify(httpx.Response(200, json={"json": {"errors": [], "data": {"id": "a"}}})) is None


# --- validation -------------------------------------------------------------------------------------------------


def image(kind: str = "image", content_type: str = "image/png") -> MediaItem:
    return MediaItem(kind=kind, content_type=content_type, data=b"x")


@pytest.mark.parametrize(
    ("candidate", "problem"),
    [
        (draft(title="t" * 300), None),
        (draft(title="t" * 301), "at most 300 characters; this one has 301"),
        (draft(title="  "), "need a title"),
        (Draft(text="x", options={"title": "t"}), "Choose the subreddit"),
        (draft(sr="r/python"), None),
        (draft(sr="no spaces allowed"), "isn't a subreddit name"),
        (draft(sr="ab"), "isn't a subreddit name"),
        (draft(text="a" * 40_000), None),
        (draft(text="a" * 40_001), "at most 40,000 characters"),
        (draft(link="ftp://example.com"), "full web address"),
        (draft(link="https://example.com", media=(image(),)), "a link or media, not both"),
        (draft(media=(image("video", "video/mp4"),)), "poster image"),
        (draft(media=(image("video", "video/mp4"), image("video", "video/mp4"), image())), "only one video"),
        (draft(media=(image(),) * 20, text="gallery text is fine"), None),
        (draft(media=(image(),) * 21), "at most 20 images"),
        (draft(media=(image("document", "application/pdf"),)), "not documents"),
        (draft(media=(image(),), text="words"), "no body text"),
        (draft(media=(image(content_type="image/webp"),)), "can't take attachment 1 as image/webp"),
        (draft(media=(MediaItem(kind="image", content_type="image/png", url="https://x/y.png"),)), "no file"),
    ],
)
def test_validation_explains_each_rule_at_its_boundary(client, candidate, problem):
    problems = client.validate(candidate)

    if problem is None:
        assert problems == []
    else:
        assert any(problem in sentence for sentence in problems), problems


# --- metrics ------------------------------------------------------------------------------------------------------


def test_metrics_come_from_api_info_by_fullname(client, sandbox, state):
    token, account = connected(client, sandbox)
    first = client.publish(token, account, draft(title="one"))
    second = client.publish(token, account, draft(title="two"))

    metrics = client.fetch_metrics(token, account, [first.post_id, f"t3_{second.post_id}", "gone123"])

    expected = {"score": 42, "likes": 42, "comments": 5, "crossposts": 1, "upvote_ratio_percent": 97}
    assert metrics == {first.post_id: expected, second.post_id: expected}
