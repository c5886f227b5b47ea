"""Pinterest's contract, through the production client against the Pinterest sandbox (PLATFORMS.md §7)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from socialhub.platforms.base import AccountIdentity, Draft, MediaItem, TokenSet
from socialhub.platforms.errors import AuthError, PermanentError, RateLimited, TransientError
from socialhub.platforms.pinterest import PinterestClient, parse_pin_analytics
from socialhub.sandbox.common import SandboxState
from tests.platforms.conftest import REDIRECT_URI, Sandbox, connect

BOARD = "549755885175"
PNG = b"\x89PNG\r\n\x1a\n" + b"\1" * 64
VIDEO = b"\0\0\0\x18ftypmp42" + b"\2" * 4096


@pytest.fixture
def client(make_client: Callable[..., Any]) -> PinterestClient:
    made: PinterestClient = make_client("pinterest", timeout=2.0)
    made.sleep = lambda _seconds: None  # type: ignore[method-assign]
    return made


@pytest.fixture
def state(sandbox: Sandbox, client: PinterestClient) -> SandboxState:
    return sandbox.states["pinterest"]


@pytest.fixture
def tokens(client: PinterestClient, sandbox: Sandbox) -> TokenSet:
    return connect(client, sandbox)


@pytest.fixture
def account(client: PinterestClient, tokens: TokenSet) -> AccountIdentity:
    return client.identity(tokens.access_token)[0]


def image(name: str = "a.png", **kwargs: Any) -> MediaItem:
    return MediaItem("image", "image/png", data=PNG, size_bytes=len(PNG), filename=name, **kwargs)


def pin(text: str = "Lemon tart", *media: MediaItem, **options: Any) -> Draft:
    return Draft(text, media or (image(),), {"board_id": BOARD, "title": "Tart", **options})


# --- OAuth -------------------------------------------------------------------------------------------------


def test_authorize_url_asks_for_comma_separated_scopes_without_pkce(client: PinterestClient) -> None:
    request = client.authorization_url(state="s", redirect_uri=REDIRECT_URI)
    assert request.code_verifier is None
    assert "/oauth/?" in request.url
    assert "scope=boards%3Aread%2Cboards%3Awrite%2Cpins%3Aread%2Cpins%3Awrite%2Cuser_accounts%3Aread" in request.url


def test_connect_uses_basic_auth_and_asks_for_continuous_refresh(
    tokens: TokenSet, state: SandboxState, sandbox: Sandbox
) -> None:
    now = datetime.now(UTC)
    assert state.counters["continuous_refresh"] == 1
    assert tokens.expires_at and abs(tokens.expires_at - (now + timedelta(days=30))) < timedelta(minutes=1)
    assert tokens.refresh_expires_at and abs(tokens.refresh_expires_at - (now + timedelta(days=60))) < timedelta(
        minutes=1
    )
    assert "pins:write" in tokens.scopes
    form = {
        "grant_type": "refresh_token",
        "refresh_token": tokens.refresh_token or "",
        "client_id": "c",
        "client_secret": "s",
    }
    refused = httpx.post(f"{sandbox.base('pinterest')}/v5/oauth/token", data=form)
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"


def test_every_refresh_returns_a_new_refresh_token_and_retires_the_old_one(
    client: PinterestClient, tokens: TokenSet
) -> None:
    assert tokens.refresh_token
    fresh = client.refresh(tokens.refresh_token)
    assert fresh.refresh_token and fresh.refresh_token != tokens.refresh_token
    assert fresh.access_token != tokens.access_token
    with pytest.raises(AuthError) as caught:
        client.refresh(tokens.refresh_token)
    assert caught.value.code == "invalid_grant"
    again = client.refresh(fresh.refresh_token)  # the new one works, and rotates in turn
    assert again.refresh_token not in (fresh.refresh_token, tokens.refresh_token)
    assert client.identity(again.access_token)[0].username == "sandboxstudio"


def test_revoke_reports_that_pinterest_has_no_revocation(client: PinterestClient, tokens: TokenSet) -> None:
    assert client.revoke(tokens.access_token) is False


# --- identity and boards -----------------------------------------------------------------------------------


def test_identity_is_the_pinterest_account(account: AccountIdentity) -> None:
    assert (account.id, account.username, account.display_name) == (
        "2783136121146311751",
        "sandboxstudio",
        "Sandbox Studio",
    )
    assert account.extra["account_type"] == "BUSINESS"


def test_boards_lists_every_board_across_pages(client: PinterestClient, tokens: TokenSet, state: SandboxState) -> None:
    assert [b["name"] for b in client.boards(tokens.access_token)] == ["Recipes", "Secret plans"]
    state.objects["boards"] += [{"id": str(9000 + n), "name": f"Board {n}", "privacy": "PUBLIC"} for n in range(300)]
    everything = client.boards(tokens.access_token)
    assert len(everything) == 302 and everything[-1] == {
        "id": "9299",
        "name": "Board 299",
        "privacy": "PUBLIC",
        "description": "",
    }


# --- publishing --------------------------------------------------------------------------------------------


def test_single_image_pin_is_sent_inline_with_its_fields(
    client: PinterestClient, tokens: TokenSet, account: AccountIdentity, state: SandboxState, sandbox: Sandbox
) -> None:
    draft = pin("Lemon tart", image(alt_text="A lemon tart"), link="https://example.test/tart")
    result = client.publish(tokens.access_token, account, draft)
    assert result.permalink == f"{sandbox.base('pinterest')}/pin/{result.post_id}/"
    [posted] = state.published
    assert (posted.id, posted.kind, posted.payload["source_type"]) == (result.post_id, "image", "image_base64")
    assert posted.payload | {"created_at": None} == {
        "title": "Tart",
        "description": "Lemon tart",
        "link": "https://example.test/tart",
        "alt_text": "A lemon tart",
        "board_id": BOARD,
        "source_type": "image_base64",
        "items": 1,
        "created_at": None,
        "image_urls": [],  # sent inline: no address to show it from
    }


def test_image_known_only_by_link_is_pinned_by_url(
    client: PinterestClient, tokens: TokenSet, account: AccountIdentity, state: SandboxState
) -> None:
    linked = MediaItem("image", "image/jpeg", url="https://cdn.example.test/a.jpg", filename="a.jpg")
    client.publish(tokens.access_token, account, pin("Linked", linked))
    assert state.published[0].payload["source_type"] == "image_url"


def test_carousels_go_inline_or_by_urls(
    client: PinterestClient, tokens: TokenSet, account: AccountIdentity, state: SandboxState
) -> None:
    client.publish(tokens.access_token, account, pin("Three", *(image(f"{n}.png") for n in range(3))))
    urls = [MediaItem("image", "image/png", url=f"https://cdn.example.test/{n}.png") for n in range(2)]
    client.publish(tokens.access_token, account, pin("Two", *urls))
    assert [(p.kind, p.payload["source_type"], p.payload["items"]) for p in state.published] == [
        ("carousel", "multiple_image_base64", 3),
        ("carousel", "multiple_image_urls", 2),
    ]


def test_video_pin_uploads_to_s3_polls_processing_and_saves_the_handle_first(
    client: PinterestClient, tokens: TokenSet, account: AccountIdentity, state: SandboxState
) -> None:
    state.objects["config"] = {"video_polls": 3}
    sleeps: list[float] = []
    client.sleep = sleeps.append  # type: ignore[method-assign]
    handles: list[tuple[str, int]] = []
    video = MediaItem("video", "video/mp4", data=VIDEO, filename="clip.mp4", duration_seconds=8)
    draft = pin("Watch", video, image("cover.png"))
    result = client.publish(
        tokens.access_token, account, draft, on_handle=lambda h: handles.append((h, len(state.published)))
    )
    [(media_id, pins_when_saved)] = handles
    assert pins_when_saved == 0 and state.objects["media"][media_id]["status"] == "succeeded"
    assert state.counters["media_status"] == 4 and sleeps == [1.0, 2.0, 4.0]
    [posted] = state.published
    assert (posted.id, posted.kind) == (result.post_id, "video")


def test_video_without_a_cover_image_uses_a_key_frame(
    client: PinterestClient, tokens: TokenSet, account: AccountIdentity, state: SandboxState
) -> None:
    video = MediaItem("video", "video/mp4", data=VIDEO, filename="clip.mp4")
    client.publish(tokens.access_token, account, pin("Frame", video, cover_frame_seconds=3))
    assert state.published[0].kind == "video"


def test_video_that_fails_processing_is_a_permanent_error(
    client: PinterestClient, tokens: TokenSet, account: AccountIdentity, state: SandboxState
) -> None:
    state.objects["config"] = {"fail_processing": True}
    video = MediaItem("video", "video/mp4", data=VIDEO, filename="clip.mp4")
    with pytest.raises(PermanentError) as caught:
        client.publish(tokens.access_token, account, pin("Broken", video))
    assert caught.value.code == "media_failed" and state.published == []


def test_s3_target_refuses_a_form_without_the_signed_fields(
    client: PinterestClient, tokens: TokenSet, sandbox: Sandbox
) -> None:
    registered = client.request("POST", "/v5/media", access_token=tokens.access_token, json={"media_type": "video"})
    upload = registered.json()
    fields = {k: v for k, v in upload["upload_parameters"].items() if k != "policy"}
    refused = httpx.post(upload["upload_url"], data=fields, files={"file": ("v.mp4", VIDEO, "video/mp4")})
    assert refused.status_code == 403 and "<Code>AccessDenied</Code>" in refused.text


# --- platform validation, duplicates and crashes -----------------------------------------------------------


def test_pinterest_refuses_a_non_numeric_board_with_its_own_message(client: PinterestClient, tokens: TokenSet) -> None:
    source = {"source_type": "image_base64", "content_type": "image/png", "data": base64.b64encode(PNG).decode()}
    with pytest.raises(PermanentError) as caught:
        client.request(
            "POST", "/v5/pins", access_token=tokens.access_token, json={"board_id": "recipes", "media_source": source}
        )
    assert caught.value.code == "1" and caught.value.status_code == 400
    assert "does not match '^\\d+$' - 'board_id'" in (caught.value.platform_message or "")


def test_an_unknown_board_is_a_permanent_error(
    client: PinterestClient, tokens: TokenSet, account: AccountIdentity
) -> None:
    with pytest.raises(PermanentError) as caught:
        client.publish(tokens.access_token, account, pin(board_id="123"))
    assert caught.value.status_code == 404 and caught.value.platform_message == "Board not found."


def test_lost_response_is_found_on_the_board_and_posted_once(make_client: Callable[..., Any], sandbox: Sandbox) -> None:
    client: PinterestClient = make_client("pinterest", timeout=0.5)
    tokens = connect(client, sandbox)
    account = client.identity(tokens.access_token)[0]
    draft = pin("Crash once", link="https://example.test/once")
    since = datetime.now(UTC)
    sandbox.fault("pinterest", r"/v5/pins$", "crash_after_commit", method="POST", seconds=1.5)
    with pytest.raises(TransientError) as caught:
        client.publish(tokens.access_token, account, draft)
    assert caught.value.maybe_applied is True
    [posted] = sandbox.states["pinterest"].published
    found = client.lookup_existing(tokens.access_token, account, draft, since=since)
    assert found is not None and found.post_id == posted.id
    other = pin("Crash once", link="https://example.test/other")
    assert client.lookup_existing(tokens.access_token, account, other, since=since) is None


# --- error classes -----------------------------------------------------------------------------------------


def test_401_is_an_auth_error(
    client: PinterestClient, tokens: TokenSet, account: AccountIdentity, sandbox: Sandbox
) -> None:
    sandbox.fault("pinterest", r"/v5/pins$", "401")
    with pytest.raises(AuthError) as caught:
        client.publish(tokens.access_token, account, pin())
    assert caught.value.code == "2" and caught.value.platform_message == "Authentication failed."


def test_429_is_rate_limited_until_the_reset_pinterest_gives(
    client: PinterestClient, tokens: TokenSet, account: AccountIdentity, sandbox: Sandbox
) -> None:
    sandbox.fault("pinterest", r"/v5/pins$", "429", reset_in=120)
    with pytest.raises(RateLimited) as caught:
        client.publish(tokens.access_token, account, pin())
    assert caught.value.reset_at
    assert abs(caught.value.reset_at - (datetime.now(UTC) + timedelta(seconds=120))) < timedelta(seconds=5)
    assert caught.value.code == "8" and client.rate_limit.exhausted


def test_the_org_write_window_is_counted_per_token_and_answers_429(
    client: PinterestClient, tokens: TokenSet, account: AccountIdentity, state: SandboxState
) -> None:
    state.objects["config"] = {"limits": {"org_write": 2, "org_read": 1000, "org_analytics": 60}}
    client.publish(tokens.access_token, account, pin("One"))
    assert (client.rate_limit.limit, client.rate_limit.remaining) == (2, 1)
    client.publish(tokens.access_token, account, pin("Two"))
    with pytest.raises(RateLimited) as caught:
        client.publish(tokens.access_token, account, pin("Three"))
    assert caught.value.reset_at and caught.value.reset_at <= datetime.now(UTC) + timedelta(seconds=61)
    assert len(state.published) == 2


@pytest.mark.parametrize("kind", ["500", "503"])
def test_server_errors_are_transient(
    client: PinterestClient, tokens: TokenSet, account: AccountIdentity, sandbox: Sandbox, kind: str
) -> None:
    sandbox.fault("pinterest", r"/v5/media$", kind)
    video = MediaItem("video", "video/mp4", data=VIDEO, filename="clip.mp4")
    with pytest.raises(TransientError) as caught:
        client.publish(tokens.access_token, account, pin("Video", video))
    assert caught.value.status_code == int(kind)


def test_an_image_link_pinterest_cannot_reach_is_worth_retrying(
    client: PinterestClient, tokens: TokenSet, account: AccountIdentity
) -> None:
    linked = MediaItem("image", "image/png", url="https://down.invalid/a.png")
    with pytest.raises(TransientError) as caught:
        client.publish(tokens.access_token, account, pin("Down", linked))
    assert (caught.value.platform_message or "").startswith("Unable to reach the URL")


# --- validation --------------------------------------------------------------------------------------------


def test_validation_of_board_and_text_fields_at_their_limits(client: PinterestClient) -> None:
    link = "https://example.test/" + "a" * (2048 - 21)
    assert client.validate(pin("d" * 800, title="t" * 100, link=link, alt_text="x" * 500)) == []
    assert client.validate(pin("d" * 801, title="t" * 101, link=link + "a", alt_text="x" * 501)) == [
        "Pinterest titles can be at most 100 characters; this one has 101.",
        "Pinterest descriptions can be at most 800 characters; this one has 801.",
        "Pinterest links can be at most 2,048 characters; this one has 2,049.",
        "Pinterest alt text can be at most 500 characters.",
    ]
    assert client.validate(pin(board_id=None)) == ["Choose the Pinterest board to pin to."]
    assert "digits only" in client.validate(pin(board_id="recipes"))[0]
    assert "full web address" in client.validate(pin(link="example.test"))[0]


def test_validation_of_media(client: PinterestClient) -> None:
    video = MediaItem("video", "video/mp4", data=VIDEO, filename="v.mp4", duration_seconds=10)
    assert client.validate(Draft("No media", options={"board_id": BOARD})) == [
        "Pinterest pins need an image or a video."
    ]
    assert client.validate(pin("Five", *(image() for _ in range(5)))) == []
    assert "at most 5 images" in client.validate(pin("Six", *(image() for _ in range(6))))[0]
    assert "used as its cover" in client.validate(pin("V", video, image(), image()))[0]
    assert "one video" in client.validate(pin("VV", video, video))[0]
    short = MediaItem("video", "video/mp4", data=VIDEO, filename="s.mp4", duration_seconds=3)
    assert client.validate(pin("S", short)) == ["“s.mp4”: Pinterest videos must last between 4 seconds and 15 minutes."]
    gif = MediaItem("gif", "image/gif", data=b"GIF89a", filename="g.gif")
    assert "images (JPEG or PNG) and videos only" in client.validate(pin("G", gif))[0]
    mixed = (image(), MediaItem("image", "image/png", url="https://cdn.example.test/b.png"))
    assert "not a mix" in client.validate(pin("M", *mixed))[0]


# --- metrics -----------------------------------------------------------------------------------------------


def test_metrics_combine_lifetime_counts_with_the_period_totals(
    client: PinterestClient, tokens: TokenSet, account: AccountIdentity, state: SandboxState
) -> None:
    first = client.publish(tokens.access_token, account, pin("One")).post_id
    second = client.publish(tokens.access_token, account, pin("Two")).post_id
    state.objects["metrics"] = {second: {"IMPRESSION": 1000, "TOTAL_REACTIONS": 55}}
    metrics = client.fetch_metrics(tokens.access_token, account, [first, second])
    assert metrics[first] == {
        "impressions": 240,
        "clicks": 20,
        "pin_clicks": 37,
        "saves": 21,
        "comments": 10,
        "likes": 12,
        "follows": 2,
        "profile_visits": 5,
    }
    assert metrics[second]["impressions"] == 1000 and metrics[second]["likes"] == 55


def test_analytics_without_a_summary_sum_the_days_that_are_ready() -> None:
    body = {
        "all": {
            "daily_metrics": [
                {
                    "date": "2026-11-01",
                    "data_status": "READY",
                    "metrics": {"IMPRESSION": 10, "SAVE": 1, "SAVE_RATE": 0.1},
                },
                {"date": "2026-11-02", "data_status": "READY", "metrics": {"IMPRESSION": 15, "SAVE": 2}},
                {"date": "2026-11-03", "data_status": "PROCESSING", "metrics": {"IMPRESSION": 99}},
            ],
            "lifetime_metrics": {"TOTAL_COMMENTS": 4, "TOTAL_REACTIONS": 6},
        }
    }
    assert parse_pin_analytics(body) == {"impressions": 25, "saves": 3, "comments": 4, "likes": 6}
