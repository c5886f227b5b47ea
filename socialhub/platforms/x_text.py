"""X's weighted character count: twitter-text v3 (``config/v3.json``), the rule X's 280 limit is checked with.

The rules, as twitter-text v3 states them (PLATFORMS.md §3, docs.x.com "Counting characters"):

* the text is NFC-normalised first ("e" + combining acute is one character);
* code points in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and U+2032–U+2037 weigh 1 (Latin, Greek,
  Cyrillic, Hebrew, Arabic, Indic scripts, general punctuation); everything else weighs 2 (CJK, most symbols);
* every emoji weighs 2 as ONE unit, however many code points draw it: skin-tone modifiers, ZWJ sequences
  (families, professions), flags (regional-indicator pairs and tag sequences), keycaps, VS16;
* every URL weighs 23, whatever its length, because X wraps it in a t.co link.

twitter-text finds emoji with twemoji's generated regex and URLs with a regex over the full IANA TLD list. Python's
standard library has neither, so this module recognises emoji structurally (pictographic base + modifiers and
joiners) and URLs with the same shape rules and a shortened TLD list; the differences are noted where they are.
"""

from __future__ import annotations

import re
import unicodedata

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23  # transformedURLLength
EMOJI_WEIGHT = 2  # defaultWeight / scale

# twitter-text v3 "ranges" with weight 100 (= 1 after dividing by scale 100); defaultWeight is 200 (= 2).
_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))

_ZWJ = 0x200D
_VS16 = 0xFE0F
_KEYCAP = 0x20E3
_CANCEL_TAG = 0xE007F

# Code points that start an emoji. Broader than Unicode's Extended_Pictographic in places, which does no harm:
# outside the light ranges a lone symbol weighs 2 either way, and the only effect of being listed here is that a
# following VS16, skin tone or ZWJ sequence is merged into it, which is what a renderer draws as one glyph.
_PICTOGRAPHIC = (
    (0x203C, 0x203C),
    (0x2049, 0x2049),
    (0x2122, 0x2122),
    (0x2139, 0x2139),
    (0x2194, 0x2199),
    (0x21A9, 0x21AA),
    (0x231A, 0x231B),
    (0x2328, 0x2328),
    (0x23CF, 0x23CF),
    (0x23E9, 0x23F3),
    (0x23F8, 0x23FA),
    (0x24C2, 0x24C2),
    (0x25AA, 0x25AB),
    (0x25B6, 0x25B6),
    (0x25C0, 0x25C0),
    (0x25FB, 0x25FE),
    (0x2600, 0x27BF),  # miscellaneous symbols and dingbats: ☀ ☺ ♥ ⚽ ✂ ✈ ❤ ➡ …
    (0x2934, 0x2935),
    (0x2B05, 0x2B07),
    (0x2B1B, 0x2B1C),
    (0x2B50, 0x2B50),
    (0x2B55, 0x2B55),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3297),
    (0x3299, 0x3299),
    (0x1F000, 0x1F1E5),  # mahjong, cards, enclosed alphanumerics (🅰 🆗); regional indicators follow
    (0x1F200, 0x1F3FA),  # enclosed ideographs, misc symbols and pictographs; skin tones follow
    (0x1F400, 0x1FAFF),  # pictographs, emoticons, transport, supplemental symbols, symbols extended-A
    (0x1FC00, 0x1FFFD),  # reserved for future pictographs
)
# © and ® sit in the weight-1 range and are text by default: only with VS16 (©️) are they an emoji.
_TEXT_DEFAULT = frozenset({0x00A9, 0x00AE})


def _in(ranges: tuple[tuple[int, int], ...], cp: int) -> bool:
    return any(start <= cp <= end for start, end in ranges)


def _is_pictographic(cp: int) -> bool:
    return cp in _TEXT_DEFAULT or _in(_PICTOGRAPHIC, cp)


def _is_skin_tone(cp: int) -> bool:
    return 0x1F3FB <= cp <= 0x1F3FF


def _is_regional_indicator(cp: int) -> bool:
    return 0x1F1E6 <= cp <= 0x1F1FF


def _is_tag(cp: int) -> bool:
    return 0xE0020 <= cp <= 0xE007E


def code_point_weight(cp: int) -> int:
    return 1 if _in(_LIGHT_RANGES, cp) else 2


# --- emoji -----------------------------------------------------------------------------------------------------


def _element_end(cps: list[int], i: int) -> int:
    """End of one emoji element: its base, then VS16 and/or a skin tone, then an optional tag sequence (🏴󠁧󠁢󠁳󠁣󠁴󠁿)."""
    n, j = len(cps), i + 1
    for _ in range(2):  # 🏌🏽 (tone), 🏳️ (VS16); some sequences carry both
        if j < n and (cps[j] == _VS16 or _is_skin_tone(cps[j])):
            j += 1
    if j < n and _is_tag(cps[j]):
        k = j
        while k < n and _is_tag(cps[k]):
            k += 1
        if k < n and cps[k] == _CANCEL_TAG:
            j = k + 1
    return j


def emoji_end(cps: list[int], i: int) -> int | None:
    """Where the emoji starting at ``cps[i]`` ends (exclusive), or None when no emoji starts there."""
    n, cp = len(cps), cps[i]
    if cp in (0x23, 0x2A) or 0x30 <= cp <= 0x39:  # keycaps: 1️⃣ #️⃣ (the VS16 is optional)
        j = i + 1
        if j < n and cps[j] == _VS16:
            j += 1
        return j + 1 if j < n and cps[j] == _KEYCAP else None
    if _is_regional_indicator(cp):  # flags are pairs of regional indicators: 🇯🇵
        return i + 2 if i + 1 < n and _is_regional_indicator(cps[i + 1]) else i + 1
    if cp in _TEXT_DEFAULT and not (i + 1 < n and cps[i + 1] == _VS16):
        return None
    if not (_is_pictographic(cp) or _is_skin_tone(cp)):
        return None
    j = _element_end(cps, i)
    while j + 1 < n and cps[j] == _ZWJ and _is_pictographic(cps[j + 1]):  # 👨‍👩‍👧‍👦, 👩🏽‍💻, 🏳️‍🌈
        j = _element_end(cps, j + 1)
    return j


# --- URLs ------------------------------------------------------------------------------------------------------

# twitter-text accepts a URL without a scheme only when its TLD is on the IANA list. This is the part of that list
# people actually write, plus every two-letter country code (checked by shape, not by list).
_TLD_WORDS = """
com net org edu gov mil int info biz name pro mobi aero asia coop jobs museum tel travel xxx app dev page
blog news shop store online site website tech cloud digital media social live life world today agency studio
design art club top xyz icu vip fun link one wiki email network group company center solutions systems
software services consulting marketing photography events games music video tv radio academy school
university education science health care fitness guru ninja rocks space global expert
"""
_GENERIC_TLDS = frozenset(_TLD_WORDS.split())
_SPECIAL_SHORT_TLDS = frozenset({"co", "tv"})  # "t.co" and "name.tv" count as URLs even without a path

_SCHEME = re.compile(r"https?://", re.IGNORECASE)
_BARE_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]", re.IGNORECASE)
_TLD = re.compile(r"xn--[a-z0-9-]+|[a-z]+", re.IGNORECASE)
_PORT = re.compile(r":[0-9]{1,5}")
# validGeneralUrlPathChars: ASCII letters and digits, Latin accents, Cyrillic, and URL punctuation. CJK text
# right after a URL is not part of it.
_PATH = re.compile(r"[/?#][a-z0-9\u00c0-\u024f\u0400-\u04ff!*';:=+,.$/%#\[\]\-\u2013_~&|@()?]*", re.IGNORECASE)
_PATH_END = re.compile(r"[a-z0-9\u00c0-\u024f\u0400-\u04ff=_#/+\-&]", re.IGNORECASE)
_BLOCKS_ANY_URL = re.compile(r"[a-z0-9@＠$#＃\u202a-\u202e]", re.IGNORECASE)  # validUrlPrecedingChars, negated
_BLOCKS_BARE_URL = re.compile(r"[-_./]")  # invalidUrlWithoutProtocolPrecedingChars


def _label_ok(label: str) -> bool:
    if not 0 < len(label) <= 63 or label[0] == "-" or label[-1] == "-":
        return False
    return all(
        ch.isalnum() or ch in "-_" or (ord(ch) > 127 and unicodedata.category(ch)[0] not in "PZC") for ch in label
    )


def _host_ok(host: str) -> bool:
    labels = host.split(".")
    if len(labels) < 2 or not all(_label_ok(label) for label in labels):
        return False
    tld = labels[-1]
    ascii_tld = tld.isascii() and tld.isalpha() and len(tld) >= 2
    return "_" not in labels[-2] and (ascii_tld or tld.lower().startswith("xn--"))


def _trim_path(path: str) -> str:
    """Drop what cannot end a URL (a full stop, comma, unbalanced bracket…), as twitter-text's ending rule does."""
    while path:
        last = path[-1]
        if last == ")" and path.count("(") >= path.count(")"):
            break
        if last != ")" and _PATH_END.match(last):
            break
        path = path[:-1]
    return path


def _url_at(text: str, i: int) -> int | None:
    """End of a URL starting exactly at ``text[i]``, or None."""
    if i > 0 and _BLOCKS_ANY_URL.match(text[i - 1]):
        return None
    scheme = _SCHEME.match(text, i)
    if scheme:
        end = scheme.end()
        while end < len(text) and not (text[end].isspace() or text[end] in "/?#:"):
            end += 1
        host = text[scheme.end() : end]
        while host and not host[-1].isalnum():  # "see https://example.com." ends before the full stop
            host = host[:-1]
        dot = host.rfind(".")
        tld = _TLD.match(host, dot + 1) if dot > 0 else None
        if tld is None:
            return None
        host = host[: tld.end()]  # the TLD ends where ASCII letters do: "https://example.com日本" stops at "com"
        end = scheme.end() + len(host)
        if not _host_ok(host):
            return None
    else:
        if i > 0 and _BLOCKS_BARE_URL.match(text[i - 1]):
            return None
        bare = _BARE_HOST.match(text, i)
        if not bare:
            return None
        host, end = bare.group(), bare.end()
        if end < len(text) and re.match(r"[a-z0-9@+-]", text[end], re.IGNORECASE):
            return None
        labels = host.lower().split(".")
        tld = labels[-1]
        if not (tld in _GENERIC_TLDS or (len(tld) == 2 and tld.isalpha()) or tld.startswith("xn--")):
            return None
        if not all(_label_ok(label) for label in labels):
            return None
    port = _PORT.match(text, end)
    if port:
        end = port.end()
    path_match = _PATH.match(text, end)
    path = _trim_path(path_match.group()) if path_match else ""
    if not scheme and not path:
        # invalidShortDomain: "name.cc" with a country code and nothing else is not linked ("README.md", "foo.io"),
        # except the special short domains ("t.co").
        labels = host.lower().split(".")
        if len(labels) == 2 and len(labels[1]) == 2 and labels[1] not in _SPECIAL_SHORT_TLDS:
            return None
    return end + len(path)


def find_urls(text: str) -> list[tuple[int, int]]:
    """(start, end) of each URL X would wrap in t.co, in code-point offsets of ``text``."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        end = _url_at(text, i) if text[i].isalnum() else None
        if end is not None and end > i:
            spans.append((i, end))
            i = end
        else:
            i += 1
    return spans


def strip_urls(text: str) -> str:
    """The text without its URLs: what stays the same after X rewrites every link to t.co."""
    spans = find_urls(text)
    parts, last = [], 0
    for start, end in spans:
        parts.append(text[last:start])
        last = end
    parts.append(text[last:])
    return "".join(parts)


# --- the count -------------------------------------------------------------------------------------------------


def weighted_length(text: str) -> int:
    """The length X counts against its 280 limit (twitter-text v3 ``parseTweet().weightedLength``)."""
    text = unicodedata.normalize("NFC", text)
    url_ends = dict(find_urls(text))
    cps = [ord(ch) for ch in text]  # Python strings index by code point, so offsets match ``find_urls``
    total, i = 0, 0
    while i < len(cps):
        if i in url_ends:
            total += URL_WEIGHT
            i = url_ends[i]
            continue
        end = emoji_end(cps, i)
        if end is not None:
            total += EMOJI_WEIGHT
            i = end
            continue
        total += code_point_weight(cps[i])
        i += 1
    return total


__all__ = ["MAX_WEIGHTED_LENGTH", "URL_WEIGHT", "find_urls", "strip_urls", "weighted_length"]
