"""Engine and sessions. Every query runs in a tenant session or in the narrow system session.

Row-level security policies compare ``tenant_id`` with the transaction-local setting ``app.tenant_id``.
``tenant_session`` sets it at the start of *every* transaction the session opens (not once per session),
so a commit followed by more work stays inside the tenant. Outside a tenant session the setting is empty
and every tenant table reads as empty: the safe failure.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from socialhub.context import Context
from socialhub.settings import get_settings

__all__ = [
    "UnsafeDatabaseRoleError",
    "check_application_role",
    "dispose_engine",
    "get_engine",
    "lookup_ids",
    "system_session",
    "tenant_session",
]


class UnsafeDatabaseRoleError(RuntimeError):
    """The runtime connection could read across tenants: refuse to run rather than leak."""


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    settings = get_settings()
    if not settings.database_url:
        raise RuntimeError(
            "DATABASE_URL is not set and the embedded database was not started: "
            "run the app through `python -m socialhub run` (or call socialhub.provision.ensure_database)."
        )
    return sa.create_engine(
        settings.database_url,
        pool_pre_ping=True,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
    )


def dispose_engine() -> None:
    if get_engine.cache_info().currsize:
        get_engine().dispose()
        get_engine.cache_clear()


# Built once: this runs at the start of every transaction of every tenant session.
_SET_TENANT = sa.text("SELECT set_config('app.tenant_id', :tenant, true)")


def _set_tenant(value: str) -> Any:
    def after_begin(_session: Session, _transaction: Any, connection: Connection) -> None:
        connection.execute(_SET_TENANT, {"tenant": value})

    return after_begin


@contextmanager
def _session(tenant: str, engine: Engine | None) -> Iterator[Session]:
    session = Session(engine or get_engine(), expire_on_commit=False)
    event.listen(session, "after_begin", _set_tenant(tenant))
    try:
        yield session
    finally:
        # Uncommitted work is rolled back: a service commits explicitly or not at all.
        session.close()


def tenant_session(ctx: Context, *, engine: Engine | None = None) -> Any:
    """A session that only sees ``ctx.tenant_id``'s rows. Commit explicitly; anything else rolls back."""
    if not isinstance(ctx.tenant_id, uuid.UUID):
        raise TypeError("tenant_session needs a Context whose tenant_id is a UUID")
    return _session(str(ctx.tenant_id), engine)


def system_session(*, engine: Engine | None = None) -> Any:
    """A session with no tenant: tenant tables read as empty.

    Cross-tenant work (the sweeper, rollups, key rotation) calls the ``app_*`` SECURITY DEFINER functions
    here, which return ids only, and then opens a ``tenant_session`` per item.
    """
    return _session("", engine)


def lookup_ids(function: str, value: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """(tenant id, row id) from one of the id-only ``app_*_lookup`` SECURITY DEFINER functions.

    For the few questions asked before the tenant is known: whose email is this, whose token is this.
    """
    if not function.isidentifier() or not function.startswith("app_"):
        raise ValueError(f"not a lookup function: {function!r}")
    with system_session() as session:
        row = session.execute(sa.text(f"SELECT * FROM {function}(:value)"), {"value": value}).first()
    return (row[0], row[1]) if row else None


def check_application_role(engine: Engine | None = None) -> None:
    """Refuse a runtime role that bypasses row-level security or owns the tables.

    A superuser or BYPASSRLS role ignores every policy, and a table owner is exempt unless FORCE is set:
    connecting as either would silently turn off tenant isolation.
    """
    with (engine or get_engine()).connect() as conn:
        role = conn.execute(
            sa.text("SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
        owned = conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user"
            )
        ).scalar_one()
    if role.rolsuper or role.rolbypassrls or owned:
        raise UnsafeDatabaseRoleError(
            f"DATABASE_URL connects as {role.name!r}, which "
            + (
                "is a superuser"
                if role.rolsuper
                else "bypasses row-level security"
                if role.rolbypassrls
                else f"owns {owned} objects"
            )
            + ": tenant isolation would not hold. Point DATABASE_URL at the application role "
            "(see `python -m socialhub db provision`) and MIGRATION_DATABASE_URL at the owner."
        )
