"""Validation before publishing reads no file: a stored item (``stored=True``, no bytes yet) counts as uploadable on
every platform, while an item with neither bytes, a stored file nor a link is still refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from socialhub.platforms.base import Draft, MediaItem, PlatformClient

STORED = MediaItem("image", "image/jpeg", size_bytes=2048, width=800, height=600, filename="a.jpg", stored=True)
NOTHING = MediaItem("image", "image/jpeg", size_bytes=2048, width=800, height=600, filename="a.jpg")
OPTIONS = {"pinterest": {"board_id": "549755885175"}, "reddit": {"subreddit": "coffee", "title": "A cup"}}
MISSING = ("missing", "no file", "needs the file", "has no file")


@pytest.mark.parametrize("platform", ["x", "linkedin", "facebook", "reddit", "pinterest"])
def test_a_stored_file_is_uploadable_without_its_bytes(
    make_client: Callable[..., PlatformClient], platform: str
) -> None:
    client = make_client(platform)
    text = "" if platform == "reddit" else "A cup"  # Reddit shows no body text on a single-image post
    options = OPTIONS.get(platform, {})
    assert STORED.uploadable and not NOTHING.uploadable
    assert client.validate(Draft(text, (STORED,), options)) == []
    refused = " ".join(client.validate(Draft(text, (NOTHING,), options)))
    assert any(words in refused for words in MISSING), refused
