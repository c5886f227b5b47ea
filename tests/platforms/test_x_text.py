"""X's text rules against twitter-text's conformance suite, and against twitter-text-parser itself.

The suite (``conformance/validate.yml``, ``extract.yml``, ``tlds.yml`` of github.com/twitter/twitter-text, Apache
2.0) is read as data, as its README asks ("do not convert these files to test cases statically"). Every case that
concerns what X's 280 check sees is run: validate.yml's v3 sections (weighted length and validity), the empty text
of its ``tweets`` section (the rest of that section is the 140-character v1 rule), extract.yml's URL sections and
both sections of tlds.yml. The other sections (mentions, hashtags, cashtags, usernames, lists, isValidUrl, the v2
counter) test twitter-text functions X's length check does not use. ``tests/data/twitter_text/README.md`` says where
the files come from and where they are looked for.
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path
from typing import Any

import pytest

from socialhub.platforms import x_text
from socialhub.sandbox import x_text as sandbox_x_text

# The package itself, as the reference (imported after x_text, which loads it inside its warning filter).
import twitter_text  # isort: skip
from twitter_text.regexp.extract_url import extract_url  # isort: skip
from twitter_text.regexp.valid_ascii_domain import valid_ascii_domain  # isort: skip
from twitter_text.regexp.valid_cctld import valid_cctld  # isort: skip
from twitter_text.regexp.valid_domain import valid_domain  # isort: skip
from twitter_text.regexp.valid_domain_chars import valid_domain_chars  # isort: skip
from twitter_text.regexp.valid_domain_name import valid_domain_name  # isort: skip
from twitter_text.regexp.valid_gtld import valid_gtld  # isort: skip
from twitter_text.regexp.valid_punycode import valid_punycode  # isort: skip
from twitter_text.regexp.valid_subdomain import valid_subdomain  # isort: skip
from twitter_text.regexp.valid_url_preceding_chars import valid_url_preceding_chars  # isort: skip

ROOT = Path(__file__).resolve().parents[2]
SUITE_FILES = ("validate.yml", "extract.yml", "tlds.yml")


def _suite_dir() -> Path | None:
    """tests/data/twitter_text/, else $TWITTER_TEXT_CONFORMANCE, else shared/twitter_text/ beside a parent folder."""
    candidates = [ROOT / "tests" / "data" / "twitter_text"]
    if os.environ.get("TWITTER_TEXT_CONFORMANCE"):
        candidates.insert(0, Path(os.environ["TWITTER_TEXT_CONFORMANCE"]))
    candidates += [parent / "shared" / "twitter_text" for parent in ROOT.parents]
    return next((c for c in candidates if all((c / name).is_file() for name in SUITE_FILES)), None)


SUITE = _suite_dir()


def _cases(file: str, section: str, keep: Any = None) -> list[Any]:
    if SUITE is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason="twitter-text conformance files not found"))]
    import yaml  # a test-only dependency (requirements-dev.txt)

    cases = yaml.safe_load((SUITE / file).read_text(encoding="utf-8"))["tests"][section]
    return [pytest.param(case, id=case["description"]) for case in cases if keep is None or keep(case)]


# --- the conformance suite ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    _cases("validate.yml", "WeightedTweetsWithDiscountedEmojiCounterTest")
    + _cases("validate.yml", "UnicodeDirectionalMarkerCounterTest")
    + _cases("validate.yml", "tweets", keep=lambda case: case["text"] == ""),
)
def test_weighted_length_and_validity(case: dict[str, Any]) -> None:
    expected = case["expected"]
    if isinstance(expected, bool):  # the tweets section states validity alone
        assert x_text.is_valid(case["text"]) is expected
        return
    assert x_text.weighted_length(case["text"]) == expected["weightedLength"]
    assert x_text.is_valid(case["text"]) is expected["valid"]
    assert sandbox_x_text.weighted_length(case["text"]) == expected["weightedLength"]


@pytest.mark.parametrize(
    "case",
    _cases("extract.yml", "urls")
    + _cases("extract.yml", "tco_urls_with_params")
    + _cases("tlds.yml", "country")
    + _cases("tlds.yml", "generic"),
)
def test_url_extraction(case: dict[str, Any]) -> None:
    assert [url for _start, _end, url in x_text.url_entities(case["text"])] == case["expected"]


@pytest.mark.parametrize(
    "case",
    _cases("extract.yml", "urls_with_indices") + _cases("extract.yml", "urls_with_directional_markers"),
)
def test_url_extraction_with_indices(case: dict[str, Any]) -> None:
    found = [{"url": url, "indices": [start, end]} for start, end, url in x_text.url_entities(case["text"])]
    assert found == case["expected"]


# --- the same answers as the package, on texts built to hit the edges --------------------------------------------

_CHARS = [*"aZ9._-/:?#@()=&%!,'\" \n", "日", "本", "é", "Í", "😷", "👨\u200d🎤", "\u202a", "\u200f", "\ufffe", "。"]
_PIECES = [
    "http://", "https://", "HTTPS://", "www.", ".com", ".co", ".jp", ".みんな", ".한국", "t.co/", "xn--", "xn--ls8h",
    ".org", "example", "a.b", "@user", "#tag", ".co.uk", ":8080", "?q=1", "/path", "foo.bar", "ab-c", "a_b",
    "1.2.3.4", "..", ".de", ".tv", ".py", ".md", "\r\n", "ſhop", "K",
]  # fmt: skip


def _random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(_PIECES) if rng.random() < 0.4 else rng.choice(_CHARS) for _ in range(rng.randint(1, 30)))
        for _ in range(count)
    ]


@pytest.mark.parametrize("seed", range(4))
def test_same_links_count_and_validity_as_the_package(seed: int) -> None:
    for text in _random_texts(1000, seed):
        expected = [(e["indices"][0], e["indices"][1], e["url"]) for e in twitter_text.extract_urls_with_indices(text)]
        assert x_text.url_entities(text) == expected, text
        parsed = twitter_text.parse_tweet(text)
        assert (x_text.weighted_length(text), x_text.is_valid(text)) == (parsed.weightedLength, parsed.valid), text
        assert sandbox_x_text.weighted_length(text) == parsed.weightedLength, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("©", 1), ("®", 1), ("©\ufe0f", 2), ("® 2026 ©", 8), ("https://a©.com/x", 23), ("https://a.com/©", 24), ("™", 2)],
)
def test_a_bare_copyright_sign_weighs_one_as_in_twitter_text(text: str, expected: int) -> None:
    # The package counts a bare © or ® as an emoji (2); twitter-text's pattern wants U+FE0F after them.
    assert x_text.weighted_length(text) == expected
    assert sandbox_x_text.weighted_length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a." * 5000, 10000),  # the package's finditer needs minutes for these
        ("日本." * 3000, 15000),
        ("a_a.com." * 1200, 9600),  # after "_" no link without a protocol may start
        ("a.com" + ".a" * 5000 + ".x_y.com", 23 + 10000 + 8),  # the greedy match takes the first .com only
        ("https://" + "a." * 2000 + "com/" + "(" * 3000, 23 + 3000),
    ],
)
def test_long_dotted_runs_are_counted_whole(text: str, expected: int) -> None:
    assert x_text.weighted_length(text) == expected


# --- the package still has the shape x_text relies on --------------------------------------------------------------


def test_the_package_url_pattern_is_assembled_from_the_pieces_x_text_uses() -> None:
    char = valid_domain_chars.pattern
    assert valid_subdomain.pattern == f"(?:(?:{char}(?:[_-]|{char})*)?{char}\\.)"
    assert valid_domain_name.pattern == f"(?:(?:{char}(?:-|{char})*)?{char}\\.)"
    tlds = f"(?:{valid_gtld.pattern}|{valid_cctld.pattern}|{valid_punycode.pattern})"
    assert valid_domain.pattern == f"(?:{valid_subdomain.pattern}*{valid_domain_name.pattern}{tlds})"
    assert extract_url.flags & re.IGNORECASE
    assert extract_url.pattern == (
        f"(({valid_url_preceding_chars.pattern})((https?:\\/\\/)?({valid_domain.pattern}){x_text.URL_TAIL}))"
    )
    label = x_text._ASCII_LABEL_CHAR.pattern
    assert valid_ascii_domain.pattern == f"(?:(?:{label}+)\\.)+{tlds}"
    assert valid_ascii_domain.flags & re.IGNORECASE
    assert valid_url_preceding_chars.pattern.endswith("|^)")


def test_grouped_tlds_match_as_the_package_list_does() -> None:
    package = re.compile(f"(?:{valid_gtld.pattern}|{valid_cctld.pattern}|{valid_punycode.pattern})", re.IGNORECASE)
    literals = x_text.tld_literals(valid_gtld.pattern) + x_text.tld_literals(valid_cctld.pattern)
    for tld in literals:
        for text in (tld, tld.upper(), tld + "x", tld + ".", tld[:-1], tld + "-", "xn--" + tld, tld + "@"):
            ours, theirs = x_text._TLD.match(text), package.match(text)
            assert (ours and ours.group()) == (theirs and theirs.group()), text
