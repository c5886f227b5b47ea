"""One holder at a time across consumers, for as long as the holder lives: a lease it renews as it goes.

The sweeper uses it instead of Huey's ``lock_task``, whose lock has no owner and no expiry: a consumer killed
while holding it left it held for good (hence ``--flush-locks`` at start, which in turn let a starting consumer
take the lock from a sweeper that was alive, so two swept at once). A lease is released by its owner, expires
``seconds`` after its last renewal otherwise, and is never renewed or released by anyone else.

With Redis the lease is a key holding the owner's token; without Redis (SqliteHuey: one consumer process) it is
a lock in this process.
"""

from __future__ import annotations

import threading
import uuid
from abc import ABC, abstractmethod
from typing import ClassVar

import redis

# KEYS: the lease. ARGV: token, lifetime (ms). Renewed if ours; taken again if nobody has it (a flushed Redis
# lost it, but no one else took it); refused if someone else holds it.
_RENEW = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] or not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Lease(ABC):
    @abstractmethod
    def acquire(self) -> bool:
        """Take the lease if nobody holds it."""

    @abstractmethod
    def renew(self) -> bool:
        """Extend it; False when it was lost to another holder (then stop what it guards)."""

    @abstractmethod
    def release(self) -> None: ...


class RedisLease(Lease):
    def __init__(self, client: redis.Redis, key: str, *, seconds: float) -> None:
        self.client, self.key, self.ms = client, key, int(seconds * 1000)
        self.token = uuid.uuid4().hex
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    def acquire(self) -> bool:
        return bool(self.client.set(self.key, self.token, nx=True, px=self.ms))

    def renew(self) -> bool:
        return bool(self._renew(keys=[self.key], args=[self.token, self.ms]))

    def release(self) -> None:
        self._release(keys=[self.key], args=[self.token])


class LocalLease(Lease):
    """The same contract for the threads of one process (a lease never lapses while its process lives)."""

    _locks: ClassVar[dict[str, threading.Lock]] = {}  # one per name, shared by every instance in the process
    _guard: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, key: str) -> None:
        with self._guard:
            self._lock = self._locks.setdefault(key, threading.Lock())
        self._held = False

    def acquire(self) -> bool:
        self._held = self._lock.acquire(blocking=False)
        return self._held

    def renew(self) -> bool:
        return self._held

    def release(self) -> None:
        if self._held:
            self._held = False
            self._lock.release()
