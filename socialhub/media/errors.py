"""What can go wrong with a file, in words a person understands. Services map these onto HTTP-free errors.

* MediaError
  - TooLarge          the file crossed the upload limit while it arrived
  - EmptyFile         zero bytes
  - UnsupportedType   the bytes are not a kind any platform takes (says what they are)
  - CorruptFile       the bytes claim a type but cannot be read as it (truncated, damaged, a pixel bomb)
  - StorageError      the storage backend failed (disk, S3): worth retrying
    - FileMissing     the object is not in storage
  - BadLink           a signed file link that was altered or is not one of ours
    - LinkExpired     a genuine link past its expiry
"""

from __future__ import annotations


class MediaError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TooLarge(MediaError):
    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class EmptyFile(MediaError):
    pass


class UnsupportedType(MediaError):
    def __init__(self, message: str, *, detected: str) -> None:
        super().__init__(message)
        self.detected = detected  # a MIME type, or a word such as "text/html" or "unknown"


class CorruptFile(MediaError):
    pass


class StorageError(MediaError):
    pass


class FileMissing(StorageError):
    pass


class BadLink(MediaError):
    pass


class LinkExpired(BadLink):
    pass
