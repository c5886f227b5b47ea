"""X: the production client against the X sandbox (OAuth + PKCE, posts, media, errors), and twitter-text counting."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from socialhub.platforms.base import AccountIdentity, Draft, MediaItem, TokenSet
from socialhub.platforms.errors import (
    AuthError,
    DuplicateIsSuccess,
    PermanentError,
    RateLimited,
    TransientError,
)
from socialhub.platforms.x import XClient
from socialhub.platforms.x_text import weighted_length
from socialhub.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from tests.platforms.conftest import REDIRECT_URI, Sandbox, connect

MB = 1024 * 1024
FAMILY = "👨\u200d👩\u200d👧\u200d👦"
ENGLAND = "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"


@pytest.fixture
def x(make_client: Any) -> XClient:
    client: XClient = make_client("x", timeout=0.5)
    client.sleep = lambda _seconds: None  # type: ignore[method-assign]
    return client


@pytest.fixture
def token(x: XClient, sandbox: Sandbox) -> TokenSet:
    return connect(x, sandbox)


@pytest.fixture
def account(x: XClient, token: TokenSet) -> AccountIdentity:
    return x.identity(token.access_token)[0]


def published(sandbox: Sandbox) -> list[Any]:
    return sandbox.states["x"].published


def image(name: str = "photo.png", size: int = 2048) -> MediaItem:
    return MediaItem(kind="image", content_type="image/png", data=b"\x89PNG" + b"i" * (size - 4), filename=name)


def video(data: bytes = b"\x00\x00\x00\x18ftypmp42" + b"v" * 2500, kind: str = "video") -> MediaItem:
    content_type = "image/gif" if kind == "gif" else "video/mp4"
    return MediaItem(kind=kind, content_type=content_type, data=data, filename=f"clip.{kind}", duration_seconds=3)


# --- weighted length (twitter-text v3) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 280, 280),
        ("a" * 281, 281),
        ("故" * 140, 280),
        ("故" * 141, 282),
        ("😷" * 140, 280),
        (FAMILY * 140, 280),
        (FAMILY * 141, 282),
        ("🇯🇵" * 140, 280),
        (ENGLAND, 2),
        ("👍🏽", 2),
        ("🏌🏽\u200d♂️", 2),
        ("🏳️\u200d🌈", 2),
        ("1️⃣", 2),
        ("©", 1),
        ("©️", 2),
        ("H🐱☺" + FAMILY, 7),  # twitter-text conformance (WeightedTweetsWithDiscountedEmojiCounterTest)
        ("🙋🏽👨\u200d🎤", 4),
        ("e\u0301", 1),  # NFC: e + combining acute is one é
        ("\u2000\u200b\u2010\u201f\u2032\u2037", 6),  # general punctuation in the weight-1 ranges
        ("\u2038\u3000", 4),  # just outside them
        ("https://example.com/" + "a" * 300, 23),
        ("http://test.co", 23),
        ("Hi http://test.co", 26),
        ("example.com/path", 23),
        ("foo.co.jp", 23),
        ("README.md", 23),  # .md is Moldova's ccTLD, and twitter-text links a bare ccTLD domain (conformance: it.so)
        ("\r\n", 1),  # line endings fold to one \n
        ("me@example.com", 14),
        ("Visit https://example.com.", 30),  # the full stop is not part of the link
        ("https://example.com日本", 27),
        ("Hello 世界 👋 https://x.com/a", 37),
        ("a" * 256 + " " + "https://example.com/" + "x" * 90, 280),
        ("a" * 257 + " " + "example.com/path", 281),
    ],
)
def test_weighted_length_follows_twitter_text_v3(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://" + "日本語" * 7 + ".jp", 23),  # punycode label of 46 characters: a link
        ("https://" + "日本語" * 17 + ".jp", 8 + 102 + 3),  # over 63 in punycode: no link, every character counts
        ("https://twitter.한국", 23),  # non-ASCII TLDs are on X's list
        ("https://twitter.みんな", 23),
        ("https://twitter.vermögensberatung", 23),
        ("http://test.-twitter.com", 24),  # a label may not start with a hyphen
    ],
)
def test_weighted_length_knows_what_x_links(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


def test_validate_refuses_the_characters_x_refuses_and_says_where(x: XClient) -> None:
    assert x.validate(Draft("Bonjour\ufeff")) == [
        "X refuses posts containing the invisible character U+FEFF (zero width no-break space) at character 8. "
        "Remove it and try again."
    ]
    assert x.validate(Draft("a\ufffeb\uffffc\ufffe")) == [
        "X refuses posts containing invisible characters: U+FFFE (noncharacter) at characters 2, 6; "
        "U+FFFF (noncharacter) at character 4. Remove them and try again."
    ]
    assert x.validate(Draft("Bonjour")) == []


def test_validate_accepts_280_weighted_characters_and_refuses_281(x: XClient) -> None:
    assert x.validate(Draft("a" * 280)) == []
    assert x.validate(Draft("故" * 140)) == []
    assert x.validate(Draft(FAMILY * 140)) == []
    for text in ("a" * 281, "故" * 141, FAMILY * 141, "🇯🇵" * 141):
        [problem] = x.validate(Draft(text))
        assert "X allows 280" in problem and "Remove" in problem


# --- validation -----------------------------------------------------------------------------------------------


def test_validate_allows_four_images_but_not_five(x: XClient) -> None:
    assert x.validate(Draft("hi", media=tuple(image(f"{i}.png") for i in range(4)))) == []
    assert x.validate(Draft("hi", media=tuple(image(f"{i}.png") for i in range(5)))) == [
        "X allows at most 4 images per post; this one has 5."
    ]


def test_validate_refuses_mixed_media_and_second_gif_or_video(x: XClient) -> None:
    assert any("cannot mix" in p for p in x.validate(Draft("hi", media=(image(), video()))))
    assert any("cannot mix" in p for p in x.validate(Draft("hi", media=(video(kind="gif"), video()))))
    assert "X allows one GIF per post; this one has 2." in x.validate(
        Draft("hi", media=(video(kind="gif"), video(kind="gif")))
    )
    assert "X allows one video per post; this one has 2." in x.validate(Draft("hi", media=(video(), video())))


@pytest.mark.parametrize(
    ("kind", "content_type", "limit_mb"),
    [("image", "image/jpeg", 5), ("gif", "image/gif", 15), ("video", "video/mp4", 512)],
)
def test_validate_enforces_file_sizes_at_their_limits(x: XClient, kind: str, content_type: str, limit_mb: int) -> None:
    def item(size: int) -> MediaItem:
        return MediaItem(kind=kind, content_type=content_type, data=b"x", size_bytes=size, filename="f")

    assert x.validate(Draft("hi", media=(item(limit_mb * MB),))) == []
    [problem] = x.validate(Draft("hi", media=(item(limit_mb * MB + 1),)))
    assert f"up to {limit_mb} MB" in problem


@pytest.mark.parametrize(("seconds", "ok"), [(0.5, True), (140, True), (0.4, False), (140.5, False), (None, True)])
def test_validate_checks_video_duration_when_known(x: XClient, seconds: float | None, ok: bool) -> None:
    item = MediaItem(kind="video", content_type="video/mp4", data=b"v", duration_seconds=seconds, filename="v.mp4")
    problems = x.validate(Draft("hi", media=(item,)))
    assert (problems == []) is ok
    if not ok:
        assert "0.5 to 140 seconds" in problems[0]


def test_validate_refuses_empty_posts_documents_and_video_alt_text(x: XClient) -> None:
    assert x.validate(Draft("")) == ["An X post needs text or at least one image, GIF or video."]
    pdf = MediaItem(kind="document", content_type="application/pdf", data=b"%PDF", filename="a.pdf")
    assert any("cannot attach a document" in p for p in x.validate(Draft("hi", media=(pdf,))))
    clip = MediaItem(kind="video", content_type="video/mp4", data=b"v", alt_text="a clip", filename="v.mp4")
    assert any("alt text for images and GIFs only" in p for p in x.validate(Draft("hi", media=(clip,))))


# --- OAuth ----------------------------------------------------------------------------------------------------


def test_connect_uses_pkce_s256_and_gets_a_rotating_refresh_token(x: XClient, sandbox: Sandbox) -> None:
    request = x.authorization_url(state="s", redirect_uri=REDIRECT_URI)
    query = parse_qs(urlsplit(request.url).query)
    assert query["code_challenge_method"] == ["S256"] and request.code_verifier
    assert set(query["scope"][0].split()) >= {"tweet.write", "media.write", "offline.access"}
    token = connect(x, sandbox)
    assert token.refresh_token and "offline.access" in token.scopes
    assert token.expires_at and timedelta(hours=1.9) < token.expires_at - datetime.now(UTC) <= timedelta(hours=2)


def _code(x: XClient) -> tuple[str, str | None]:
    request = x.authorization_url(state="s", redirect_uri=REDIRECT_URI)
    consent = httpx.get(request.url, follow_redirects=False)
    return parse_qs(urlsplit(consent.headers["location"]).query)["code"][0], request.code_verifier


def test_sandbox_rejects_a_wrong_or_missing_pkce_verifier(x: XClient) -> None:
    code, _verifier = _code(x)
    with pytest.raises(AuthError) as wrong:
        x.exchange_code(code=code, redirect_uri=REDIRECT_URI, code_verifier="not-the-verifier" * 3)
    assert wrong.value.code == "invalid_grant"
    code, _verifier = _code(x)
    with pytest.raises(AuthError):
        x.exchange_code(code=code, redirect_uri=REDIRECT_URI, code_verifier=None)


def test_sandbox_requires_an_s256_challenge_and_basic_auth(x: XClient, sandbox: Sandbox) -> None:
    no_pkce = httpx.get(
        f"{sandbox.base('x')}/i/oauth2/authorize",
        params={"response_type": "code", "client_id": "c", "redirect_uri": REDIRECT_URI, "state": "s"},
    )
    assert no_pkce.status_code == 400
    code, verifier = _code(x)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "code_verifier": verifier}
    in_body = httpx.post(
        x.endpoints.token_url, data=form | {"client_id": SANDBOX_CLIENT_ID, "client_secret": SANDBOX_CLIENT_SECRET}
    )
    assert in_body.status_code == 401 and in_body.json()["error"] == "invalid_client"


def test_refresh_rotates_and_the_old_refresh_token_stops_working(x: XClient, token: TokenSet) -> None:
    assert token.refresh_token
    newer = token.merged_with(x.refresh(token.refresh_token))
    assert newer.refresh_token and newer.refresh_token != token.refresh_token
    assert x.identity(newer.access_token)[0].username == "sandbox_creator"
    with pytest.raises(AuthError) as stale:
        x.refresh(token.refresh_token)
    assert stale.value.code == "invalid_grant"
    assert x.refresh(newer.refresh_token).access_token  # the newest one still works


def test_no_refresh_token_without_offline_access(x: XClient, sandbox: Sandbox) -> None:
    x.oauth = replace(XClient.oauth, scopes=("tweet.read", "users.read"))  # type: ignore[misc]
    token = connect(x, sandbox)
    assert token.refresh_token is None
    with pytest.raises(AuthError):
        x.refresh(token.refresh_token or "")


def test_revoke_makes_the_token_useless(x: XClient, token: TokenSet, sandbox: Sandbox) -> None:
    assert x.revoke(token.access_token) is True
    with pytest.raises(AuthError):
        x.identity(token.access_token)
    assert sandbox.states["x"].counters["revoke"] == 1


def test_identity_reads_users_me(x: XClient, token: TokenSet) -> None:
    [me] = x.identity(token.access_token)
    assert (me.id, me.username, me.display_name) == ("1798200000000000001", "sandbox_creator", "Sandbox Creator")
    assert me.avatar_url and me.avatar_url.startswith("https://pbs.twimg.com/")
    assert x.rate_limit.limit == 75 and x.rate_limit.remaining == 74


# --- publishing -----------------------------------------------------------------------------------------------


def test_text_post_is_created_with_its_permalink(
    x: XClient, token: TokenSet, account: AccountIdentity, sandbox: Sandbox
) -> None:
    result = x.publish(token.access_token, account, Draft("Hello from SocialHub & friends"))
    [post] = published(sandbox)
    assert (post.id, post.kind, post.payload["text"]) == (result.post_id, "text", "Hello from SocialHub & friends")
    assert result.permalink == f"{sandbox.base('x')}/sandbox_creator/status/{result.post_id}"


def test_four_images_upload_one_by_one_with_alt_text(
    x: XClient, token: TokenSet, account: AccountIdentity, sandbox: Sandbox
) -> None:
    media = tuple(image(f"{i}.png") for i in range(4))
    handles: list[str] = []
    draft = Draft("Four pictures", media=media, options={"alt_text": ["one", "two", "three", "four"]})
    result = x.publish(token.access_token, account, draft, on_handle=handles.append)
    [post] = published(sandbox)
    assert post.id == result.post_id and post.kind == "image"
    assert len(post.payload["media_ids"]) == 4 and handles == [",".join(post.payload["media_ids"])]
    assert post.payload["alt_texts"] == ["one", "two", "three", "four"]
    assert sandbox.states["x"].counters["uploads"] == 4


@pytest.mark.parametrize("kind", ["video", "gif"])
def test_video_and_gif_go_through_chunks_and_processing_polls(
    x: XClient, token: TokenSet, account: AccountIdentity, sandbox: Sandbox, kind: str
) -> None:
    x.chunk_size = 1000  # 2512 bytes → three appends
    waits: list[float] = []
    x.sleep = waits.append  # type: ignore[method-assign]
    handles: list[str] = []
    result = x.publish(
        token.access_token, account, Draft(f"A {kind}", media=(video(kind=kind),)), on_handle=handles.append
    )
    counters = sandbox.states["x"].counters
    assert (counters["initialize"], counters["append"], counters["finalize"], counters["status"]) == (1, 3, 1, 2)
    assert waits == [1.0, 1.0]  # check_after_secs before each STATUS poll
    [post] = published(sandbox)
    assert post.kind == kind and post.id == result.post_id and handles == post.payload["media_ids"]
    media = sandbox.states["x"].objects["media"][handles[0]]
    assert media["category"] == f"tweet_{kind}" and media["state"] == "succeeded"


def test_failed_processing_is_permanent_and_posts_nothing(
    x: XClient, token: TokenSet, account: AccountIdentity, sandbox: Sandbox
) -> None:
    with pytest.raises(PermanentError) as failed:
        x.publish(token.access_token, account, Draft("broken", media=(video(b"CORRUPT" + b"x" * 100),)))
    assert failed.value.code == "InvalidMedia" and "UnsupportedMedia" in (failed.value.platform_message or "")
    assert published(sandbox) == []


def test_identical_repost_is_duplicate_success_naming_the_first_post(
    x: XClient, token: TokenSet, account: AccountIdentity, sandbox: Sandbox
) -> None:
    text = "Same words & a link https://example.com/launch?utm=1"
    first = x.publish(token.access_token, account, Draft(text))
    with pytest.raises(DuplicateIsSuccess) as duplicate:
        x.publish(token.access_token, account, Draft(text))
    assert duplicate.value.post_id == first.post_id and duplicate.value.permalink == first.permalink
    assert "duplicate content" in (duplicate.value.platform_message or "")
    assert len(published(sandbox)) == 1


def test_duplicate_refusal_without_a_matching_post_is_permanent(
    x: XClient, token: TokenSet, account: AccountIdentity, sandbox: Sandbox
) -> None:
    sandbox.fault("x", r"/2/tweets$", "duplicate", method="POST")
    with pytest.raises(PermanentError) as refused:
        x.publish(token.access_token, account, Draft("Never posted before"))
    assert not isinstance(refused.value, DuplicateIsSuccess) and refused.value.code == "duplicate-content"


def test_lost_response_after_commit_is_found_by_lookup(
    x: XClient, token: TokenSet, account: AccountIdentity, sandbox: Sandbox
) -> None:
    since = datetime.now(UTC)
    draft = Draft("Posted once <even> if the answer is lost https://example.com/a", media=(image(),))
    sandbox.fault("x", r"/2/tweets$", "crash_after_commit", method="POST", seconds=1.5)
    with pytest.raises(TransientError) as lost:
        x.publish(token.access_token, account, draft)
    assert lost.value.maybe_applied is True
    [post] = published(sandbox)
    assert post.payload["stored_text"] != draft.text  # X's copy has t.co links and escaped entities
    found = x.lookup_existing(token.access_token, account, draft, since=since)
    assert found is not None and found.post_id == post.id
    assert x.lookup_existing(token.access_token, account, Draft("something else"), since=since) is None


def test_lookup_pages_through_a_busy_accounts_posts(
    x: XClient, token: TokenSet, account: AccountIdentity, sandbox: Sandbox
) -> None:
    """A burst of 250 later posts buries the lost one on X's third page of 100: it is still found."""
    since = datetime.now(UTC)
    lost = x.publish(token.access_token, account, Draft("The one whose answer was lost"))
    state = sandbox.states["x"]
    for n in range(250):
        state.publish("tweet", {"stored_text": f"Later post {n}", "media_keys": []}, state.user.id)
    found = x.lookup_existing(token.access_token, account, Draft("The one whose answer was lost"), since=since)
    assert found is not None and found.post_id == lost.post_id
    later = datetime.now(UTC) + timedelta(minutes=5)  # the window excludes it: not looked for beyond it
    assert x.lookup_existing(token.access_token, account, Draft("The one whose answer was lost"), since=later) is None


# --- errors ---------------------------------------------------------------------------------------------------


def test_401_is_an_auth_error(x: XClient, token: TokenSet, account: AccountIdentity, sandbox: Sandbox) -> None:
    sandbox.fault("x", r"/2/tweets$", "401")
    with pytest.raises(AuthError) as denied:
        x.publish(token.access_token, account, Draft("hi"))
    assert denied.value.status_code == 401 and "reconnect" in denied.value.user_message


def test_expired_token_is_an_auth_error(x: XClient, token: TokenSet, sandbox: Sandbox) -> None:
    sandbox.control("x", "POST", "expire-tokens").raise_for_status()
    with pytest.raises(AuthError):
        x.identity(token.access_token)


def test_429_is_rate_limited_until_the_header_reset(
    x: XClient, token: TokenSet, account: AccountIdentity, sandbox: Sandbox
) -> None:
    sandbox.fault("x", r"/2/tweets$", "429", reset_in=600)
    with pytest.raises(RateLimited) as limited:
        x.publish(token.access_token, account, Draft("hi"))
    assert limited.value.reset_at is not None
    assert abs((limited.value.reset_at - datetime.now(UTC)).total_seconds() - 600) < 5


def test_exhausted_window_answers_429_with_the_window_reset(
    x: XClient, token: TokenSet, account: AccountIdentity, sandbox: Sandbox
) -> None:
    sandbox.control("x", "POST", "rate-limits", json={"endpoint": "POST /2/tweets", "limit": 2}).raise_for_status()
    x.publish(token.access_token, account, Draft("one"))
    x.publish(token.access_token, account, Draft("two"))
    assert x.rate_limit.remaining == 0 and x.rate_limit.exhausted
    with pytest.raises(RateLimited) as limited:
        x.publish(token.access_token, account, Draft("three"))
    assert limited.value.reset_at == x.rate_limit.reset_at
    assert timedelta(minutes=14) < limited.value.reset_at - datetime.now(UTC) <= timedelta(minutes=15)
    assert len(published(sandbox)) == 2


def test_usage_cap_is_rate_limited_until_next_month(
    x: XClient, token: TokenSet, account: AccountIdentity, sandbox: Sandbox
) -> None:
    sandbox.fault("x", r"/2/tweets$", "usage-capped")
    with pytest.raises(RateLimited) as capped:
        x.publish(token.access_token, account, Draft("hi"))
    assert capped.value.code == "usage-capped" and capped.value.reset_at
    assert capped.value.reset_at.day == 1 and capped.value.reset_at > datetime.now(UTC)


@pytest.mark.parametrize("status", ["500", "503"])
def test_server_errors_are_transient(
    x: XClient, token: TokenSet, account: AccountIdentity, sandbox: Sandbox, status: str
) -> None:
    sandbox.fault("x", r"/2/media/upload$", status)
    with pytest.raises(TransientError) as failed:
        x.publish(token.access_token, account, Draft("hi", media=(image(),)))
    assert failed.value.status_code == int(status) and failed.value.maybe_applied is False


def test_too_long_text_is_refused_with_x_own_words(x: XClient, token: TokenSet, account: AccountIdentity) -> None:
    with pytest.raises(PermanentError) as refused:
        x.publish(token.access_token, account, Draft("故" * 141))  # validate would have said so; X says it too
    assert refused.value.code == "invalid-request" and refused.value.status_code == 400
    assert refused.value.platform_message and "Tweet text is too long" in refused.value.platform_message


@pytest.mark.parametrize(
    "text",
    [
        "故" * 141,  # CJK weighs 2
        "https://" + "中" * 200 + ".com",  # a host label over 63 punycode characters is no link: 400 + 12
        "aa." * 100 + "aa",  # dotted words without a TLD are no link
        "故\u200d" * 100 + "故",  # a ZWJ between non-emoji joins nothing: 2 + 1 per pair
        "😷\ufe0f\u20e3" * 50,  # no such emoji: 😷, VS16 and the keycap mark weigh 2 each (300)
        "a" * 278 + "\r\n\r\n" + "b",  # each line ending counts 1: 281
        "e\u0301" * 281,  # NFC makes each pair one é: 281
        "https://t.co/" + "a" * 41 + " " + "b" * 240,  # a t.co slug over 40 characters is no link (295)
    ],
)
def test_sandbox_counts_as_x_does_and_refuses_what_x_refuses(
    x: XClient, token: TokenSet, account: AccountIdentity, text: str
) -> None:
    assert weighted_length(text) > 280
    with pytest.raises(PermanentError) as refused:
        x.publish(token.access_token, account, Draft(text))
    assert refused.value.platform_message and "Tweet text is too long" in refused.value.platform_message


@pytest.mark.parametrize(
    "text",
    [
        "故" * 140,
        ("https://" + "中" * 20 + ".com ") * 11 + "a" * 16,  # 11 links (punycode under 63), 11 spaces, 16 letters
        "©" * 280,  # a bare © is a Latin-1 character, not an emoji
        "a." * 140,  # a dotted word without a TLD (the package's own URL matching takes ~1 s on it)
        "a" * 277 + " 👩\u200d👩\u200d👧\u200d👦",  # one family emoji: 2
    ],
)
def test_sandbox_accepts_exactly_280(x: XClient, token: TokenSet, account: AccountIdentity, text: str) -> None:
    assert weighted_length(text) == 280
    assert x.publish(token.access_token, account, Draft(text)).post_id


def test_sandbox_refuses_invalid_characters(x: XClient, token: TokenSet, account: AccountIdentity) -> None:
    with pytest.raises(PermanentError) as refused:
        x.publish(token.access_token, account, Draft("Hello\ufffe"))
    assert refused.value.status_code == 400
    assert refused.value.platform_message and "not allowed" in refused.value.platform_message


def test_classify_keeps_problem_types(x: XClient) -> None:
    def answer(status: int, body: dict[str, Any]) -> httpx.Response:
        return httpx.Response(status, json=body, request=httpx.Request("POST", "https://api.x.com/2/tweets"))

    forbidden = x.classify(
        answer(
            403,
            {
                "title": "Client Forbidden",
                "type": "https://api.x.com/2/problems/client-forbidden",
                "detail": "not enrolled",
            },
        )
    )
    assert isinstance(forbidden, PermanentError) and forbidden.code == "client-forbidden"
    unsupported = x.classify(
        answer(
            403,
            {
                "title": "Unsupported Authentication",
                "type": "https://api.twitter.com/2/problems/unsupported-authentication",
                "detail": "OAuth 2.0 Application-Only is forbidden",
            },
        )
    )
    assert isinstance(unsupported, AuthError)
    assert x.classify(answer(200, {"data": [], "errors": [{"title": "Not Found Error"}]})) is None


# --- metrics --------------------------------------------------------------------------------------------------


def test_metrics_accept_both_repost_spellings_and_skip_missing_posts(
    x: XClient, token: TokenSet, account: AccountIdentity, sandbox: Sandbox
) -> None:
    old = x.publish(token.access_token, account, Draft("old spelling"))
    new = x.publish(token.access_token, account, Draft("new spelling"))
    posts = {p.id: p for p in published(sandbox)}
    posts[old.post_id].payload["public_metrics"] = {"retweet_count": 3, "like_count": 7, "impression_count": 90}
    posts[new.post_id].payload["public_metrics"] = {"repost_count": 5, "reply_count": 2, "bookmark_count": 1}
    metrics = x.fetch_metrics(token.access_token, account, [old.post_id, new.post_id, "1234567890"])
    assert metrics == {
        old.post_id: {"shares": 3, "likes": 7, "impressions": 90},
        new.post_id: {"shares": 5, "comments": 2, "bookmarks": 1},
    }


def test_sandbox_serves_real_paths_with_problem_json(x: XClient, sandbox: Sandbox) -> None:
    answer = httpx.get(f"{sandbox.base('x')}/2/users/me", headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401 and answer.headers["content-type"].startswith("application/problem+json")
