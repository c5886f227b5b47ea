"""Small real files made on the spot (Pillow for images), and the broken and disguised ones the tests refuse."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48), color: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    return image_bytes("PNG", size)


def jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    return image_bytes("JPEG", size)


def animated_gif(frames: int = 3) -> bytes:
    buffer = io.BytesIO()
    images = [Image.new("RGB", (32, 32), (i * 60 % 256, 80, 200)) for i in range(frames)]
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return buffer.getvalue()


def static_gif() -> bytes:
    return image_bytes("GIF")


def truncated(data: bytes) -> bytes:
    """The first half: a download cut off midway."""
    return data[: len(data) // 2]


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims another size (a pixel bomb, or a nonsense one), with a valid checksum."""
    data = bytearray(png((1, 1)))
    start = 8 + 8  # signature, then the IHDR chunk's length and type
    data[start : start + 8] = struct.pack(">II", width, height)
    data[start + 13 : start + 17] = struct.pack(">I", zlib.crc32(bytes(data[start - 4 : start + 13])))
    return bytes(data)


def mp4_head(brand: bytes = b"isom") -> bytes:
    """Enough of an MP4 to be recognised from its bytes (a 'ftyp' box), though not to be played."""
    ftyp = b"ftyp" + brand + b"\x00\x00\x02\x00" + brand + b"iso2avc1mp41"
    return struct.pack(">I", len(ftyp) + 4) + ftyp + struct.pack(">I", 8) + b"free" + b"\x00" * 64


def mov_head() -> bytes:
    ftyp = b"ftypqt  \x00\x00\x02\x00qt  "
    return struct.pack(">I", len(ftyp) + 4) + ftyp + struct.pack(">I", 8) + b"wide" + b"\x00" * 64


def webm_head() -> bytes:
    ebml = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
    return ebml + b"\x42\x82\x84webm" + b"\0" * 64


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
HTML = b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
