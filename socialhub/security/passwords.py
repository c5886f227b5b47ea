"""Password hashing: argon2 through passlib's CryptContext (installed as the maintained ``libpass``)."""

from __future__ import annotations

from passlib.context import CryptContext

# "deprecated=auto" makes any older scheme or weaker parameters report needs_update, so hashes are
# upgraded transparently at the next successful login.
_context = CryptContext(schemes=["argon2"], deprecated="auto")

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _context.hash(password)


def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """(matches, replacement hash or None). A missing hash never matches but still costs a hash."""
    if not password_hash:
        _context.dummy_verify()  # equal timing whether or not the account exists
        return False, None
    return _context.verify_and_update(password, password_hash)
