"""LinkedIn's "Little Text" commentary format (PLATFORMS.md §4, content limits).

Reserved characters must be backslash-escaped, or LinkedIn silently drops the text after them. Mentions
(``@[Name](urn:li:organization:1)``) pass through unescaped, and ``#tag`` becomes the hashtag template
``{hashtag|\\#|tag}`` so it stays a link.
"""

from __future__ import annotations

import re

RESERVED = set("\\|{}@[]()<>#*_~")  # LinkedIn's Little Text reserved characters
MENTION = re.compile(r"@\[[^\]\n]+\]\(urn:li:(?:person|organization):[\w-]+\)")
HASHTAG = re.compile(r"(?<![\w\\])#([^\W_]+)")


def escape_little_text(text: str) -> str:
    """Backslash-escape every reserved character, so LinkedIn shows the text exactly as written."""
    return "".join("\\" + char if char in RESERVED else char for char in text)


def to_commentary(text: str) -> str:
    """The draft text as LinkedIn's ``commentary``: mentions kept, ``#tag`` as a hashtag, the rest escaped."""
    parts, last = [], 0
    for match in MENTION.finditer(text):
        parts += [_escape_with_hashtags(text[last : match.start()]), match.group(0)]
        last = match.end()
    parts.append(_escape_with_hashtags(text[last:]))
    return "".join(parts)


def _escape_with_hashtags(text: str) -> str:
    parts, last = [], 0
    for match in HASHTAG.finditer(text):
        parts += [escape_little_text(text[last : match.start()]), "{hashtag|\\#|" + match.group(1) + "}"]
        last = match.end()
    parts.append(escape_little_text(text[last:]))
    return "".join(parts)


def text_length(text: str) -> int:
    """LinkedIn's servers are Java: count UTF-16 units (an emoji is two), the stricter of the two readings."""
    return len(text.encode("utf-16-le")) // 2
