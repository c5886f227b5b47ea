"""Sign-in and sign-up throttling, shared across processes through Redis (in-process memory only without Redis).

The counters' keys never hold what was typed: an email address (or a client address) becomes an HMAC-SHA256
under a key derived from JWT_SECRET, so reading Redis does not tell whose accounts are being tried, and a key
cannot be matched against a list of addresses without the secret. Rotating JWT_SECRET starts every window afresh.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from functools import lru_cache

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from socialhub.services.errors import SocialHubError
from socialhub.settings import get_settings

WINDOW_MINUTES = 15
IP_MULTIPLIER = 5  # an office shares one address: let it make several people's worth of sign-in attempts
_KEY_INFO = b"socialhub/throttle-keys/v1"


class TooManyAttempts(SocialHubError):
    code, status = "too_many_attempts", 429

    def __init__(self, retry_after: int, *, what: str = "sign-in attempts") -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            f"Too many {what}. Wait {minutes} minute{'s' if minutes > 1 else ''} and try again.",
            details={"retry_after": retry_after},
        )
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


@lru_cache(maxsize=4)
def _limiter(storage_uri: str) -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(storage_from_string(storage_uri))


@lru_cache(maxsize=4)
def _hmac_key(secret: str) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=_KEY_INFO).derive(secret.encode())


def counter_key(kind: str, value: str) -> str:
    """The storage key counting ``value`` (an email or a client address) for ``kind`` (``login:account`` …)."""
    digest = hmac.new(
        _hmac_key(get_settings().jwt_secret), value.encode("utf-8", "surrogatepass"), hashlib.sha256
    ).hexdigest()
    return f"{kind}:{digest}"


def _limits() -> tuple[MovingWindowRateLimiter, RateLimitItem, RateLimitItem]:
    settings = get_settings()
    per_account = settings.login_attempts_per_15_minutes
    return (
        _limiter(settings.redis_url or "memory://"),
        RateLimitItemPerMinute(per_account, WINDOW_MINUTES),
        RateLimitItemPerMinute(per_account * IP_MULTIPLIER, WINDOW_MINUTES),
    )


def _retry_after(limiter: MovingWindowRateLimiter, item: RateLimitItem, key: str) -> int:
    return max(1, int(limiter.get_window_stats(item, key).reset_time - time.time()))


def check_login(email: str, ip: str | None) -> None:
    """Count this attempt against the address, and refuse if the account or the address is over its limit."""
    limiter, per_account, per_ip = _limits()
    account_key = counter_key("login:account", email)
    if not limiter.test(per_account, account_key):
        raise TooManyAttempts(_retry_after(limiter, per_account, account_key))
    if ip:
        ip_key = counter_key("login:ip", ip)
        if not limiter.hit(per_ip, ip_key):
            raise TooManyAttempts(_retry_after(limiter, per_ip, ip_key))


def record_login_failure(email: str) -> None:
    limiter, per_account, _ = _limits()
    limiter.hit(per_account, counter_key("login:account", email))


def check_registration(email: str, ip: str | None) -> None:
    """Count an attempt to create a team, per email address and per client address, and refuse past the limit.

    Every attempt counts, because each one (whether it creates an account or not) says something about whether
    the address has an account; LOGIN_ATTEMPTS_PER_15_MINUTES bounds both (a client address makes no more
    sign-ups than one person's sign-in attempts: creating teams is rare).
    """
    limiter, per_address, _ = _limits()
    keys = [counter_key("register:account", email)] + ([counter_key("register:ip", ip)] if ip else [])
    for key in keys:
        if not limiter.test(per_address, key):
            raise TooManyAttempts(_retry_after(limiter, per_address, key), what="attempts to create a team")
    for key in keys:
        limiter.hit(per_address, key)
