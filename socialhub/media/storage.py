"""Where uploaded files live: one small interface, two backends (``local.py``, ``s3.py``).

Keys are chosen by SocialHub (``<tenant id>/<media id><extension>``), never by a client. Every backend gives a
*pull URL*: an expiring address platforms that fetch media themselves (Facebook, Pinterest, Instagram) can read
without signing in — a presigned GET on S3, a signed link served by SocialHub for the local directory.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, ClassVar

CHUNK_BYTES = 1024 * 1024


class Storage(ABC):
    backend: ClassVar[str]  # stored on each media row, so a file is always read from where it was written

    @abstractmethod
    def put(self, key: str, source: Path, *, content_type: str) -> None:
        """Store the complete file at ``source`` under ``key``. The source may be moved (local) or left (S3)."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """The stored bytes as a file to read and close; ``FileMissing`` if there is nothing under ``key``."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the file; removing one that is already gone is not an error."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def pull_url(self, key: str, *, content_type: str, expires_in: int) -> str:
        """An address anyone holding it can GET the file from, for ``expires_in`` seconds."""

    def read(self, key: str) -> bytes:
        with self.open(key) as file:
            return file.read()

    def chunks(self, key: str, size: int = CHUNK_BYTES) -> Iterator[bytes]:
        """The file piece by piece, for streaming a download; opened at once so a missing file fails early."""
        file = self.open(key)

        def pieces() -> Iterator[bytes]:
            with file:
                while chunk := file.read(size):
                    yield chunk

        return pieces()
