"""Permalinks: in Sandbox mode they open the sandbox's own page for the published post, at the platform's real web
path; pointed at the real platform, they are the platform's real addresses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from socialhub.platforms.base import AccountIdentity, Draft, MediaItem, PlatformClient
from socialhub.platforms.registry import client_config, platform_class
from socialhub.settings import Settings
from tests.platforms.conftest import Sandbox, connect

PNG = b"\x89PNG\r\n\x1a\n" + b"\1" * 64
TEXT = "Fresh <b>bread</b> at 8 & coffee"  # markup must be shown as typed, never run
DRAFTS: dict[str, Draft] = {
    "x": Draft(TEXT),
    "linkedin": Draft(TEXT),
    "facebook": Draft(TEXT),
    "reddit": Draft(TEXT, options={"subreddit": "sandbox", "title": "Bread news"}),
    "pinterest": Draft(
        TEXT,
        (MediaItem("image", "image/jpeg", url="https://example.test/bread.jpg", alt_text="A loaf"),),
        {"board_id": "549755885175", "title": "Bread news"},
    ),
}
AUTHORS = {
    "x": "Sandbox Creator",
    "linkedin": "Sandra Box",
    "facebook": "Sandbox Bakery",
    "reddit": "u/sandbox_writer",
    "pinterest": "Sandbox Studio",
}
REAL_PERMALINK = {
    "x": "https://x.com/sandbox_creator/status/20",
    "linkedin": "https://www.linkedin.com/feed/update/urn:li:share:20",
    "facebook": "https://www.facebook.com/sandboxbakery/videos/20/",
    "reddit": "https://www.reddit.com/r/sandbox/comments/20/",
    "pinterest": "https://www.pinterest.com/pin/20/",
}


def publish(client: PlatformClient, sandbox: Sandbox, platform: str) -> tuple[Any, AccountIdentity]:
    token = connect(client, sandbox)
    account = client.identity(token.access_token)[0]
    return client.publish(token.access_token, account, DRAFTS[platform]), account


@pytest.mark.parametrize("platform", sorted(DRAFTS))
def test_a_sandbox_permalink_opens_the_sandbox_s_page_for_the_post(
    platform: str, make_client: Callable[..., PlatformClient], sandbox: Sandbox
) -> None:
    result, _ = publish(make_client(platform), sandbox, platform)

    assert result.permalink and result.permalink.startswith(f"{sandbox.base(platform)}/")
    page = httpx.get(result.permalink, follow_redirects=False)  # a browser: no token

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "SocialHub Sandbox" in page.text and "(Sandbox)" in page.text
    assert AUTHORS[platform] in page.text and "Published " in page.text
    assert "Fresh &lt;b&gt;bread&lt;/b&gt; at 8 &amp; coffee" in page.text and "<b>bread" not in page.text
    assert "script-src" not in page.headers["content-security-policy"]  # no script may run on the page


def test_a_pin_page_shows_the_picture_it_was_made_from(
    make_client: Callable[..., PlatformClient], sandbox: Sandbox
) -> None:
    result, _ = publish(make_client("pinterest"), sandbox, "pinterest")
    page = httpx.get(result.permalink).text
    assert '<img src="https://example.test/bread.jpg"' in page and "A loaf" in page and "Bread news" in page


def test_a_linkedin_image_post_page_lists_the_image(
    make_client: Callable[..., PlatformClient], sandbox: Sandbox
) -> None:
    client = make_client("linkedin")
    client.sleep = lambda _seconds: None  # type: ignore[method-assign]
    token = connect(client, sandbox)
    member = client.identity(token.access_token)[0]
    image = MediaItem("image", "image/png", data=PNG, size_bytes=len(PNG), alt_text="A crusty loaf")
    result = client.publish(token.access_token, member, Draft("With a picture", (image,)))
    page = httpx.get(result.permalink or "").text
    assert "Image" in page and "A crusty loaf" in page and "72 bytes" in page


@pytest.mark.parametrize(
    ("platform", "path"),
    [
        ("x", "/sandbox_creator/status/1234567890123456789"),
        ("linkedin", "/feed/update/urn:li:share:1"),
        ("facebook", "/104000000000001/posts/1"),
        ("reddit", "/r/sandbox/comments/zzzzzzz/gone/"),
        ("pinterest", "/pin/1/"),
    ],
)
def test_a_permalink_to_nothing_is_the_sandbox_s_404_page(platform: str, path: str, sandbox: Sandbox) -> None:
    page = httpx.get(f"{sandbox.base(platform)}{path}")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "SocialHub Sandbox" in page.text


def test_reddit_s_post_path_answers_json_to_an_api_client(
    make_client: Callable[..., PlatformClient], sandbox: Sandbox
) -> None:
    client = make_client("reddit")
    result, _ = publish(client, sandbox, "reddit")
    token = next(iter(sandbox.states["reddit"].tokens))
    headers = {"Authorization": f"Bearer {token}", "User-Agent": "python:socialhub-tests:0.1"}
    listing, comments = httpx.get(result.permalink or "", headers=headers).json()
    assert listing["data"]["children"][0]["data"]["title"] == "Bread news" and comments["data"]["children"] == []


# --- real mode: the platforms' own addresses ---------------------------------------------------------------


@pytest.mark.parametrize("platform", sorted(REAL_PERMALINK))
def test_permalinks_built_for_the_real_platform_are_its_real_addresses(platform: str) -> None:
    config = client_config(platform, Settings(environment="development", sandbox_mode=False))
    client: Any = platform_class(platform)(config)
    member = AccountIdentity("1798200000000000001", "Sandbox Creator", username="sandbox_creator")
    built = {
        "x": lambda: client.permalink(member, "20"),
        "linkedin": lambda: client.permalink("urn:li:share:20"),
        "facebook": lambda: client._absolute("/sandboxbakery/videos/20/"),  # Graph's relative video permalink
        "reddit": lambda: config.endpoints.web_url("/r/sandbox/comments/20/"),  # a listing's "permalink"
        "pinterest": lambda: client.permalink("20"),
    }[platform]()
    assert built == REAL_PERMALINK[platform]


@pytest.mark.parametrize("platform", sorted(REAL_PERMALINK))
def test_sandbox_mode_moves_the_website_onto_the_sandbox_with_the_api(platform: str) -> None:
    settings = Settings(environment="development", sandbox_mode=True, sandbox_base_url="http://localhost:3401")
    endpoints = client_config(platform, settings).endpoints
    assert endpoints.web_base == f"http://localhost:3401/{platform}"
    assert endpoints.api_base.startswith(f"http://localhost:3401/{platform}")
