"""File sizes in the words people read them in."""

from __future__ import annotations


def in_words(size: int) -> str:
    """``5368709120`` → ``"5 GB"``; binary units, as operating systems show file sizes."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{round(size / factor, 1):g} {unit}"
    return "1 byte" if size == 1 else f"{size} bytes"
