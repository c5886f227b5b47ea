"""The Huey instance: Redis when configured, else a SQLite file in the data dir (the embedded default).

Huey's documented layout: this module owns ``huey``; ``tasks`` imports it; ``main`` imports both and is
what the consumer runs (`huey_consumer socialhub.worker.main.huey`).
"""

from __future__ import annotations

from huey import Huey, RedisHuey, SqliteHuey

from socialhub.settings import Settings, get_settings


def build_huey(settings: Settings) -> Huey:
    if settings.redis_url:
        return RedisHuey("socialhub", url=settings.redis_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("socialhub", filename=str(settings.data_dir / "huey.sqlite3"))


huey = build_huey(get_settings())
