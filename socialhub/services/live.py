"""Live updates: "something about this team's posts changed", for pages that show them while workers publish.

Workers announce each target's new status on a Redis channel per tenant (``publishing.announce``). A page
subscribes and reloads what it shows. Without Redis (the embedded single-process default) nothing is
announced, so the subscription falls back to a slow tick and the page reloads on that.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import redis
import redis.asyncio as aioredis

from socialhub.services.shared_redis import redis_client
from socialhub.settings import get_settings

log = logging.getLogger(__name__)

FALLBACK_SECONDS = 5.0  # how often a page without Redis looks again
SETTLE_SECONDS = 0.3  # a burst of announcements (one per target) becomes one reload
QUIET_RELOAD_SECONDS = 60.0


def posts_channel(tenant_id: uuid.UUID) -> str:
    return f"socialhub:tenant:{tenant_id}:posts"


def announce_posts(tenant_id: uuid.UUID, **event: Any) -> None:
    """Tell this team's open pages that its posts changed. Best effort: a page also reloads on its own."""
    url = get_settings().redis_url
    if not url:
        return
    try:
        redis_client(url).publish(posts_channel(tenant_id), json.dumps(event, default=str))
    except redis.RedisError as exc:  # a live update is a nicety; publishing must not fail for it
        log.warning("live update for tenant %s not sent: %s", tenant_id, exc)


async def post_changes(tenant_id: uuid.UUID, *, fallback_seconds: float = FALLBACK_SECONDS) -> AsyncIterator[None]:
    """Yields whenever this team's posts may have changed. Runs until the consumer stops iterating."""
    url = get_settings().redis_url
    if not url:
        while True:
            await asyncio.sleep(fallback_seconds)
            yield None
    client = aioredis.Redis.from_url(url, socket_connect_timeout=2)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    clock = asyncio.get_running_loop().time
    try:
        await pubsub.subscribe(posts_channel(tenant_id))
        last = clock()
        while True:
            try:
                # None means "nothing within a second" or "a subscription notice"; either way, not news.
                message = await pubsub.get_message(timeout=1.0)
            except (redis.RedisError, OSError) as exc:
                # Redis went away: keep the page alive on the slow tick until it is back.
                log.warning("live updates interrupted: %s", exc)
                await asyncio.sleep(fallback_seconds)
                yield None
                continue
            if message is None:
                if clock() - last >= QUIET_RELOAD_SECONDS:
                    last = clock()
                    yield None  # a quiet spell: reload anyway, in case an announcement was missed
                continue
            await asyncio.sleep(SETTLE_SECONDS)
            while await pubsub.get_message(timeout=0.01) is not None:
                pass
            last = clock()
            yield None
    finally:
        await pubsub.aclose()
        await client.aclose()
