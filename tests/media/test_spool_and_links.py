"""The upload spool (counted, hashed, stopped at the limit) and the signed links of local files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from socialhub.media.errors import BadLink, LinkExpired, TooLarge
from socialhub.media.signing import SignedFile, sign, verify
from socialhub.media.spool import Spool

SECRET = "test-secret-" + "x" * 32


class TestSpool:
    def test_pieces_are_written_hashed_and_counted(self, tmp_path: Path) -> None:
        with Spool(tmp_path, limit=100) as spool:
            for piece in (b"abc", b"def", b""):
                spool.write(piece)
            spool.finish()
            assert spool.path.read_bytes() == b"abcdef" and spool.size == 6 and spool.head == b"abcdef"
            assert spool.sha256 == hashlib.sha256(b"abcdef").hexdigest()
            path = spool.path
        assert not path.exists()  # discarded on leaving the block

    def test_the_piece_that_crosses_the_limit_is_refused_and_the_file_deleted(self, tmp_path: Path) -> None:
        spool = Spool(tmp_path, limit=10)
        spool.write(b"x" * 10)  # exactly at the limit is fine
        with pytest.raises(TooLarge, match="larger than the upload limit of 10 bytes"):
            spool.write(b"y")
        assert list(tmp_path.iterdir()) == []

    def test_the_limit_is_stated_in_words(self, tmp_path: Path) -> None:
        spool = Spool(tmp_path, limit=5 * 1024 * 1024)
        with pytest.raises(TooLarge, match="limit of 5 MB"):
            spool.write(b"x" * (5 * 1024 * 1024 + 1))


class TestLinks:
    FILE = SignedFile("tenant/abc.png", "image/png", expires_at=2_000)

    def test_a_link_verifies_until_it_expires(self) -> None:
        token = sign(self.FILE, secret=SECRET)
        assert verify(token, secret=SECRET, now=1_999) == self.FILE
        with pytest.raises(LinkExpired, match="expired"):
            verify(token, secret=SECRET, now=2_001)

    def test_another_files_link_cannot_be_made_from_one(self) -> None:
        token = sign(self.FILE, secret=SECRET)
        other = sign(SignedFile("tenant/other.png", "image/png", expires_at=2_000), secret=SECRET)
        payload, signature = token.split(".")
        other_payload, _ = other.split(".")
        for forged in (f"{other_payload}.{signature}", f"{payload}.{signature[:-1]}A", payload, f"{payload}.", ""):
            with pytest.raises(BadLink):
                verify(forged, secret=SECRET, now=0)

    def test_a_link_signed_with_another_secret_is_refused(self) -> None:
        with pytest.raises(BadLink):
            verify(sign(self.FILE, secret="another-" + "y" * 32), secret=SECRET, now=0)

    def test_expiry_cannot_be_extended_without_the_secret(self) -> None:
        import base64
        import json

        payload, signature = sign(self.FILE, secret=SECRET).split(".")
        fields = json.loads(base64.urlsafe_b64decode(payload + "=="))
        longer = base64.urlsafe_b64encode(json.dumps(fields | {"e": 9_999_999}).encode()).rstrip(b"=").decode()
        with pytest.raises(BadLink):
            verify(f"{longer}.{signature}", secret=SECRET, now=2_500)
