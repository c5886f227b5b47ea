"""X's text on the sandbox side: the check ``POST /2/tweets`` applies, and the text X's API hands back.

The sandbox refuses what X refuses, so it counts exactly as X does: with twitter-text v3, through
``twitter-text-parser``'s own ``parse_tweet`` (the package that passes twitter-text's conformance suite). That is the
reference implementation itself, not the product's counter (``socialhub/platforms/x_text.py``, which runs the same
rules in linear time): the sandbox must not trust the client it is testing.
"""

from __future__ import annotations

import html
import re
import secrets
import string
import unicodedata
import warnings

with warnings.catch_warnings():
    # The package loads its emoji table through pkg_resources, which newer setuptools announce the end of.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    from twitter_text import extract_urls_with_indices, parse_tweet
    from twitter_text.config import config as _configs
    from twitter_text.extract_urls import max_url_length
    from twitter_text.has_invalid_characters import has_invalid_characters
    from twitter_text.regexp.valid_cctld import valid_cctld
    from twitter_text.regexp.valid_gtld import valid_gtld
    from twitter_text.regexp.valid_punycode import valid_punycode

_TLD_AFTER_DOT = re.compile(
    rf"\.(?:{valid_gtld.pattern}|{valid_cctld.pattern}|{valid_punycode.pattern})", re.IGNORECASE
)
MAX_WEIGHTED_LENGTH: int = _configs["version3"]["max_weighted_tweet_length"]
TOO_LONG = (
    "Your Tweet text is too long. For more information on how Twitter determines text length see "
    "https://github.com/twitter/twitter-text."
)
# X documents the rule (twitter-text's hasInvalidCharacters) but not its wording for it; this is the sandbox's.
INVALID_CHARACTERS = (
    "Your Tweet text contains characters that are not allowed (U+FFFE, U+FEFF or U+FFFF). For more information "
    "see https://github.com/twitter/twitter-text."
)
# No text longer than this can weigh 280 or less: at most 12 links (12 × 23 = 276) of at most max_url_length code
# points each, and otherwise at most 4 code points per unit of weight (an emoji weighs 2 and has at most 8 in the
# package's table; a "\r\n" weighs 1). Above it the sandbox refuses without counting, which also keeps the
# reference count, quadratic on long dotted runs, off huge inputs.
_LONGEST_VALID_TEXT = (MAX_WEIGHTED_LENGTH // 23) * max_url_length + 4 * MAX_WEIGHTED_LENGTH


def _links(text: str) -> list[tuple[int, int]]:
    """The package's links, as (start, end). Every link ends in "." + a TLD: without one there is none, and the
    package's URL pattern, quadratic on dotted words ("a.a.a…": 280 characters take 1.6 s), is not run."""
    if not _TLD_AFTER_DOT.search(text):
        return []
    return [(e["indices"][0], e["indices"][1]) for e in extract_urls_with_indices(text)]


def weighted_length(text: str) -> int:
    """twitter-text v3's count. The package's emoji table takes a bare © or ® for an emoji (2); twitter-text's own
    pattern wants U+FE0F after them, so outside links a bare one weighs 1."""
    normalized = re.sub(r"\r\n|\r|\n", "\n", unicodedata.normalize("NFC", text))
    links = _links(normalized)
    if not links:
        text = normalized.replace(".", ",")  # a "," weighs what a "." does, and parse_tweet then skips its URL pattern
    in_links = {i for start, end in links for i in range(start, end)}
    bare = re.finditer(r"[\u00a9\u00ae](?!\ufe0f)", normalized)
    return parse_tweet(text).weightedLength - sum(1 for m in bare if m.start() not in in_links)


def text_refusal(text: str) -> str | None:
    """X's message when ``POST /2/tweets`` refuses this text, or None when X accepts it."""
    if len(text) > _LONGEST_VALID_TEXT or weighted_length(text) > MAX_WEIGHTED_LENGTH:
        return TOO_LONG
    if has_invalid_characters(text):
        return INVALID_CHARACTERS
    return None


def _tco() -> str:
    return "https://t.co/" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(10))


def stored_text(text: str, has_media: bool) -> str:
    """What X's API returns as the post's text: links become t.co, entities escaped, media adds a t.co link."""
    parts, last = [], 0
    for start, end in _links(text):
        parts += [text[last:start], _tco()]
        last = end
    parts.append(text[last:])
    shown = html.escape("".join(parts), quote=False)
    return f"{shown} {_tco()}".strip() if has_media else shown
