"""Sniffing: the bytes decide the type; the name only earns a note when it disagrees."""

from __future__ import annotations

import pytest

from socialhub.media.errors import UnsupportedType
from socialhub.media.sniff import name_mismatch, sniff
from tests.media import samples


@pytest.mark.parametrize(
    ("data", "content_type", "kind"),
    [
        (samples.jpeg(), "image/jpeg", "image"),
        (samples.png(), "image/png", "image"),
        (samples.static_gif(), "image/gif", "image"),
        (samples.image_bytes("WEBP"), "image/webp", "image"),
        (samples.mp4_head(), "video/mp4", "video"),
        (samples.mov_head(), "video/quicktime", "video"),
        (samples.webm_head(), "video/webm", "video"),
        (samples.pdf(), "application/pdf", "document"),
    ],
    ids=["jpeg", "png", "gif", "webp", "mp4", "mov", "webm", "pdf"],
)
def test_accepted_formats_are_recognised_from_their_bytes(data: bytes, content_type: str, kind: str) -> None:
    found = sniff(data, "whatever.bin")
    assert (found.content_type, found.kind) == (content_type, kind)


def test_a_png_named_jpg_is_a_png_with_a_note() -> None:
    found = sniff(samples.png(), "photo.jpg")
    assert found.content_type == "image/png"
    assert name_mismatch("photo.jpg", found) == (
        "The name ends in .jpg, but the file is a PNG image; it is kept as image/png."
    )
    assert name_mismatch("photo.PNG", found) is None
    assert name_mismatch("photo", found) is None
    assert name_mismatch("scan.jpeg", sniff(samples.jpeg())) is None


@pytest.mark.parametrize(
    ("data", "what", "detected"),
    [
        (samples.ELF, "a Linux program (ELF)", "application/x-executable"),
        (samples.EXE, "a Windows program (EXE)", "application/x-msdownload"),
        (samples.HTML, "an HTML page", "text/html"),
        (samples.SVG, "an SVG drawing", "image/svg+xml"),
        (b"\x00\x01\x02\x03" * 10, "not a format we recognise", "unknown"),
    ],
    ids=["elf", "exe", "html", "svg", "noise"],
)
def test_disguised_files_are_refused_saying_what_they_really_are(data: bytes, what: str, detected: str) -> None:
    with pytest.raises(UnsupportedType) as refused:
        sniff(data, "photo.jpg")
    assert refused.value.detected == detected
    assert refused.value.message.startswith(f"“photo.jpg” cannot be posted: its contents are {what}")
    assert "whatever its name (.jpg) says" in refused.value.message
    assert "SocialHub takes JPEG, PNG" in refused.value.message


def test_plain_text_named_txt_is_not_called_a_disguise() -> None:
    with pytest.raises(UnsupportedType) as refused:
        sniff(b"just some notes\n", "notes.txt")
    assert "plain text." in refused.value.message and "whatever its name" not in refused.value.message


def test_a_heic_photo_is_refused_with_a_way_out() -> None:
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    with pytest.raises(UnsupportedType, match=r"HEIC photo .* Export it as JPEG first"):
        sniff(heic, "IMG_0001.HEIC")
