"""One Redis client (and so one connection pool) per URL and process, for the services' short commands.

A client per call costs a TCP connection per publish; redis-py's pool is thread-safe, so the worker threads of
a consumer share these connections instead.
"""

from __future__ import annotations

from functools import lru_cache

import redis


@lru_cache(maxsize=4)
def redis_client(url: str) -> redis.Redis:
    # Short timeouts: these are side channels (limits, live updates), never worth stalling a worker for.
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=30)
