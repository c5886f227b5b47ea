"""Who may call a platform right now: a concurrency cap per platform and rate-limit lockouts.

Both are shared by every worker of every consumer through Redis (DESIGN.md "Publishing"); without Redis (the
embedded, single-process default) the same rules hold in this process's memory.

* **Cap**: at most N publishing calls in flight per platform (``PLATFORM_CONCURRENCY``). A slot is a member of a
  sorted set scored by its expiry. Taking one drops expired members first, then adds itself only if fewer than
  N remain, in one Lua script, so two workers can never both take the last slot. A slot lasts as long as the
  lease on the row it serves (``PUBLISH_LEASE_SECONDS``): a killed worker's slot comes back when its row's
  lease would have run out, at the moment the row itself is recovered.
* **Lockout**: when a platform answers RATE with a reset, nobody calls it again for that account until then, or
  for every account when the limit is the app's (``RateLimited.app_wide``, PLATFORMS.md §rate limits). The
  reset is stored as the key's value and as its expiry, so it disappears by itself.

Time comes from the Redis server (``TIME``), so workers on machines whose clocks differ agree on expiries.
Redis trouble never stops publishing: the gate then lets the call through (it protects the platforms, while
exactly-once is kept by the rows in PostgreSQL) and logs it.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Literal

import redis

from socialhub.services.shared_redis import redis_client
from socialhub.settings import get_settings

log = logging.getLogger(__name__)

# Calls in flight per platform unless PLATFORM_CONCURRENCY says otherwise. Text and images are quick; video
# platforms upload hundreds of megabytes per call, so they get fewer at once.
DEFAULT_CONCURRENCY: dict[str, int] = {"tiktok": 4, "youtube": 4}
FALLBACK_CONCURRENCY = 16
SLOT_WAIT_SECONDS = 0.5  # a worker waits this long for a free slot, then puts the row back
SLOT_POLL_SECONDS = 0.02
BUSY_DEFER = timedelta(seconds=1)  # when the row comes back after finding every slot taken (plus jitter)
APP = "app"  # the lockout of a whole platform (its app-wide limit), beside those of single accounts


@dataclass(frozen=True)
class Slot:
    """Permission to make one platform call; give it back with ``release``."""

    platform: str
    token: str


@dataclass(frozen=True)
class Wait:
    """Not now: the row goes back and comes again at ``until``, without an attempt being counted."""

    until: datetime
    reason: Literal["rate_limited", "busy"]
    app_wide: bool = False  # the lockout covers every account on the platform


class PlatformGate(ABC):
    def __init__(self, *, caps: dict[str, int] | None = None, slot_seconds: float = 300.0) -> None:
        self.caps = {**DEFAULT_CONCURRENCY, **(caps or {})}
        self.slot_seconds = slot_seconds

    def cap(self, platform: str) -> int:
        return max(1, self.caps.get(platform, FALLBACK_CONCURRENCY))

    def admit(self, platform: str, account: str, *, wait: float = SLOT_WAIT_SECONDS) -> Slot | Wait:
        """A slot, or why not: the account (or the whole platform) is locked out, or every slot stayed taken
        for ``wait`` seconds. Never blocks longer than that, so a worker thread is soon free for other rows."""
        deadline = time.monotonic() + wait
        token = uuid.uuid4().hex
        while True:
            answer = self._try(platform, account, token)
            if answer is not None:
                return answer
            if time.monotonic() >= deadline:
                jitter = random.uniform(0.0, 0.5)  # the rows that were turned away together do not return together
                return Wait(datetime.now(UTC) + BUSY_DEFER * (1 + jitter), "busy")
            time.sleep(SLOT_POLL_SECONDS * random.uniform(0.5, 1.5))

    @abstractmethod
    def _try(self, platform: str, account: str, token: str) -> Slot | Wait | None:
        """One attempt: a Slot, a Wait for a lockout, or None when every slot is taken."""

    @abstractmethod
    def release(self, slot: Slot) -> None: ...

    @abstractmethod
    def lock_out(self, platform: str, account: str, until: datetime, *, app_wide: bool = False) -> None:
        """Nobody calls ``platform`` for ``account`` (or for anyone, when ``app_wide``) before ``until``."""

    @abstractmethod
    def in_use(self, platform: str) -> int:
        """Slots taken now (for tests and diagnostics)."""


# --- Redis: shared by every consumer --------------------------------------------------------------------------

# KEYS: slots, account lockout, app lockout. ARGV: cap, slot lifetime (ms), token.
# Returns {0, 0} for a slot, {1, reset} / {2, reset} for an account / app lockout (ms), {3, 0} when full.
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local account = tonumber(redis.call('GET', KEYS[2]) or '0')
local app = tonumber(redis.call('GET', KEYS[3]) or '0')
if app > now and app >= account then return {2, app} end
if account > now then return {1, account} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return {0, 0}
end
return {3, 0}
"""

# KEYS: the lockout. ARGV: reset (ms since the epoch). A later reset wins; an earlier one never shortens it.
_LOCK_OUT = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[1])
end
return 0
"""


class RedisGate(PlatformGate):
    def __init__(self, url: str, *, prefix: str = "socialhub:gate", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.redis = redis_client(url)
        self.prefix = prefix
        self._admit = self.redis.register_script(_ADMIT)
        self._lock_out = self.redis.register_script(_LOCK_OUT)

    def _keys(self, platform: str, account: str) -> list[str]:
        # One hash tag per platform: a platform's keys stay together on a Redis Cluster, as the script needs.
        base = f"{self.prefix}:{{{platform}}}"
        return [f"{base}:slots", f"{base}:lockout:account:{account}", f"{base}:lockout:app"]

    def _try(self, platform: str, account: str, token: str) -> Slot | Wait | None:
        try:
            code, reset = self._admit(
                keys=self._keys(platform, account), args=[self.cap(platform), int(self.slot_seconds * 1000), token]
            )
        except redis.RedisError as exc:
            log.warning("platform gate unavailable, letting the %s call through: %s", platform, exc)
            return Slot(platform, token)
        if code == 0:
            return Slot(platform, token)
        if code in (1, 2):
            return Wait(datetime.fromtimestamp(int(reset) / 1000, UTC), "rate_limited", app_wide=code == 2)
        return None

    def release(self, slot: Slot) -> None:
        try:
            self.redis.zrem(self._keys(slot.platform, "")[0], slot.token)
        except redis.RedisError as exc:  # the slot expires by itself
            log.warning("could not give back a %s slot: %s", slot.platform, exc)

    def lock_out(self, platform: str, account: str, until: datetime, *, app_wide: bool = False) -> None:
        key = self._keys(platform, account)[2 if app_wide else 1]
        try:
            self._lock_out(keys=[key], args=[int(until.timestamp() * 1000)])
        except redis.RedisError as exc:  # this row still waits; other workers will meet the limit themselves
            log.warning("could not record the %s rate limit: %s", platform, exc)

    def in_use(self, platform: str) -> int:
        key = self._keys(platform, "")[0]
        return int(self.redis.zcount(key, int(time.time() * 1000), "+inf"))


# --- process memory: the embedded single-process consumer -------------------------------------------------------


class MemoryGate(PlatformGate):
    """The same rules for the threads of one process (SqliteHuey runs one consumer)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._lock = threading.Lock()
        self._slots: dict[str, dict[str, float]] = {}  # platform → token → expiry (epoch seconds)
        self._lockouts: dict[tuple[str, str], float] = {}  # (platform, account or APP) → reset

    def _try(self, platform: str, account: str, token: str) -> Slot | Wait | None:
        now = time.time()
        with self._lock:
            app = self._lockouts.get((platform, APP), 0.0)
            mine = self._lockouts.get((platform, account), 0.0)
            if max(app, mine) > now:
                return Wait(datetime.fromtimestamp(max(app, mine), UTC), "rate_limited", app_wide=app >= mine)
            slots = self._slots.setdefault(platform, {})
            for held, expiry in list(slots.items()):
                if expiry <= now:
                    del slots[held]
            if len(slots) >= self.cap(platform):
                return None
            slots[token] = now + self.slot_seconds
            return Slot(platform, token)

    def release(self, slot: Slot) -> None:
        with self._lock:
            self._slots.get(slot.platform, {}).pop(slot.token, None)

    def lock_out(self, platform: str, account: str, until: datetime, *, app_wide: bool = False) -> None:
        key = (platform, APP if app_wide else account)
        with self._lock:
            self._lockouts[key] = max(self._lockouts.get(key, 0.0), until.timestamp())
            now = time.time()
            for stale in [k for k, reset in self._lockouts.items() if reset <= now]:
                del self._lockouts[stale]

    def in_use(self, platform: str) -> int:
        now = time.time()
        with self._lock:
            return sum(1 for expiry in self._slots.get(platform, {}).values() if expiry > now)


# --- the process's gate ----------------------------------------------------------------------------------------------


def get_gate() -> PlatformGate:
    """The gate the settings describe (one per process: the memory gate must be shared by all its threads)."""
    settings = get_settings()
    caps = tuple(sorted(settings.platform_concurrency.items()))
    return _gate(settings.redis_url, caps, settings.publish_lease_seconds)


@lru_cache(maxsize=4)
def _gate(redis_url: str | None, caps: tuple[tuple[str, int], ...], slot_seconds: float) -> PlatformGate:
    if redis_url:
        return RedisGate(redis_url, caps=dict(caps), slot_seconds=slot_seconds)
    return MemoryGate(caps=dict(caps), slot_seconds=slot_seconds)
