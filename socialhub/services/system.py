"""What the system itself reports: liveness, readiness, and which parts it is running on."""

from __future__ import annotations

import os
import socket
import sqlite3
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import redis
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from socialhub import __version__
from socialhub.context import Context
from socialhub.db import system_session
from socialhub.models import utcnow
from socialhub.security.permissions import Permission
from socialhub.services.access import require
from socialhub.settings import PROJECT_ROOT, get_settings


@dataclass(frozen=True)
class SystemStatus:
    version: str
    environment: str
    database: str  # "embedded PostgreSQL 18.4" / "PostgreSQL 15.19"
    database_ok: bool
    schema_revision: str | None
    schema_head: str
    queue: str  # "Redis" / "SQLite (local)"
    queue_ok: bool
    sandbox_mode: bool

    @property
    def schema_current(self) -> bool:
        return self.schema_revision == self.schema_head

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "schema_current": self.schema_current}


@lru_cache(maxsize=1)
def schema_head() -> str:
    script = ScriptDirectory.from_config(Config(str(Path(PROJECT_ROOT) / "alembic.ini")))
    return str(script.get_current_head())


def queue_reachable() -> bool:
    """Whether the queue's store answers (Redis PING, or the SQLite file opens and reads)."""
    settings = get_settings()
    try:
        if settings.redis_url:
            client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
            try:
                return bool(client.ping())
            finally:
                client.close()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(settings.data_dir / "huey.sqlite3", timeout=2) as conn:
            conn.execute("SELECT 1")
        return True
    except (redis.RedisError, sqlite3.Error, OSError):
        return False


def system_status() -> SystemStatus:
    settings = get_settings()
    database, ok, revision = "unreachable", False, None
    try:
        with system_session() as session:
            version = session.exec(sa.text("SHOW server_version")).scalar_one()  # type: ignore[call-overload]
            revision = session.exec(sa.text("SELECT version_num FROM alembic_version")).scalar_one_or_none()  # type: ignore[call-overload]
        database = f"{'embedded ' if settings.database_embedded else ''}PostgreSQL {version.split()[0]}"
        ok = True
    except sa.exc.SQLAlchemyError:
        pass
    return SystemStatus(
        version=__version__,
        environment=settings.environment.value,
        database=database,
        database_ok=ok,
        schema_revision=revision,
        schema_head=schema_head(),
        queue="Redis" if settings.redis_url else "SQLite (local)",
        queue_ok=queue_reachable(),
        sandbox_mode=bool(settings.sandbox_mode),
    )


def installation_status(ctx: Context) -> SystemStatus:
    """``system_status()`` for a person: only a team's owners and admins see what the installation runs on
    (database kind and version, schema revision, queue). Anonymous visitors and other roles do not; load
    balancers ask the public ``/api/v1/ready``."""
    require(ctx, Permission.TENANT_MANAGE)
    return system_status()


def worker_echo(token: str) -> dict[str, str]:
    return {"token": token, "host": socket.gethostname(), "pid": str(os.getpid()), "at": utcnow().isoformat()}
