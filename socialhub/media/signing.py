"""Expiring links to one stored file, for the local backend: what platforms that pull media fetch.

A link is ``<payload>.<signature>``: the payload (base64url JSON) names the storage key, its content type and
the expiry; the signature is HMAC-SHA256 over it with a server secret. Changing any byte — another key, a later
expiry — breaks the signature, so a link to one file can never be turned into a link to another. S3 does the
same with its own presigned URLs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

from socialhub.media.errors import BadLink, LinkExpired

_PURPOSE = b"socialhub.media-link.v1."  # a signature made for anything else never verifies here


@dataclass(frozen=True)
class SignedFile:
    key: str
    content_type: str
    expires_at: int  # Unix seconds


def sign(file: SignedFile, *, secret: str) -> str:
    payload = _b64(json.dumps({"k": file.key, "t": file.content_type, "e": file.expires_at}, separators=(",", ":")))
    return f"{payload}.{_signature(payload, secret)}"


def verify(token: str, *, secret: str, now: float) -> SignedFile:
    """The file a link points at; ``BadLink`` if it was altered, ``LinkExpired`` once it is past its expiry."""
    payload, _, signature = token.partition(".")
    if not payload or not hmac.compare_digest(signature.encode(), _signature(payload, secret).encode()):
        raise BadLink("This file link is not valid.")
    try:
        fields = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        file = SignedFile(str(fields["k"]), str(fields["t"]), int(fields["e"]))
    except (ValueError, KeyError, TypeError) as exc:  # signed by us but unreadable: a bug, treated as invalid
        raise BadLink("This file link is not valid.") from exc
    if file.expires_at < now:
        raise LinkExpired("This file link has expired; ask for a new one.")
    return file


def _signature(payload: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), _PURPOSE + payload.encode(), hashlib.sha256).digest()
    return _b64(digest)


def _b64(data: str | bytes) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
