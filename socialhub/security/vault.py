"""Encryption at rest for platform OAuth tokens.

A leaked database dump must not hand out working access to our users' social accounts, so
tokens are stored AES-256-GCM encrypted under master keys that live only in config. Several
keys can be configured at once so one can be retired without downtime: new values use the
active key, old values stay readable until rotated.

Token format (ASCII, fits a TEXT column): ``v1.<key_id>.<b64url(salt || nonce || ct+tag)>``.
"""

from __future__ import annotations

import base64
import os
import re
import threading
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

__all__ = ["Vault", "VaultError", "VaultKeyError", "VaultTamperError"]

_VERSION = "v1"
_KEY_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_TOKEN_RE = re.compile(re.escape(_VERSION) + r"\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]+)")
_MIN_SECRET_LEN = 16
_SALT_LEN, _NONCE_LEN, _TAG_LEN = 16, 12, 16
# Scrypt parameters are part of the "v1" format: changing them would make every stored
# token undecryptable, so they are constants rather than options.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**15, 8, 1
_HKDF_INFO = b"socialhub-vault-v1"


class VaultError(Exception):
    """Root of vault failures, so callers can treat "token unusable" with one except."""


class VaultKeyError(VaultError):
    """The configuration cannot serve this request: fix config, not data."""


class VaultTamperError(VaultError):
    """The stored value is not what we wrote (corrupted, edited, or moved to another row)."""


def _scrypt_kek(secret: bytes, key_id: str, n: int, r: int, p: int) -> bytes:
    """Stretch a human-chosen secret once per key id; too slow (~tens of ms) to run per value."""
    salt = b"socialhub-vault/" + key_id.encode("ascii")
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(secret)


def _associated_data(key_id: str, aad: bytes) -> bytes:
    """Bind the header and the caller's context; the header has no NUL, so the join is unambiguous."""
    return f"{_VERSION}.{key_id}".encode("ascii") + b"\x00" + aad


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Vault:
    """Thread-safe and meant to be long-lived: key-encryption keys are derived lazily and
    cached per instance, so only the first use of each master key pays for scrypt."""

    def __init__(self, keys: Mapping[str, str | bytes], active_key_id: str) -> None:
        if not keys:
            raise VaultKeyError("at least one vault key must be configured")
        secrets: dict[str, bytes] = {}
        for key_id, secret in keys.items():
            # Key ids go into the token header, so they must not contain the separator.
            if not isinstance(key_id, str) or not _KEY_ID_RE.fullmatch(key_id):
                raise VaultKeyError("vault key ids must match [A-Za-z0-9_-]{1,32}")
            # Length counts characters for str (as configured by humans), bytes for bytes.
            if not isinstance(secret, str | bytes) or len(secret) < _MIN_SECRET_LEN:
                raise VaultKeyError(f"vault key {key_id!r}: secret must be >= {_MIN_SECRET_LEN} characters")
            secrets[key_id] = secret.encode("utf-8") if isinstance(secret, str) else secret
        if active_key_id not in secrets:
            raise VaultKeyError(f"active vault key {active_key_id!r} is not configured")
        self._secrets = secrets
        self._active_key_id = active_key_id
        self._keks: dict[tuple[str, int, int, int], bytes] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, spec: str, active_key_id: str | None = None) -> Vault:
        """Build from one env-var friendly string ``"k2:secret2,k1:secret1"``.

        The first entry is active by default so that rotating means prepending a key.
        Secrets may contain ':' but not ','. Messages never echo entries, which hold secrets.
        """
        keys: dict[str, str] = {}
        for position, entry in enumerate(spec.split(","), start=1):
            key_id, sep, secret = entry.partition(":")
            key_id, secret = key_id.strip(), secret.strip()
            if not sep or not key_id or not secret:
                raise VaultKeyError(f"vault key spec entry {position} is not 'key_id:secret'")
            if key_id in keys:
                raise VaultKeyError(f"vault key id {key_id!r} is configured twice")
            keys[key_id] = secret
        return cls(keys, active_key_id if active_key_id is not None else next(iter(keys)))

    def __repr__(self) -> str:
        return f"Vault(key_ids={list(self._secrets)!r}, active_key_id={self._active_key_id!r})"

    @property
    def active_key_id(self) -> str:
        return self._active_key_id

    def _kek(self, key_id: str) -> bytes:
        secret = self._secrets.get(key_id)
        if secret is None:
            raise VaultKeyError(f"vault key {key_id!r} is not configured")
        cache_key = (key_id, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
        kek = self._keks.get(cache_key)
        if kek is None:
            # Derive under the lock so concurrent first uses run scrypt exactly once.
            with self._lock:
                kek = self._keks.get(cache_key)
                if kek is None:
                    kek = _scrypt_kek(secret, key_id, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
                    self._keks[cache_key] = kek
        return kek

    def _aead(self, key_id: str, salt: bytes) -> AESGCM:
        """A fresh key per value (via the random salt) keeps nonce reuse risk negligible."""
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_HKDF_INFO)
        return AESGCM(hkdf.derive(self._kek(key_id)))

    @staticmethod
    def _parse(token: str) -> tuple[str, bytes]:
        if not isinstance(token, str):
            raise VaultTamperError("vault token must be a str")
        match = _TOKEN_RE.fullmatch(token)
        if match is None:
            raise VaultTamperError("vault token is malformed or has an unknown version")
        key_id, encoded = match.groups()
        try:
            payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except ValueError:  # binascii.Error, e.g. an impossible length
            raise VaultTamperError("vault token payload is not valid base64url") from None
        # Reject non-canonical encodings so a token has exactly one textual form.
        if _b64encode(payload) != encoded:
            raise VaultTamperError("vault token payload is not canonical base64url")
        if len(payload) < _SALT_LEN + _NONCE_LEN + _TAG_LEN:
            raise VaultTamperError("vault token payload is truncated")
        return key_id, payload

    def key_id_of(self, token: str) -> str:
        """Which key a token needs, without decrypting: for reporting rotation progress."""
        return self._parse(token)[0]

    def needs_rotation(self, token: str) -> bool:
        return self.key_id_of(token) != self._active_key_id

    def encrypt(self, plaintext: str, *, aad: bytes = b"") -> str:
        """Pass the owning record's id as ``aad`` so the value cannot be replayed elsewhere."""
        if not isinstance(plaintext, str):
            raise TypeError("vault plaintext must be a str")
        key_id = self._active_key_id
        salt, nonce = os.urandom(_SALT_LEN), os.urandom(_NONCE_LEN)
        sealed = self._aead(key_id, salt).encrypt(nonce, plaintext.encode("utf-8"), _associated_data(key_id, aad))
        return f"{_VERSION}.{key_id}.{_b64encode(salt + nonce + sealed)}"

    def decrypt(self, token: str, *, aad: bytes = b"") -> str:
        """Raise rather than return garbage: a token that fails authentication is unusable."""
        key_id, payload = self._parse(token)
        salt, nonce = payload[:_SALT_LEN], payload[_SALT_LEN : _SALT_LEN + _NONCE_LEN]
        sealed = payload[_SALT_LEN + _NONCE_LEN :]
        try:
            data = self._aead(key_id, salt).decrypt(nonce, sealed, _associated_data(key_id, aad))
            return data.decode("utf-8")
        except (InvalidTag, UnicodeDecodeError):
            raise VaultTamperError(
                f"vault token for key {key_id!r} failed authentication (modified, moved, wrong aad)"
            ) from None

    def rotate(self, token: str, *, aad: bytes = b"") -> str:
        """Re-encrypt under the active key; current tokens are returned as-is to avoid writes."""
        if not self.needs_rotation(token):
            return token
        return self.encrypt(self.decrypt(token, aad=aad), aad=aad)
