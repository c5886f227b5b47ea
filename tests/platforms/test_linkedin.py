"""LinkedIn's contract, through the production client against the LinkedIn sandbox (PLATFORMS.md §4)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

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
from socialhub.platforms.linkedin import LinkedInClient, next_utc_midnight
from socialhub.platforms.linkedin_text import escape_little_text, hashtags, parse_mentions, to_commentary
from socialhub.sandbox.common import SandboxState
from socialhub.sandbox.linkedin import render_little_text
from tests.platforms.conftest import REDIRECT_URI, Sandbox, connect

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
VIDEO = bytes(range(256)) * 320  # 80 KB: above LinkedIn's 75 KB minimum
PAGE = "urn:li:organization:2414183"


@pytest.fixture
def client(make_client: Callable[..., Any]) -> LinkedInClient:
    made: LinkedInClient = make_client("linkedin", timeout=2.0)
    made.sleep = lambda _seconds: None  # type: ignore[method-assign]
    return made


@pytest.fixture
def state(sandbox: Sandbox, client: LinkedInClient) -> SandboxState:
    return sandbox.states["linkedin"]


@pytest.fixture
def tokens(client: LinkedInClient, sandbox: Sandbox) -> TokenSet:
    return connect(client, sandbox)


@pytest.fixture
def member(client: LinkedInClient, tokens: TokenSet) -> AccountIdentity:
    return client.identity(tokens.access_token)[0]


def page(client: LinkedInClient, tokens: TokenSet) -> AccountIdentity:
    return next(a for a in client.identity(tokens.access_token) if a.id == PAGE)


def image(name: str = "a.png", alt: str = "") -> MediaItem:
    return MediaItem("image", "image/png", data=PNG, size_bytes=len(PNG), alt_text=alt, filename=name)


# --- OAuth -------------------------------------------------------------------------------------------------


def test_authorize_url_asks_for_posting_and_page_scopes_without_pkce(client: LinkedInClient) -> None:
    request = client.authorization_url(state="s", redirect_uri=REDIRECT_URI)
    assert request.code_verifier is None
    assert "/oauth/v2/authorization?" in request.url
    assert "scope=openid+profile+email+w_member_social+w_organization_social" in request.url


def test_connect_gives_a_60_day_token_and_a_365_day_refresh_token(tokens: TokenSet) -> None:
    now = datetime.now(UTC)
    assert tokens.expires_at and abs(tokens.expires_at - (now + timedelta(days=60))) < timedelta(minutes=1)
    assert tokens.refresh_token and tokens.refresh_expires_at
    assert abs(tokens.refresh_expires_at - (now + timedelta(days=365))) < timedelta(minutes=1)
    assert "w_member_social" in tokens.scopes


def test_refresh_gives_a_new_access_token_but_never_extends_the_refresh_token(
    client: LinkedInClient, tokens: TokenSet, state: SandboxState
) -> None:
    assert tokens.refresh_token
    state.objects["refresh_expiry"][tokens.refresh_token] = time.time() + 10 * 86400  # 355 days have passed
    first = client.refresh(tokens.refresh_token)
    second = client.refresh(tokens.refresh_token)  # not rotating: the same refresh token keeps working
    assert first.access_token != tokens.access_token != second.access_token
    assert first.refresh_token == second.refresh_token == tokens.refresh_token
    assert second.refresh_expires_at
    assert abs(second.refresh_expires_at - (datetime.now(UTC) + timedelta(days=10))) < timedelta(minutes=1)
    assert client.identity(second.access_token)[0].kind == "user"


def test_refresh_after_the_365_days_is_an_auth_error(
    client: LinkedInClient, tokens: TokenSet, state: SandboxState
) -> None:
    assert tokens.refresh_token
    state.objects["refresh_expiry"][tokens.refresh_token] = time.time() - 1
    with pytest.raises(AuthError) as caught:
        client.refresh(tokens.refresh_token)
    assert caught.value.code == "invalid_grant"


def test_revoked_token_is_an_auth_error_with_linkedins_code(client: LinkedInClient, tokens: TokenSet) -> None:
    assert client.revoke(tokens.access_token) is True
    with pytest.raises(AuthError) as caught:
        client.identity(tokens.access_token)
    assert caught.value.code == "REVOKED_ACCESS_TOKEN"
    assert "revoked" in caught.value.explanation


def test_expired_token_is_an_auth_error(client: LinkedInClient, tokens: TokenSet, sandbox: Sandbox) -> None:
    sandbox.control("linkedin", "POST", "expire-tokens").raise_for_status()
    with pytest.raises(AuthError) as caught:
        client.identity(tokens.access_token)
    assert caught.value.code == "EXPIRED_ACCESS_TOKEN"


# --- identity ----------------------------------------------------------------------------------------------


def test_identity_is_the_member_and_the_pages_they_may_post_for(client: LinkedInClient, tokens: TokenSet) -> None:
    accounts = client.identity(tokens.access_token)
    assert [(a.id, a.kind) for a in accounts] == [
        ("urn:li:person:yrZCpj2Z12", "user"),
        ("urn:li:organization:2414183", "organization"),
        ("urn:li:organization:5515715", "organization"),
    ]  # the page where the member is only an analyst is not offered
    assert accounts[0].display_name == "Sandra Box"
    assert accounts[1].display_name == "Sandbox Bakery" and accounts[1].username == "sandbox-bakery"


def test_identity_without_page_permissions_is_only_the_member(client: LinkedInClient, state: SandboxState) -> None:
    token = state.issue_token(["openid", "profile", "email", "w_member_social"])
    assert [a.kind for a in client.identity(token.access_token)] == ["user"]


# --- required headers and versions -------------------------------------------------------------------------


def test_rest_calls_without_the_version_headers_are_refused_in_linkedins_shape(
    sandbox: Sandbox, tokens: TokenSet
) -> None:
    url, auth = f"{sandbox.base('linkedin')}/rest/posts", {"Authorization": f"Bearer {tokens.access_token}"}
    no_version = httpx.post(url, headers={**auth, "X-Restli-Protocol-Version": "2.0.0"}, json={})
    assert no_version.status_code == 400 and no_version.json()["code"] == "VERSION_MISSING"
    no_restli = httpx.post(url, headers={**auth, "LinkedIn-Version": LinkedInClient.default_api_version}, json={})
    assert no_restli.status_code == 400 and no_restli.json()["status"] == 400


def test_a_sunset_api_version_is_a_permanent_error_naming_it(make_client: Callable[..., Any], sandbox: Sandbox) -> None:
    old: LinkedInClient = make_client("linkedin", api_version="202001")
    tokens = connect(old, sandbox)
    with pytest.raises(PermanentError) as caught:
        old.publish(tokens.access_token, old.identity(tokens.access_token)[0], Draft("Hello"))
    assert caught.value.code == "NONEXISTENT_VERSION" and "202001" in caught.value.explanation


# --- Little Text -------------------------------------------------------------------------------------------


def test_every_reserved_character_is_backslash_escaped() -> None:
    assert escape_little_text(r"\|{}@[]()<>#*_~") == r"\\\|\{\}\@\[\]\(\)\<\>\#\*\_\~"
    assert escape_little_text("plain text, 100% fine!") == "plain text, 100% fine!"


@pytest.mark.parametrize(
    "text",
    [
        "Fixed in issue #42, see #1 and #2026.",  # digits only: no hashtag
        "We write C# and F#; page#top; x/#y; &#39; ##",
        "Mail me@example.com or sales@acme.io",
        "Hi @[Acme](urn:li:organization:1234) and @[Jane](urn:li:person:abc)",  # typed by hand: literal
        r"Escaped by hand: \#tag, {hashtag|\#|x}, a_b, *b*, ~s~, <i>, (p), [l], a|b",
    ],
)
def test_literal_text_stays_literal(text: str) -> None:
    commentary = to_commentary(text)
    assert not re.search(r"(?<!\\)[@{]", commentary)  # no live mention, no hashtag template
    assert render_little_text(commentary) == text


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("#launch day", ["launch"]),
        ("New: #2026goals, #café, #日本 and ＃fullwidth!", ["2026goals", "café", "日本", "fullwidth"]),
        ("(#inparens) and #end.", ["inparens", "end"]),
        ("#snake_case and #Hindi_हिन्दी", ["snake_case", "Hindi_हिन्दी"]),
        ("#42 C#x a#b @#c &#d /#e \\#f", []),
    ],
)
def test_hashtags_are_what_linkedin_links(text: str, tags: list[str]) -> None:
    assert hashtags(text) == tags
    commentary = to_commentary(text)
    assert re.findall(r"\{hashtag\|(?:\\#|＃)\|([^}]+)\}", commentary) == tags
    assert render_little_text(commentary) == text


def test_chosen_mentions_link_every_occurrence_of_their_name() -> None:
    mentions, problems = parse_mentions(
        "Acme = urn:li:organization:1234; Acme Corp (EU) = urn:li:organization:9\nJane Doe = urn:li:person:a1B2"
    )
    assert problems == []
    text = "Thanks @Acme, Acme Corp (EU) and Jane Doe! Not Acmeville, not #Acme."
    assert to_commentary(text, mentions) == (
        "Thanks @[Acme](urn:li:organization:1234), @[Acme Corp \\(EU\\)](urn:li:organization:9) and "
        "@[Jane Doe](urn:li:person:a1B2)! Not Acmeville, not {hashtag|\\#|Acme}."
    )
    assert render_little_text(to_commentary(text, mentions)) == text.replace("@Acme", "Acme")


def test_mentions_option_is_checked_against_the_text(client: LinkedInClient) -> None:
    options = {"mentions": "Acme = urn:li:organization:1234; Globex = urn:li:organization:5; oops"}
    problems = client.validate(Draft("Hello Acme", options=options))
    assert problems == [
        "The LinkedIn mention “oops” is not of the form Name = urn:li:organization:1234 (or urn:li:person:…), "
        "several separated by “;”.",
        "“Globex” is chosen as a LinkedIn mention but the text does not contain it: write the name where it should "
        "link (exactly as chosen) or remove it from Mentions.",
    ]
    assert client.validate(Draft("Hello Acme", options={"mentions": "Acme = urn:li:organization:1234"})) == []
    assert parse_mentions("Acme = https://linkedin.com/company/acme")[1]  # a URL is not a URN


def test_the_sandbox_drops_what_follows_an_unescaped_reserved_character() -> None:
    assert render_little_text("Unescaped (parentheses) lose the rest") == "Unescaped "


def test_mentions_are_an_option_field_the_composer_renders() -> None:
    [field] = [f for f in LinkedInClient.option_fields if f.name == "mentions"]
    assert field.kind == "text" and "urn:li:organization" in field.hint


# --- publishing --------------------------------------------------------------------------------------------


def test_text_post_reaches_linkedin_exactly_as_written(
    client: LinkedInClient, tokens: TokenSet, member: AccountIdentity, state: SandboxState, sandbox: Sandbox
) -> None:
    text = "Launch day (finally)! <3 *bold* ~tilde~ [x] {y} @home #SocialHub"
    result = client.publish(tokens.access_token, member, Draft(text))
    assert result.post_id.startswith("urn:li:share:")
    assert result.permalink == f"{sandbox.base('linkedin')}/feed/update/{result.post_id}"
    [post] = state.published
    assert (post.id, post.kind, post.payload["author"]) == (result.post_id, "text", member.id)
    assert post.payload["text"] == text


def test_literal_text_arrives_literally_and_chosen_elements_as_templates(
    client: LinkedInClient, tokens: TokenSet, member: AccountIdentity, state: SandboxState
) -> None:
    literal = "Issue #42: C# tips, mail me@example.com, @[Acme](urn:li:organization:1234) typed by hand."
    client.publish(tokens.access_token, member, Draft(literal))
    chosen = "Baked with Sandbox Bakery for #launch day"
    options = {"mentions": f"Sandbox Bakery = {PAGE}"}
    client.publish(tokens.access_token, member, Draft(chosen, options=options))
    first, second = state.published
    assert first.payload["text"] == literal
    assert not re.search(r"(?<!\\)[@{]", first.payload["commentary"])  # no live mention, no hashtag template
    assert second.payload["commentary"] == f"Baked with @[Sandbox Bakery]({PAGE}) for {{hashtag|\\#|launch}} day"
    assert second.payload["text"] == chosen


def test_single_image_post_uploads_and_carries_alt_text(
    client: LinkedInClient, tokens: TokenSet, member: AccountIdentity, state: SandboxState
) -> None:
    handles: list[str] = []
    client.publish(tokens.access_token, member, Draft("Pic", (image(alt="A cake"),)), on_handle=handles.append)
    [post] = state.published
    media = post.payload["content"]["media"]
    assert post.kind == "image" and media["altText"] == "A cake"
    assert handles == [media["id"]] and media["id"].startswith("urn:li:image:")


def test_several_images_become_one_multi_image_post(
    client: LinkedInClient, tokens: TokenSet, member: AccountIdentity, state: SandboxState
) -> None:
    draft = Draft("Gallery", tuple(image(f"{n}.png") for n in range(3)))
    client.publish(tokens.access_token, member, draft)
    [post] = state.published
    assert post.kind == "multiImage" and len(post.payload["content"]["multiImage"]["images"]) == 3


# Image readiness: LinkedIn lets an uploaded image into a post while it processes (the sandbox's default), but the
# client must not rely on that: it polls the image, and treats a "not ready" refusal of the post as waiting.


def test_image_is_polled_until_available_when_linkedin_wants_it_ready_first(
    client: LinkedInClient, tokens: TokenSet, member: AccountIdentity, state: SandboxState
) -> None:
    state.objects["config"] = {"image_polls": 2, "image_post_needs_available": True}
    sleeps: list[float] = []
    client.sleep = sleeps.append  # type: ignore[method-assign]
    client.publish(tokens.access_token, member, Draft("Pic", (image(),)))
    assert state.counters["image_status"] == 3 and sleeps == [1.0, 2.0]  # PROCESSING ×2, then AVAILABLE
    assert [p.kind for p in state.published] == ["image"]


def test_image_posts_even_when_linkedin_will_not_show_the_image_s_status(
    client: LinkedInClient, tokens: TokenSet, member: AccountIdentity, state: SandboxState
) -> None:
    state.objects["config"] = {"image_polls": 5, "image_reads_forbidden": True}  # 403 for a posting-only token
    sleeps: list[float] = []
    client.sleep = sleeps.append  # type: ignore[method-assign]
    client.publish(tokens.access_token, member, Draft("Pic", (image(),)))
    [post] = state.published
    assert state.counters["image_status"] == 1 and sleeps == []  # one look, refused; the post went straight on
    assert state.objects["media"][post.payload["content"]["media"]["id"]]["status"] == "PROCESSING"


def test_a_post_refused_because_the_image_is_not_ready_is_sent_again_once_it_is(
    client: LinkedInClient, tokens: TokenSet, member: AccountIdentity, state: SandboxState
) -> None:
    state.objects["config"] = {"image_polls": 2, "image_reads_forbidden": True, "image_post_needs_available": True}
    sleeps: list[float] = []
    client.sleep = sleeps.append  # type: ignore[method-assign]
    result = client.publish(tokens.access_token, member, Draft("Pic", (image(),)))
    [post] = state.published  # refused twice with MEDIA_NOT_READY (nothing created), accepted the third time
    assert post.id == result.post_id and sleeps == [1.0, 2.0]


def test_an_image_that_never_gets_ready_is_transient_and_posts_nothing(
    client: LinkedInClient, tokens: TokenSet, member: AccountIdentity, state: SandboxState
) -> None:
    state.objects["config"] = {"image_polls": 10_000, "image_reads_forbidden": True, "image_post_needs_available": True}
    with pytest.raises(TransientError) as caught:
        client.publish(tokens.access_token, member, Draft("Pic", (image(),)))
    assert caught.value.code == "MEDIA_NOT_READY" and "still processing the image" in caught.value.user_message
    assert state.published == []


def test_video_is_uploaded_in_linkedins_parts_finalized_and_polled_until_available(
    client: LinkedInClient, tokens: TokenSet, member: AccountIdentity, state: SandboxState
) -> None:
    state.objects["config"] = {"video_part_bytes": 32 * 1024, "video_polls": 3}
    sleeps: list[float] = []
    client.sleep = sleeps.append  # type: ignore[method-assign]
    handles: list[str] = []
    video = MediaItem("video", "video/mp4", data=VIDEO, size_bytes=len(VIDEO), filename="clip.mp4")
    draft = Draft("Watch", (video,), {"title": "Our clip"})
    client.publish(tokens.access_token, member, draft, on_handle=handles.append)
    [post] = state.published
    urn = post.payload["content"]["media"]["id"]
    assert post.kind == "video" and post.payload["content"]["media"]["title"] == "Our clip"
    assert handles == [urn]
    assert len(state.objects["media"][urn]["etags"]) == 3  # 80 KB in 32 KB parts
    assert state.counters["video_status"] == 4 and sleeps == [1.0, 2.0, 4.0]  # PROCESSING ×3, then AVAILABLE


def test_video_that_fails_processing_is_a_permanent_error_with_linkedins_reason(
    client: LinkedInClient, tokens: TokenSet, member: AccountIdentity, state: SandboxState
) -> None:
    state.objects["config"] = {"fail_processing": True}
    video = MediaItem("video", "video/mp4", data=VIDEO, filename="clip.mp4")
    with pytest.raises(PermanentError) as caught:
        client.publish(tokens.access_token, member, Draft("Broken", (video,)))
    assert caught.value.code == "Video format is not supported"
    assert state.published == []


def test_document_post_is_titled_by_its_file_name(
    client: LinkedInClient, tokens: TokenSet, member: AccountIdentity, state: SandboxState
) -> None:
    pdf = MediaItem("document", "application/pdf", data=b"%PDF-1.7 ...", filename="deck.pdf")
    client.publish(tokens.access_token, member, Draft("Slides", (pdf,)))
    [post] = state.published
    assert post.kind == "document" and post.payload["content"]["media"]["title"] == "deck.pdf"
    assert state.counters["document_status"] == 2  # PROCESSING once, then AVAILABLE


def test_page_post_is_authored_by_the_organisation(
    client: LinkedInClient, tokens: TokenSet, state: SandboxState
) -> None:
    client.publish(tokens.access_token, page(client, tokens), Draft("From the bakery", (image(),)))
    [post] = state.published
    assert post.payload["author"] == PAGE


def test_posting_for_a_page_the_member_only_analyses_is_refused_with_linkedins_words(
    client: LinkedInClient, tokens: TokenSet
) -> None:
    analyst_page = AccountIdentity("urn:li:organization:1337001", "Read Only Inc", kind="organization")
    with pytest.raises(PermanentError) as caught:
        client.publish(tokens.access_token, analyst_page, Draft("Hi"))
    assert caught.value.code == "ACCESS_DENIED" and caught.value.status_code == 403
    assert "Not enough permissions" in (caught.value.platform_message or "")


def test_commentary_over_the_limit_is_refused_by_linkedin_with_its_field_error(
    client: LinkedInClient, tokens: TokenSet, member: AccountIdentity
) -> None:
    body = {
        "author": member.id,
        "commentary": "x" * 3001,
        "visibility": "PUBLIC",
        "distribution": {},
        "lifecycleState": "PUBLISHED",
    }
    with pytest.raises(PermanentError) as caught:
        client._rest("POST", "/rest/posts", tokens.access_token, json=body)
    assert caught.value.code == "FIELD_LENGTH_TOO_LONG"
    assert "commentary is longer than 3000 characters" in (caught.value.platform_message or "")


# --- duplicates and crashes --------------------------------------------------------------------------------


def test_posting_the_same_content_again_is_success_naming_the_live_post(
    client: LinkedInClient, tokens: TokenSet, member: AccountIdentity, state: SandboxState
) -> None:
    first = client.publish(tokens.access_token, member, Draft("Same words"))
    with pytest.raises(DuplicateIsSuccess) as caught:
        client.publish(tokens.access_token, member, Draft("Same words"))
    assert caught.value.post_id == first.post_id and caught.value.permalink == first.permalink
    assert caught.value.code == "DUPLICATE_POST" and len(state.published) == 1


def test_lost_response_for_a_page_post_is_found_by_lookup(make_client: Callable[..., Any], sandbox: Sandbox) -> None:
    client: LinkedInClient = make_client("linkedin", timeout=0.5)
    tokens = connect(client, sandbox)
    account = page(client, tokens)
    draft = Draft("Crash (test) #once")
    since = datetime.now(UTC)
    sandbox.fault("linkedin", r"/rest/posts$", "crash_after_commit", method="POST", seconds=1.5)
    with pytest.raises(TransientError) as caught:
        client.publish(tokens.access_token, account, draft)
    assert caught.value.maybe_applied is True
    [post] = sandbox.states["linkedin"].published
    found = client.lookup_existing(tokens.access_token, account, draft, since=since)
    assert found is not None and found.post_id == post.id
    assert client.lookup_existing(tokens.access_token, account, Draft("Other"), since=since) is None


def test_lost_response_for_a_member_post_is_safe_to_repeat_because_linkedin_names_the_duplicate(
    make_client: Callable[..., Any], sandbox: Sandbox
) -> None:
    client: LinkedInClient = make_client("linkedin", timeout=0.5)
    tokens = connect(client, sandbox)
    member = client.identity(tokens.access_token)[0]
    sandbox.fault("linkedin", r"/rest/posts$", "crash_after_commit", method="POST", seconds=1.5)
    with pytest.raises(TransientError):
        client.publish(tokens.access_token, member, Draft("Member crash"))
    # Reading member posts needs a restricted scope, so the lookup cannot tell…
    assert client.lookup_existing(tokens.access_token, member, Draft("Member crash"), since=datetime.now(UTC)) is None
    # …but the repeat is answered with the live post, and nothing is posted twice.
    with pytest.raises(DuplicateIsSuccess) as caught:
        client.publish(tokens.access_token, member, Draft("Member crash"))
    [post] = sandbox.states["linkedin"].published
    assert caught.value.post_id == post.id


# --- error classes -----------------------------------------------------------------------------------------


def test_401_is_an_auth_error_carrying_the_service_error_code(
    client: LinkedInClient, tokens: TokenSet, member: AccountIdentity, sandbox: Sandbox
) -> None:
    sandbox.fault("linkedin", r"/rest/posts$", "401")
    with pytest.raises(AuthError) as caught:
        client.publish(tokens.access_token, member, Draft("Hi"))
    assert caught.value.code == "INVALID_ACCESS_TOKEN" and "not valid" in caught.value.explanation


def test_429_is_rate_limited_until_the_next_utc_midnight(
    client: LinkedInClient, tokens: TokenSet, member: AccountIdentity, sandbox: Sandbox
) -> None:
    sandbox.fault("linkedin", r"/rest/posts$", "429")
    with pytest.raises(RateLimited) as caught:
        client.publish(tokens.access_token, member, Draft("Hi"))
    assert caught.value.reset_at == next_utc_midnight() and caught.value.code == "TOO_MANY_REQUESTS"
    assert client.rate_limit.remaining == 0 and client.rate_limit.exhausted


def test_the_daily_member_quota_answers_429(
    client: LinkedInClient, tokens: TokenSet, member: AccountIdentity, state: SandboxState
) -> None:
    state.objects["config"] = {"daily_post_limit": 1}
    client.publish(tokens.access_token, member, Draft("One"))
    with pytest.raises(RateLimited):
        client.publish(tokens.access_token, member, Draft("Two"))
    assert len(state.published) == 1


@pytest.mark.parametrize("kind", ["500", "503"])
def test_server_errors_are_transient(
    client: LinkedInClient, tokens: TokenSet, member: AccountIdentity, sandbox: Sandbox, kind: str
) -> None:
    sandbox.fault("linkedin", r"/rest/images$", kind)
    with pytest.raises(TransientError) as caught:
        client.publish(tokens.access_token, member, Draft("Pic", (image(),)))
    assert caught.value.status_code == int(kind) and caught.value.maybe_applied is False


# --- validation --------------------------------------------------------------------------------------------


def test_validation_counts_3000_characters_with_emoji_as_two(client: LinkedInClient) -> None:
    assert client.validate(Draft("x" * 3000)) == []
    assert client.validate(Draft("x" * 2999 + "🙂")) == [
        "LinkedIn posts can be at most 3,000 characters; this one has 3,001 (emoji count as two)."
    ]
    assert client.validate(Draft(r"(" * 3000)) == []  # escaping is LinkedIn's business, not the writer's


def test_validation_of_media_combinations_and_files(client: LinkedInClient) -> None:
    assert client.validate(Draft("", tuple(image() for _ in range(20)))) == []
    assert "at most 20 images" in client.validate(Draft("", tuple(image() for _ in range(21))))[0]
    video = MediaItem("video", "video/mp4", data=VIDEO, duration_seconds=10)
    assert "not a mix" in client.validate(Draft("", (image(), video)))[0]
    small = MediaItem("video", "video/mp4", data=b"x" * 1000, filename="tiny.mp4")
    assert client.validate(Draft("", (small,))) == ["“tiny.mp4”: LinkedIn videos must be between 75 KB and 500 MB."]
    long = MediaItem("video", "video/mp4", data=VIDEO, duration_seconds=901, filename="long.mp4")
    assert "between 3 seconds and 15 minutes" in client.validate(Draft("", (long,)))[0]
    webp = MediaItem("image", "image/webp", data=PNG, filename="a.webp")
    assert client.validate(Draft("", (webp,))) == ["“a.webp”: LinkedIn takes JPG, PNG or GIF images, not image/webp."]
    gif = MediaItem("gif", "image/gif", data=b"GIF89a")
    assert client.validate(Draft("", (gif,))) == []
    linked = MediaItem("image", "image/png", url="https://example.test/a.png", filename="a.png")
    assert "needs the file itself" in client.validate(Draft("", (linked,)))[0]
    assert client.validate(Draft("  ")) == ["Write some text or attach media: LinkedIn has nothing to post."]
    assert "visibility" in client.validate(Draft("Hi", options={"privacy": "secret"}))[0]


# --- metrics -----------------------------------------------------------------------------------------------


def test_member_metrics_fall_back_to_social_actions_without_the_analytics_scope(
    client: LinkedInClient, tokens: TokenSet, member: AccountIdentity, state: SandboxState
) -> None:
    post = client.publish(tokens.access_token, member, Draft("Count me"))
    state.objects["metrics"] = {post.post_id: {"likes": 41, "comments": 7}}
    assert client.fetch_metrics(tokens.access_token, member, [post.post_id]) == {
        post.post_id: {"likes": 41, "comments": 7}
    }


def test_member_metrics_read_creator_analytics_when_granted(
    client: LinkedInClient, member: AccountIdentity, state: SandboxState
) -> None:
    token = state.issue_token(["openid", "w_member_social", "r_member_postAnalytics"]).access_token
    post = client.publish(token, member, Draft("Analysed"))
    state.objects["metrics"] = {post.post_id: {"impressions": 500, "reach": 321}}
    assert client.fetch_metrics(token, member, [post.post_id]) == {
        post.post_id: {"impressions": 500, "reach": 321, "shares": 2, "likes": 9, "comments": 3}
    }


def test_page_metrics_come_from_share_statistics_in_one_call(
    client: LinkedInClient, tokens: TokenSet, state: SandboxState
) -> None:
    account = page(client, tokens)
    first = client.publish(tokens.access_token, account, Draft("One"))
    second = client.publish(tokens.access_token, account, Draft("Two"))
    state.objects["metrics"] = {second.post_id: {"impressions": 1000, "clicks": 50}}
    metrics = client.fetch_metrics(tokens.access_token, account, [first.post_id, second.post_id])
    assert metrics[first.post_id] == {
        "impressions": 120,
        "reach": 95,
        "clicks": 14,
        "likes": 9,
        "comments": 3,
        "shares": 2,
    }
    assert metrics[second.post_id]["impressions"] == 1000 and metrics[second.post_id]["clicks"] == 50
