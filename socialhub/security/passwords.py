"""Password hashing: argon2 through passlib's CryptContext (installed as the maintained ``libpass``)."""

from __future__ import annotations

from passlib.context import CryptContext

# argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane): about 25 ms a hash here, where
# the library default (64 MiB, 3 passes) costs ~200 ms and caps sign-ins at ~10/s on two cores.
# Hashes made with other parameters report needs_update and are rehashed at the next successful login.
_context = CryptContext(
    schemes=["argon2"],
    deprecated="auto",
    argon2__type="ID",
    argon2__memory_cost=19456,
    argon2__rounds=2,
    argon2__parallelism=1,
)

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _context.hash(password)


def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """(matches, replacement hash or None). A missing hash never matches but still costs a hash."""
    if not password_hash:
        _context.dummy_verify()  # equal timing whether or not the account exists
        return False, None
    return _context.verify_and_update(password, password_hash)
