"""Login throttling, shared across processes through Redis (in-process memory only without Redis)."""

from __future__ import annotations

import math
import time
from functools import lru_cache

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from socialhub.services.errors import SocialHubError
from socialhub.settings import get_settings

WINDOW_MINUTES = 15
IP_MULTIPLIER = 5  # an office shares one address: let it make several people's worth of attempts


class TooManyAttempts(SocialHubError):
    code, status = "too_many_attempts", 429

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            f"Too many sign-in attempts. Wait {minutes} minute{'s' if minutes > 1 else ''} and try again.",
            details={"retry_after": retry_after},
        )
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


@lru_cache(maxsize=4)
def _limiter(storage_uri: str) -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(storage_from_string(storage_uri))


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
    account_key = f"login:account:{email}"
    if not limiter.test(per_account, account_key):
        raise TooManyAttempts(_retry_after(limiter, per_account, account_key))
    if ip and not limiter.hit(per_ip, f"login:ip:{ip}"):
        raise TooManyAttempts(_retry_after(limiter, per_ip, f"login:ip:{ip}"))


def record_login_failure(email: str) -> None:
    limiter, per_account, _ = _limits()
    limiter.hit(per_account, f"login:account:{email}")
