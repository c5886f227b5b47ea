"""Probing: real decoding finds damaged files and pixel bombs; videos are read by ffprobe, or flagged unverified."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from socialhub.media.errors import CorruptFile
from socialhub.media.probe import NO_FFPROBE, probe
from socialhub.media.sniff import sniff
from tests.media import samples


def probed(tmp_path: Path, data: bytes, name: str = "file", **kwargs: object):  # type: ignore[no-untyped-def]
    path = tmp_path / "upload.part"
    path.write_bytes(data)
    return probe(path, sniff(data, name), filename=name, **kwargs)  # type: ignore[arg-type]


class TestImages:
    def test_dimensions_and_format(self, tmp_path: Path) -> None:
        result = probed(tmp_path, samples.jpeg((640, 480)))
        assert (result.kind, result.width, result.height) == ("image", 640, 480)
        assert result.metadata["format"] == "JPEG" and result.warnings == ()

    def test_an_animated_gif_is_a_gif_and_a_still_one_an_image(self, tmp_path: Path) -> None:
        moving = probed(tmp_path, samples.animated_gif(frames=4))
        assert moving.kind == "gif" and moving.metadata["frames"] == 4 and moving.metadata["animated"] is True
        assert probed(tmp_path, samples.static_gif()).kind == "image"

    @pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
    def test_a_truncated_image_is_corrupt(self, tmp_path: Path, fmt: str) -> None:
        data = samples.truncated(samples.image_bytes(fmt, (300, 200)))
        with pytest.raises(CorruptFile, match=r"“cut\.img” is damaged or incomplete"):
            probed(tmp_path, data, "cut.img")

    def test_a_damaged_png_fails_its_checksums(self, tmp_path: Path) -> None:
        data = bytearray(samples.png((100, 100)))
        data[-20] ^= 0xFF  # inside the image data: the chunk's CRC no longer matches
        with pytest.raises(CorruptFile):
            probed(tmp_path, bytes(data), "x.png")

    @pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
    def test_a_pixel_bomb_is_refused_before_decoding(self, tmp_path: Path) -> None:
        with pytest.raises(CorruptFile, match=r"12000×12000 pixels \(144 megapixels\); the limit is 89 megapixels"):
            probed(tmp_path, samples.png_claiming(12_000, 12_000), "bomb.png")
        with pytest.raises(CorruptFile, match="far larger than 89 megapixels"):  # past Pillow's own guard too
            probed(tmp_path, samples.png_claiming(40_000, 40_000), "bomb.png")

    def test_a_zero_sized_image_is_corrupt(self, tmp_path: Path) -> None:
        with pytest.raises(CorruptFile):
            probed(tmp_path, samples.png_claiming(0, 10), "zero.png")


FAKE_FFPROBE = """#!{python}
import json, sys
path = sys.argv[-1]
if open(path, "rb").read(4) == b"BAD!":
    sys.stderr.write(path + ": Invalid data found when processing input\\n")
    sys.exit(1)
print(json.dumps({{
    "streams": [
        {{"codec_type": "video", "codec_name": "h264", "width": 1280, "height": 720, "avg_frame_rate": "30/1"}},
        {{"codec_type": "audio", "codec_name": "aac"}},
    ],
    "format": {{"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "12.345678"}},
}}))
"""


@pytest.fixture
def fake_ffprobe(tmp_path: Path) -> str:
    script = tmp_path / "ffprobe"
    script.write_text(FAKE_FFPROBE.format(python=sys.executable))
    script.chmod(0o755)
    return str(script)


class TestVideos:
    def test_without_ffprobe_a_video_is_kept_with_a_warning(self, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        monkeypatch.setattr(shutil, "which", lambda name: None)
        result = probed(tmp_path, samples.mp4_head(), "clip.mp4")
        assert result.kind == "video" and result.warnings == (NO_FFPROBE,)
        assert result.warnings == ("cannot verify video: ffprobe is not installed",)
        assert result.duration_seconds is None and result.metadata["verified"] is False

    def test_ffprobe_reports_dimensions_duration_and_codecs(self, tmp_path: Path, fake_ffprobe: str) -> None:
        result = probed(tmp_path, samples.mp4_head(), "clip.mp4", ffprobe=fake_ffprobe)
        assert (result.width, result.height, result.duration_seconds) == (1280, 720, 12.346)
        assert result.metadata["video_codec"] == "h264" and result.metadata["audio_codec"] == "aac"
        assert result.warnings == ()

    def test_a_video_ffprobe_cannot_read_is_corrupt_and_named_by_its_own_name(
        self, tmp_path: Path, fake_ffprobe: str
    ) -> None:
        data = samples.mp4_head()
        path = tmp_path / "upload.part"
        path.write_bytes(b"BAD!" + data[4:])
        with pytest.raises(CorruptFile) as refused:
            probe(path, sniff(data), filename="clip.mp4", ffprobe=fake_ffprobe)
        assert "“clip.mp4” is damaged or incomplete" in refused.value.message
        assert "Invalid data found" in refused.value.message and str(path) not in refused.value.message

    @pytest.mark.skipif(not (shutil.which("ffmpeg") and shutil.which("ffprobe")), reason="ffmpeg is not installed")
    def test_real_ffprobe_reads_a_real_video(self, tmp_path: Path) -> None:
        clip = tmp_path / "clip.mp4"
        subprocess.run(
            ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=2:size=160x120:rate=10", str(clip)],
            check=True,
        )
        result = probed(tmp_path, clip.read_bytes(), "clip.mp4")
        assert (result.kind, result.width, result.height) == ("video", 160, 120)
        assert result.duration_seconds == pytest.approx(2.0, abs=0.2)
        assert result.metadata["verified"] is True and result.warnings == ()
        with pytest.raises(CorruptFile):
            probed(tmp_path, samples.truncated(clip.read_bytes())[:2000], "cut.mp4")


class TestDocuments:
    def test_a_complete_pdf_passes_and_a_cut_one_does_not(self, tmp_path: Path) -> None:
        assert probed(tmp_path, samples.pdf()).kind == "document"
        with pytest.raises(CorruptFile, match="damaged or incomplete"):
            probed(tmp_path, samples.pdf()[:30], "deck.pdf")
