"""What a file is, judged from its first bytes — never from its name or the Content-Type a client claims.

Signatures come from ``filetype`` (pure Python, no libmagic); what it cannot tell (text: HTML, SVG, scripts)
is named here only to say plainly what was refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

import filetype

from socialhub.media.errors import UnsupportedType

HEAD_BYTES = 8192  # as much as filetype ever looks at


@dataclass(frozen=True)
class Format:
    content_type: str
    kind: str  # "image", "video" or "document" (an animated GIF becomes "gif" once probed)
    extension: str
    name: str  # for messages: "PNG image"


# Every type at least one platform takes (platforms/*.py IMAGE_TYPES, VIDEO_TYPES, DOCUMENT_TYPES; WebM for
# YouTube). Anything else is refused at upload, so a post can never carry a file no platform would take.
ACCEPTED: dict[str, Format] = {
    f.content_type: f
    for f in (
        Format("image/jpeg", "image", ".jpg", "JPEG image"),
        Format("image/png", "image", ".png", "PNG image"),
        Format("image/gif", "image", ".gif", "GIF image"),
        Format("image/webp", "image", ".webp", "WebP image"),
        Format("image/bmp", "image", ".bmp", "BMP image"),
        Format("image/tiff", "image", ".tiff", "TIFF image"),
        Format("video/mp4", "video", ".mp4", "MP4 video"),
        Format("video/quicktime", "video", ".mov", "QuickTime (MOV) video"),
        Format("video/x-m4v", "video", ".m4v", "M4V video"),
        Format("video/webm", "video", ".webm", "WebM video"),
        Format("application/pdf", "document", ".pdf", "PDF document"),
        Format("application/msword", "document", ".doc", "Word document"),
        Format(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "document",
            ".docx",
            "Word document",
        ),
        Format("application/vnd.ms-powerpoint", "document", ".ppt", "PowerPoint document"),
        Format(
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "document",
            ".pptx",
            "PowerPoint document",
        ),
    )
}
# filetype's names for variants of an accepted type.
ALIASES = {"image/apng": "image/png"}
ACCEPTED_IN_WORDS = (
    "JPEG, PNG, GIF, WebP, BMP or TIFF images; MP4, MOV, M4V or WebM videos; PDF, Word or PowerPoint documents"
)
MEDIA_SUFFIXES = {f.extension for f in ACCEPTED.values()} | {".jpeg", ".jpe", ".tif"}

# Refused types people actually try, named the way they know them.
KNOWN_NAMES = {
    "application/x-executable": "a Linux program (ELF)",
    "application/x-msdownload": "a Windows program (EXE)",
    "application/zip": "a ZIP archive",
    "application/gzip": "a gzip archive",
    "application/x-tar": "a tar archive",
    "application/x-rar-compressed": "a RAR archive",
    "application/x-7z-compressed": "a 7-Zip archive",
    "image/heic": "a HEIC photo (as iPhones save them)",
    "image/avif": "an AVIF image",
    "image/x-icon": "an icon file",
    "image/vnd.adobe.photoshop": "a Photoshop document",
    "video/x-matroska": "an MKV video",
    "video/x-msvideo": "an AVI video",
    "audio/mpeg": "an MP3 audio file",
    "audio/x-wav": "a WAV audio file",
    "application/x-sqlite3": "an SQLite database",
    "text/html": "an HTML page",
    "image/svg+xml": "an SVG drawing",
    "text/x-script": "a script",
    "text/plain": "plain text",
}
HINTS = {"image/heic": " Export it as JPEG first.", "image/avif": " Export it as JPEG or PNG first."}


def sniff(head: bytes, filename: str = "") -> Format:
    """The accepted format of a file from its first bytes; ``UnsupportedType`` saying what the bytes are otherwise."""
    guess = filetype.guess(head[:HEAD_BYTES]) if head else None
    detected = ALIASES.get(guess.mime, guess.mime) if guess else _text_type(head)
    found = ACCEPTED.get(detected)
    if found is not None:
        return found
    label = f"“{filename}”" if filename else "This file"
    what = KNOWN_NAMES.get(detected) or (f"{detected} data" if detected != "unknown" else "not a format we recognise")
    suffix = PurePath(filename).suffix.lower()
    claimed = f", whatever its name ({suffix}) says" if suffix in MEDIA_SUFFIXES else ""
    raise UnsupportedType(
        f"{label} cannot be posted: its contents are {what}{claimed}.{HINTS.get(detected, '')} "
        f"SocialHub takes {ACCEPTED_IN_WORDS}.",
        detected=detected,
    )


def name_mismatch(filename: str, found: Format) -> str | None:
    """A note when the name's extension says another accepted type than the bytes (a PNG called .jpg)."""
    claimed = PurePath(filename).suffix.lower()
    expected = {found.extension, *({".jpeg", ".jpe"} if found.extension == ".jpg" else ())}
    expected |= {".tif"} if found.extension == ".tiff" else set()
    if not claimed or claimed in expected:
        return None
    return f"The name ends in {claimed}, but the file is a {found.name}; it is kept as {found.content_type}."


def _text_type(head: bytes) -> str:
    """Name text formats that signature tables leave out; "unknown" for binary noise."""
    if b"\x00" in head[:1024]:
        return "unknown"
    try:
        text = head[:1024].decode("utf-8").lstrip("\ufeff \t\r\n").lower()
    except UnicodeDecodeError:
        return "unknown"
    if text.startswith(("<!doctype html", "<html", "<head", "<body", "<script", "<iframe")):
        return "text/html"
    if "<svg" in text[:512]:
        return "image/svg+xml"
    if text.startswith("#!"):
        return "text/x-script"
    return "text/plain" if text else "unknown"
