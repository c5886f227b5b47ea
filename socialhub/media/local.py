"""Media in a directory on this machine (the default): ``DATA_DIR/media/<key>``, served back by SocialHub itself."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.parse import quote

from socialhub.media.errors import FileMissing, StorageError
from socialhub.media.signing import SignedFile, sign
from socialhub.media.storage import Storage


class LocalStorage(Storage):
    backend = "local"

    def __init__(self, root: Path, *, link_base: str, link_secret: str, clock: Callable[[], float] = time.time) -> None:
        self.root = root.resolve()
        self.link_base = link_base.rstrip("/")
        self._secret = link_secret
        self._clock = clock

    def path(self, key: str) -> Path:
        """The file behind a key; a key that would leave the media directory names nothing."""
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise FileMissing("There is no such file.")
        return path

    def put(self, key: str, source: Path, *, content_type: str) -> None:
        target = self.path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.replace(source, target)  # the upload's temporary file is in DATA_DIR too: a rename, no copy
            except OSError:  # another file system: copy beside the target, then rename, so no half file shows
                partial = target.with_name(target.name + ".partial")
                shutil.copyfile(source, partial)
                os.replace(partial, target)
        except OSError as exc:
            raise StorageError(f"The file could not be saved in the media directory ({exc.strerror}).") from exc

    def open(self, key: str) -> BinaryIO:
        try:
            return self.path(key).open("rb")
        except FileNotFoundError as exc:
            raise FileMissing("The file is no longer in storage.") from exc
        except OSError as exc:
            raise StorageError(f"The file could not be read from the media directory ({exc.strerror}).") from exc

    def delete(self, key: str) -> None:
        try:
            self.path(key).unlink(missing_ok=True)
        except FileMissing:
            return
        except OSError as exc:
            raise StorageError(f"The file could not be deleted from the media directory ({exc.strerror}).") from exc

    def exists(self, key: str) -> bool:
        try:
            return self.path(key).is_file()
        except FileMissing:
            return False

    def pull_url(self, key: str, *, content_type: str, expires_in: int) -> str:
        # The file's own name ends the path (some platforms look at the extension); the token says which file.
        token = sign(SignedFile(key, content_type, int(self._clock()) + expires_in), secret=self._secret)
        return f"{self.link_base}/{quote(PurePosixPath(key).name)}?token={token}"
