"""What is inside a file of a known format: dimensions, duration, codecs — and whether it can be read at all.

Images are decoded with Pillow (``verify`` for structure and checksums, then a full ``load``, which is what catches
a truncated file); videos are read with ``ffprobe`` when it is installed. Without it a video is kept with the
warning ``cannot verify video: ffprobe is not installed``, shown to the person, rather than refused.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from socialhub.media.errors import CorruptFile
from socialhub.media.sniff import Format

# Pixel bombs: a small file that decodes to gigabytes. Pillow's own threshold (89 MP; it warns past it and refuses
# past twice that) is above every platform's limit (LinkedIn's 36 MP is the lowest), so nothing postable is
# refused; animations are bounded by frames × pixels as well.
MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
MAX_ANIMATION_PIXELS = 1_000_000_000
PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "image/bmp": "BMP",
    "image/tiff": "TIFF",
}
FFPROBE_TIMEOUT_SECONDS = 60
NO_FFPROBE = "cannot verify video: ffprobe is not installed"
# Pillow's ways of saying "this is not a readable image" (struct.error and EOFError come from short headers).
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, KeyError, TypeError)


@dataclass(frozen=True)
class Probe:
    kind: str  # "image", "gif" (animated), "video" or "document"
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def probe(path: Path, found: Format, *, filename: str, ffprobe: str | None = None) -> Probe:
    """Read the file as ``found`` says it is; ``CorruptFile`` when it cannot be. ``ffprobe``: its path, else PATH."""
    label = f"“{filename}”" if filename else "The file"
    if found.kind == "image":
        return _image(path, found, label)
    if found.kind == "video":
        return _video(path, found, label, ffprobe or shutil.which("ffprobe"))
    return _document(path, found, label)


# --- images ----------------------------------------------------------------------------------------------------


def _image(path: Path, found: Format, label: str) -> Probe:
    pillow_format = PILLOW_FORMATS[found.content_type]
    damaged = f"{label} is damaged or incomplete: it cannot be read as a {found.name}. Export it again and retry."
    try:
        with Image.open(path, formats=[pillow_format]) as image:
            width, height = image.size
            _refuse_bombs(label, width, height, 1)
            image.verify()  # structure and checksums; the image cannot be used afterwards
        with Image.open(path, formats=[pillow_format]) as image:
            frames = getattr(image, "n_frames", 1)
            _refuse_bombs(label, width, height, frames)
            image.load()  # decoding every pixel is what finds a truncated file
            if frames > 1:
                image.seek(frames - 1)  # …and the last frame, for a cut-off animation
                image.load()
            mode = image.mode
    except Image.DecompressionBombError as exc:  # Pillow's own guard, for sizes far past ours
        raise CorruptFile(
            f"{label} is far larger than {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels, the limit. "
            "Make it smaller and upload it again."
        ) from exc
    except _DECODE_ERRORS as exc:
        raise CorruptFile(damaged) from exc
    metadata: dict[str, Any] = {"format": pillow_format, "mode": mode}
    kind = "image"
    if frames > 1:
        metadata |= {"animated": True, "frames": frames}
        kind = "gif" if found.content_type == "image/gif" else "image"  # platforms treat only GIFs as moving
    return Probe(kind, width, height, metadata=metadata)


def _refuse_bombs(label: str, width: int, height: int, frames: int) -> None:
    if width <= 0 or height <= 0:
        raise CorruptFile(f"{label} says it is {width}×{height} pixels, which is not a real image.")
    if width * height > MAX_IMAGE_PIXELS:
        raise CorruptFile(
            f"{label} is {width}×{height} pixels ({width * height / 1e6:.0f} megapixels); the limit is "
            f"{MAX_IMAGE_PIXELS / 1e6:.0f} megapixels. Make it smaller and upload it again."
        )
    if width * height * frames > MAX_ANIMATION_PIXELS:
        raise CorruptFile(
            f"{label} has {frames} frames of {width}×{height} pixels, too many to process safely; "
            "shorten or shrink the animation."
        )


# --- videos ----------------------------------------------------------------------------------------------------


def _video(path: Path, found: Format, label: str, ffprobe: str | None) -> Probe:
    if not ffprobe:
        return Probe("video", metadata={"verified": False}, warnings=(NO_FFPROBE,))
    command = [ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=FFPROBE_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise CorruptFile(f"{label} took too long to read as a video; it may be damaged.") from exc
    except OSError:
        return Probe("video", metadata={"verified": False}, warnings=(NO_FFPROBE,))
    # ffprobe names the file it read: our temporary path means nothing to the person, their file name does.
    reason = done.stderr.decode("utf-8", "replace").replace(str(path), label).strip().splitlines()
    try:
        report = json.loads(done.stdout or b"{}") if done.returncode == 0 else None
    except ValueError:
        report = None
    if report is None:
        detail = f" ({reason[-1]})" if reason else ""
        raise CorruptFile(f"{label} is damaged or incomplete: it cannot be read as a {found.name}{detail}.")
    streams = report.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    if video is None:
        raise CorruptFile(f"{label} has no video track.")
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    duration = _number((report.get("format") or {}).get("duration")) or _number(video.get("duration"))
    metadata: dict[str, Any] = {
        "verified": True,
        "video_codec": video.get("codec_name"),
        "audio_codec": audio.get("codec_name") if audio else None,
        "frame_rate": video.get("avg_frame_rate"),
        "container": (report.get("format") or {}).get("format_name"),
    }
    return Probe("video", _int(video.get("width")), _int(video.get("height")), duration, metadata)


def _number(value: Any) -> float | None:
    try:
        return round(float(value), 3) if value not in (None, "N/A") else None
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


# --- documents -------------------------------------------------------------------------------------------------


def _document(path: Path, found: Format, label: str) -> Probe:
    incomplete = f"{label} is damaged or incomplete: it cannot be read as a {found.name}."
    if found.content_type == "application/pdf":
        with path.open("rb") as file:
            file.seek(max(0, path.stat().st_size - 2048))
            if b"%%EOF" not in file.read():  # every complete PDF ends with it; a cut-off download does not
                raise CorruptFile(incomplete)
    elif found.extension in (".docx", ".pptx"):
        try:
            with zipfile.ZipFile(path) as archive:
                archive.infolist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise CorruptFile(incomplete) from exc
    return Probe("document")
