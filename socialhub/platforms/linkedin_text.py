"""LinkedIn's "Little Text" commentary (PLATFORMS.md §4; LinkedIn's "little Text Format" page).

Commentary is text with two kinds of element: a mention ``@[Name](urn:li:organization:1)`` and a hashtag template
``{hashtag|\\#|tag}``. The reserved characters ``\\ | { } @ [ ] ( ) < > # * _ ~`` must be backslash-escaped to be
plain text; unescaped, LinkedIn drops everything after the first one.

What the user wrote stays what they wrote: the text is escaped character by character, so a typed
``@[Acme](urn:li:organization:1234)``, an e-mail address, ``C#`` or ``issue #42`` arrive as those characters. Two
things become elements, and only these:

* **Mentions are chosen, never typed.** They come from the target's ``mentions`` option (a list of
  :class:`Mention`, written ``Name = urn:li:organization:1234; Other = urn:li:person:abc`` in the option's text),
  and every occurrence of a chosen name in the text (with an ``@`` before it or not) becomes that mention. A chosen
  name that the text does not contain is a validation problem, not a silent no-op.
* **A hashtag is what LinkedIn links as one:** ``#`` (or the full-width ``＃``) right after the start, a space or
  punctuation, followed by letters, digits, combining marks and ``_`` with at least one letter: ``#launch``,
  ``#2026goals``, ``#café``; not ``#42``, not the ``#`` of ``C#``, ``page#top``, ``&#39;`` or ``\\#tag``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

RESERVED = frozenset("\\|{}@[]()<>#*_~")  # LinkedIn's Little Text reserved characters
HASH_SIGNS = "#＃"  # the HashtagTemplate's two hashtag signs
MENTION_URN = re.compile(r"urn:li:(?:person|organization):[A-Za-z0-9_-]+")
MENTION_SYNTAX = "Name = urn:li:organization:1234 (or urn:li:person:…), several separated by “;”"


@dataclass(frozen=True)
class Mention:
    """A person or organisation chosen to be mentioned: the name as it appears in the text, and its URN."""

    name: str
    urn: str


def escape_little_text(text: str) -> str:
    """Backslash-escape every reserved character, so LinkedIn shows the text exactly as written."""
    return "".join("\\" + char if char in RESERVED else char for char in text)


# --- the mentions option ----------------------------------------------------------------------------------------


def parse_mentions(value: object) -> tuple[list[Mention], list[str]]:
    """The ``mentions`` option as mentions, and a problem per entry that is not ``Name = urn``.

    The option is text (``Acme = urn:li:organization:1234; Jane Doe = urn:li:person:a1B2``), because options are
    text in the composer and the API; a picker fills it in the same form.
    """
    if value is None or value == "":
        return [], []
    if not isinstance(value, str):
        return [], [f"LinkedIn mentions must be written as {MENTION_SYNTAX}."]
    mentions, problems = [], []
    for entry in re.split(r"[;\n]", value):
        if not entry.strip():
            continue
        name, equals, urn = entry.rpartition("=")
        name, urn = name.strip(), urn.strip()
        if not equals or not name or not MENTION_URN.fullmatch(urn):
            problems.append(f"The LinkedIn mention “{entry.strip()}” is not of the form {MENTION_SYNTAX}.")
        else:
            mentions.append(Mention(name, urn))
    return mentions, problems


def missing_mentions(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """The chosen mentions whose name the text does not contain (as a whole word), so nothing would link."""
    found = {mention.name for _start, _end, mention in _mention_spans(text, mentions)}
    return [mention for mention in mentions if mention.name not in found]


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")


def _mention_spans(text: str, mentions: Sequence[Mention]) -> list[tuple[int, int, Mention]]:
    """(start, end, mention) of every whole-word occurrence of a chosen name, an ``@`` before it included;
    longer names first where two overlap ("Acme Corp" before "Acme")."""
    spans: list[tuple[int, int, Mention]] = []
    by_length = sorted(mentions, key=lambda m: len(m.name), reverse=True)
    i = 0
    while i < len(text):
        at = 1 if text[i] == "@" else 0
        start = i + at
        hit = None
        if start == 0 or at or not (_is_word_char(text[start - 1]) or text[start - 1] in HASH_SIGNS):
            for mention in by_length:
                end = start + len(mention.name)
                if text.startswith(mention.name, start) and (end == len(text) or not _is_word_char(text[end])):
                    hit = (i, end, mention)
                    break
        if hit:
            spans.append(hit)
            i = hit[1]
        else:
            i += 1
    return spans


# --- hashtags -----------------------------------------------------------------------------------------------------


def hashtag_at(text: str, i: int) -> int | None:
    """Where the hashtag starting with the sign at ``text[i]`` ends, or None when LinkedIn would not link one."""
    if text[i] not in HASH_SIGNS or (i > 0 and (_is_word_char(text[i - 1]) or text[i - 1] in "&/@\\" + HASH_SIGNS)):
        return None
    end = i + 1
    while end < len(text) and _is_word_char(text[end]):
        end += 1
    word = text[i + 1 : end]
    return end if any(unicodedata.category(c).startswith("L") for c in word) else None


def hashtags(text: str) -> list[str]:
    """The hashtags in the text, without their sign."""
    found, i = [], 0
    while i < len(text):
        end = hashtag_at(text, i)
        if end is None:
            i += 1
        else:
            found.append(text[i + 1 : end])
            i = end
    return found


# --- the commentary -------------------------------------------------------------------------------------------------


def to_commentary(text: str, mentions: Sequence[Mention] = ()) -> str:
    """The draft text as LinkedIn's ``commentary``: chosen mentions as mentions, hashtags as hashtag templates,
    every other character escaped so that it shows as written."""
    spans = {start: (end, mention) for start, end, mention in _mention_spans(text, mentions)}
    parts, i = [], 0
    while i < len(text):
        if i in spans:
            end, mention = spans[i]
            parts.append(f"@[{escape_little_text(mention.name)}]({mention.urn})")
            i = end
        elif (end := hashtag_at(text, i)) is not None:
            sign = "\\#" if text[i] == "#" else text[i]
            parts.append("{hashtag|" + sign + "|" + text[i + 1 : end] + "}")
            i = end
        else:
            parts.append(escape_little_text(text[i]))
            i += 1
    return "".join(parts)


def text_length(text: str) -> int:
    """LinkedIn's servers are Java: count UTF-16 units (an emoji is two), the stricter of the two readings."""
    return len(text.encode("utf-16-le")) // 2


__all__ = [
    "MENTION_SYNTAX",
    "Mention",
    "escape_little_text",
    "hashtag_at",
    "hashtags",
    "missing_mentions",
    "parse_mentions",
    "text_length",
    "to_commentary",
]
