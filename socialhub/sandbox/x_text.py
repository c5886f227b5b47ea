"""X's text on the sandbox side: an independent, compact count (the sandbox must not trust the client's own
counter) and the text X's API hands back (links as t.co, entities escaped)."""

from __future__ import annotations

import html
import re
import secrets
import string
import unicodedata

_URL = re.compile(r"https?://[^\s]+|(?<![\w@.-])(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/[^\s]*)?", re.IGNORECASE)


def approximate_length(text: str) -> int:
    """Independent, compact twitter-text v3 count (the sandbox must not trust the client's own counter).

    Links 23; code points in the v3 weight-1 ranges 1; anything else 2, with a symbol and the marks, modifiers and
    ZWJ-joined symbols that draw one emoji counted once. URL detection is more generous than X's, so the sandbox
    never refuses what the real count allows.
    """
    text = _URL.sub("\x00", unicodedata.normalize("NFC", text))
    total, i = 0, 0
    while i < len(text):
        cp = ord(text[i])
        i += 1
        if cp == 0:
            total += 23
        elif cp <= 0x10FF or 0x2000 <= cp <= 0x200D or 0x2010 <= cp <= 0x201F or 0x2032 <= cp <= 0x2037:
            if i < len(text) and text[i] in "\ufe0f\u20e3":  # keycaps 1️⃣ and ©️ are one emoji
                while i < len(text) and text[i] in "\ufe0f\u20e3":
                    i += 1
                total += 2
            else:
                total += 1
        else:
            total += 2
            while i < len(text):
                nxt = ord(text[i])
                if nxt == 0xFE0F or 0x1F3FB <= nxt <= 0x1F3FF or 0xE0020 <= nxt <= 0xE007F:
                    i += 1
                elif nxt == 0x200D and i + 1 < len(text):
                    i += 2
                elif 0x1F1E6 <= cp <= 0x1F1FF and 0x1F1E6 <= nxt <= 0x1F1FF:  # a flag: two regional indicators
                    i += 1
                    break
                else:
                    break
    return total


def _tco() -> str:
    return "https://t.co/" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(10))


def stored_text(text: str, has_media: bool) -> str:
    """What X's API returns as the post's text: links become t.co, entities escaped, media adds a t.co link."""
    shown = html.escape(_URL.sub(lambda _m: _tco(), text), quote=False)
    return f"{shown} {_tco()}".strip() if has_media else shown
