"""X's text rules: the twitter-text v3 weighted count, its link detection and its invalid characters.

X checks its 280 limit with twitter-text v3 (``config/v3.json``; PLATFORMS.md §3): the text is NFC-normalised and
its line endings folded to ``\\n``; code points in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and U+2032–U+2037
weigh 1 and everything else 2; an emoji weighs 2 however many code points draw it; every link weighs 23 (t.co),
and U+FFFE, U+FEFF and U+FFFF make a post invalid.

The rules come from ``twitter-text-parser`` (pinned in requirements.txt), the Python port that passes twitter-text's
conformance suite: its regular expressions (the IANA TLD list, IDN domains, paths, t.co), its IDNA check (a label of
more than 63 punycode characters is no link), its emoji table and its weights. What this module does differently is
HOW the URL pattern is matched, not what it matches. The package runs it with ``finditer``: on a run of
dot-separated labels (``a.a.a.…``, ``日本.日本.…``) every attempt walks the rest of the run and backtracks through it
trying ~1,600 TLDs at every dot, from every position, so 280 such characters take 1.6 s and a few thousand take
minutes (a counter that runs on every keystroke and on every API call cannot do that). Here the greedy choice the
pattern makes is computed in one right-to-left pass (``_domain_ends``) and the rest of the pattern runs once per
link. ``tests/platforms/test_x_text.py`` checks that the result is the package's (but for a bare © and ®, see
``_TEXT_STYLE``), on the conformance suite and on random texts, and that the package's pattern still has the shape
this relies on.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
import warnings
from dataclasses import dataclass

with warnings.catch_warnings():
    # twitter-text-parser 3.0.0 loads its emoji table through pkg_resources, which newer setuptools announce the
    # end of; requirements.txt pins a setuptools that still has it.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    from twitter_text import extract_emojis_with_indices
    from twitter_text.config import config as _configs
    from twitter_text.get_character_weight import get_character_weight
    from twitter_text.regexp.invalid_chars_group import invalid_chars_group
    from twitter_text.regexp.valid_ascii_domain import valid_ascii_domain
    from twitter_text.regexp.valid_cctld import valid_cctld
    from twitter_text.regexp.valid_domain_chars import valid_domain_chars
    from twitter_text.regexp.valid_gtld import valid_gtld
    from twitter_text.regexp.valid_port_number import valid_port_number
    from twitter_text.regexp.valid_punycode import valid_punycode
    from twitter_text.regexp.valid_url_path import valid_url_path
    from twitter_text.regexp.valid_url_preceding_chars import valid_url_preceding_chars
    from twitter_text.regexp.valid_url_query_chars import valid_url_query_chars
    from twitter_text.regexp.valid_url_query_ending_chars import valid_url_query_ending_chars

V3 = _configs["version3"]
MAX_WEIGHTED_LENGTH: int = V3["max_weighted_tweet_length"]  # 280
URL_WEIGHT: int = V3["transformed_url_length"]  # 23
_SCALE: int = V3["scale"]
# The module (the package re-exports a function under its name): its helpers decide what a match keeps.
_package = importlib.import_module("twitter_text.extract_urls")

# --- the package's URL pattern, taken apart ---------------------------------------------------------------------
# extract_url = (preceding char)((https?://)?(subdomain* domain-name TLD)(:port)?(/path)?(?query)?), IGNORECASE.
# tests/platforms/test_x_text.py reassembles it from these pieces and checks it is the package's, character for
# character, so a new package version that changes its shape fails there rather than counting differently here.

TLD_LOOKAHEAD = "(?=[^0-9a-zA-Z@+-]|$)"


def tld_literals(pattern: str) -> list[str]:
    """The TLDs of a package TLD pattern ``(?:(?:a|b|…)(?=…))``, in its order."""
    head, tail = "(?:(?:", ")" + TLD_LOOKAHEAD + ")"
    if not (pattern.startswith(head) and pattern.endswith(tail)):
        raise ValueError("not a twitter-text TLD pattern")
    return pattern[len(head) : -len(tail)].split("|")


def _factored(literals: list[str]) -> str:
    """The same alternation, grouped by first character (order kept within each group) so that a position is tried
    against one group instead of ~1,600 TLDs. Equivalent because no character matches two of the (lower-case)
    first characters under IGNORECASE, which ``_first_characters_apart`` checks."""
    groups: dict[str, list[str]] = {}
    for literal in literals:
        groups.setdefault(literal[0], []).append(literal[1:])
    _first_characters_apart(list(groups))
    return "|".join(re.escape(first) + "(?:" + "|".join(map(re.escape, rests)) + ")" for first, rests in groups.items())


def _first_characters_apart(firsts: list[str]) -> None:
    for i, a in enumerate(firsts):
        same = re.compile(re.escape(a), re.IGNORECASE)
        for b in firsts[i + 1 :]:
            if same.fullmatch(b):
                raise ValueError(f"TLDs starting with {a!r} and {b!r} cannot be grouped apart")


_TLD = re.compile(
    f"(?:(?:{_factored(tld_literals(valid_gtld.pattern))}){TLD_LOOKAHEAD}"
    f"|(?:{_factored(tld_literals(valid_cctld.pattern))}){TLD_LOOKAHEAD}"
    f"|{valid_punycode.pattern})",
    re.IGNORECASE,
)
_DOMAIN_CHAR = re.compile(valid_domain_chars.pattern, re.IGNORECASE)
_ASCII_LABEL_CHAR = re.compile(valid_ascii_domain.pattern[len("(?:(?:") : valid_ascii_domain.pattern.index("+)")], re.I)
# One preceding character; the pattern's third branch, "^" (the text's start), is handled in _match_at.
_PRECEDING_CHAR = re.compile(valid_url_preceding_chars.pattern.removesuffix("|^)") + ")", re.IGNORECASE)
_PROTOCOL = re.compile(r"https?:\/\/", re.IGNORECASE)
URL_TAIL = (
    f"(?::({valid_port_number.pattern}))?(\\/{valid_url_path.pattern}*)?"
    f"(\\?{valid_url_query_chars.pattern}*{valid_url_query_ending_chars.pattern})?"
)
_TAIL = re.compile(URL_TAIL, re.IGNORECASE)
_INVALID_CHAR = re.compile(f"[{invalid_chars_group}]")
_LINE_ENDING = re.compile(r"\r\n|\r|\n")
# Where this module departs from the package, to follow twitter-text: the package's emoji table (Unicode's
# emoji-test.txt) lists a bare © and ® as emoji, so it counts them 2; twitter-text's own pattern has them only as
# ``[©®™♟]\uFE0F`` (Java; twemoji's in JS agrees), so "©️" weighs 2 and a bare © 1, like the Latin-1 character it is.
_TEXT_STYLE = frozenset({"\u00a9", "\u00ae"})


@dataclass(frozen=True)
class InvalidCharacter:
    index: int  # code-point offset in the text as written
    char: str

    @property
    def label(self) -> str:
        return f"U+{ord(self.char):04X} ({unicodedata.name(self.char, 'noncharacter').lower()})"


# --- matching, in one pass each way ---------------------------------------------------------------------------
# A regular expression with a greedy ``(label.)*`` followed by a TLD backtracks label by label, trying every TLD at
# each dot, and it does so again from every position of the run: quadratic in the run, times the TLD list. The
# greedy choice has a simple closed form, though: from a label, the match ends where the match from the NEXT label
# ends, if there is one (more labels first), else at the TLD right after this label, if there is one. One
# right-to-left pass computes that end for every offset.


def _label_runs(text: str, is_label_char: list[bool]) -> list[int]:
    """For each offset, where the run of label characters starting there ends."""
    ends = [len(text)] * (len(text) + 1)
    for i in range(len(text) - 1, -1, -1):
        ends[i] = ends[i + 1] if is_label_char[i] else i
    return ends


def _domain_ends(text: str) -> list[int]:
    """For each offset, where the package's ``valid_domain`` (subdomains, domain name, TLD) matching there ends
    (-1: no match). A label is domain characters, ``_`` and ``-`` up to a dot, starting and ending with a domain
    character; the domain name's label has no ``_``."""
    n = len(text)
    is_char = [_DOMAIN_CHAR.match(ch) is not None for ch in text]
    run_end = _label_runs(text, [c or ch in "_-" for c, ch in zip(is_char, text, strict=True)])
    next_underscore = [n] * (n + 1)
    for i in range(n - 1, -1, -1):
        next_underscore[i] = i if text[i] == "_" else next_underscore[i + 1]
    ends = [-1] * (n + 1)
    for i in range(n - 1, -1, -1):
        dot = run_end[i]
        if not is_char[i] or dot >= n or text[dot] != "." or not is_char[dot - 1]:
            continue
        if ends[dot + 1] >= 0:
            ends[i] = ends[dot + 1]
        elif next_underscore[i] > dot and (tld := _TLD.match(text, dot + 1)):
            ends[i] = tld.end()
    return ends


def _ascii_domains(domain: str) -> list[tuple[int, int]]:
    """``valid_ascii_domain.finditer(domain)`` as spans: ASCII (and Latin-accented) labels, then a TLD."""
    n = len(domain)
    run_end = _label_runs(domain, [_ASCII_LABEL_CHAR.match(ch) is not None for ch in domain])
    ends = [-1] * (n + 1)
    for i in range(n - 1, -1, -1):
        dot = run_end[i]
        if dot == i or dot >= n or domain[dot] != ".":
            continue
        if ends[dot + 1] >= 0:
            ends[i] = ends[dot + 1]
        elif tld := _TLD.match(domain, dot + 1):
            ends[i] = tld.end()
    spans, i = [], 0
    while i < n:
        if ends[i] >= 0:
            spans.append((i, ends[i]))
            i = ends[i]
        else:
            i += 1
    return spans


@dataclass(frozen=True)
class _Match:
    """One match of the package's ``extract_url``, by its groups."""

    start: int  # of the URL (after the preceding character)
    end: int
    before: str
    protocol: str | None
    domain: str
    path: str | None


def _match_at(text: str, p: int, domain_ends: list[int]) -> _Match | None:
    """``extract_url.match(text, p)``: a preceding character (or the text's start), then a URL."""
    starts = [p + 1] if _PRECEDING_CHAR.match(text, p) else []
    if p == 0:
        starts.append(0)  # "^" is the last branch of the preceding-character group
    for start in starts:
        protocol = _PROTOCOL.match(text, start)
        domain_start = protocol.end() if protocol and domain_ends[protocol.end()] >= 0 else start
        domain_end = domain_ends[domain_start]
        if domain_end < 0:
            continue
        tail = _TAIL.match(text, domain_end)
        assert tail is not None  # every part of the tail is optional
        return _Match(
            start=start,
            end=tail.end(),
            before=text[p:start],
            protocol=protocol.group() if domain_start != start else None,
            domain=text[domain_start:domain_end],
            path=tail.group(2),
        )
    return None


def url_entities(text: str) -> list[tuple[int, int, str]]:
    """The links X wraps in t.co as (start, end, url), in code-point offsets: exactly the package's
    ``extract_urls_with_indices``, in time linear in the text."""
    if "." not in text:
        return []
    domain_ends = _domain_ends(text)
    found: list[tuple[int, int, str]] = []
    position = 0
    while position < len(text):
        match = _match_at(text, position, domain_ends)
        if match is None:
            position += 1
            continue
        found += _accepted(text, match)
        position = match.end
    return found


def _accepted(text: str, match: _Match) -> list[tuple[int, int, str]]:
    """What the package keeps of one match (``extract_urls_with_indices``'s loop body, on its own helpers)."""
    url = text[match.start : match.end]
    if not _package.is_valid_url(url, match.protocol or _package.default_protocol, match.domain):
        return []
    if match.protocol is None:
        if _package.invalid_url_without_protocol_preceding_chars.match(match.before):
            return []
        found = [
            (match.start + start, match.start + end, match.domain[start:end])
            for start, end in _ascii_domains(match.domain)
        ]
        if found and match.path:  # the last ASCII domain takes the path and the query
            start, _end, last = found[-1]
            found[-1] = (start, match.end, url.replace(match.domain, last))
        return found
    tco = _package.valid_tco_url.search(url)
    if tco:
        slug = tco.group(1)
        if slug and len(slug) > _package.max_tco_slug_length:
            return []
        url = tco.group(0)
        return [(match.start, match.start + len(url), url)]
    return [(match.start, match.end, url)]


def find_urls(text: str) -> list[tuple[int, int]]:
    """(start, end) of each link X would wrap in t.co, in code-point offsets of ``text``."""
    return [(start, end) for start, end, _url in url_entities(text)]


def strip_urls(text: str) -> str:
    """The text without its links: what stays the same after X rewrites every link to t.co."""
    parts, last = [], 0
    for start, end in find_urls(text):
        parts.append(text[last:start])
        last = end
    parts.append(text[last:])
    return "".join(parts)


def _normalised(text: str) -> str:
    return _LINE_ENDING.sub("\n", unicodedata.normalize("NFC", text))


def weighted_length(text: str) -> int:
    """The length X counts against its 280 limit (twitter-text v3 ``parseTweet().weightedLength``)."""
    text = _normalised(text)
    # A link is skipped by the length of its URL, not of its span, as twitter-text does: the two differ where a
    # link without a protocol keeps only its ASCII domain ("ab-c.みんな.tv/" links "ab-c.みんな/"; the rest counts).
    url_lengths = {start: len(url) for start, _end, url in url_entities(text)}
    emoji_ends = {
        e["indices"][0]: e["indices"][1] for e in extract_emojis_with_indices(text) if e["emoji"] not in _TEXT_STYLE
    }
    total, i = 0, 0
    while i < len(text):
        if i in url_lengths:
            total += URL_WEIGHT * _SCALE
            i += url_lengths[i]
        elif i in emoji_ends:
            total += V3["default_weight"]
            i = emoji_ends[i]
        else:
            total += get_character_weight(text[i], V3)
            i += 1
    return total // _SCALE


def invalid_characters(text: str) -> list[InvalidCharacter]:
    """The characters that make X refuse a post whatever its length (twitter-text's ``hasInvalidCharacters``)."""
    return [InvalidCharacter(m.start(), m.group()) for m in _INVALID_CHAR.finditer(text)]


def is_valid(text: str) -> bool:
    """twitter-text v3 ``parseTweet().valid``: 1 to 280 weighted characters and no invalid character."""
    return 0 < weighted_length(text) <= MAX_WEIGHTED_LENGTH and not invalid_characters(text)


__all__ = [
    "MAX_WEIGHTED_LENGTH",
    "URL_WEIGHT",
    "InvalidCharacter",
    "find_urls",
    "invalid_characters",
    "is_valid",
    "strip_urls",
    "url_entities",
    "weighted_length",
]
