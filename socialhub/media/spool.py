"""An upload as it arrives: written to a temporary file piece by piece, hashed and counted on the way.

The file never sits whole in memory, and the piece that crosses the limit is refused before it is written, so an
oversized upload costs at most the limit in disk and is deleted at once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from types import TracebackType

from socialhub.media.errors import TooLarge
from socialhub.media.sizes import in_words
from socialhub.media.sniff import HEAD_BYTES


class Spool:
    def __init__(self, directory: Path, *, limit: int, filename: str = "") -> None:
        directory.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=directory)
        self._file = os.fdopen(handle, "wb")
        self.path = Path(name)
        self.limit = limit
        self.filename = filename
        self.size = 0
        self.head = b""  # the first bytes, for sniffing without reopening the file
        self._hash = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        if self.size + len(chunk) > self.limit:
            self.discard()
            raise TooLarge(f"The file is larger than the upload limit of {in_words(self.limit)}.", limit=self.limit)
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
        self._file.write(chunk)
        self._hash.update(chunk)
        self.size += len(chunk)

    def finish(self) -> None:
        """Everything arrived: flush to disk so that readers of ``path`` see every byte."""
        self._file.close()

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def discard(self) -> None:
        """Close and delete the temporary file (it may already have been moved into storage)."""
        self._file.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Spool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.discard()
