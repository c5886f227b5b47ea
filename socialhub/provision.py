"""Creating the database and its two roles, and resolving which database this process uses.

Two roles, because row-level security only binds a role that neither owns the tables nor bypasses RLS:
- the **owner** (``MIGRATION_DATABASE_URL``) owns the schema; only migrations connect as it;
- the **application role** (``DATABASE_URL``) owns nothing, has no BYPASSRLS, and gets DML grants from
  the migrations.
Creating roles and a database needs a superuser, so it happens here, once, outside the migrations:
for the embedded server (which we own), for the test suite, and through ``socialhub db provision`` for
an operator's server.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from socialhub.settings import Settings, get_settings

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "socialhub"
OWNER_ROLE = "socialhub_owner"
APP_ROLE = "socialhub_app"
PG_MAJOR = 18


@dataclass(frozen=True)
class RoleSpec:
    name: str
    password: str | None = None


def libpq_conninfo(url: str) -> str:
    """A SQLAlchemy URL as a libpq connection string (psycopg does not read the ``+driver`` part)."""
    u = make_url(url)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


def _ensure_role(cur: psycopg.Cursor, role: RoleSpec) -> None:
    exists = cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role.name,)).fetchone()
    verb = "ALTER" if exists else "CREATE"
    # Stated on every run, so a role that someone widened by hand is narrowed again.
    stmt = sql.SQL("{} ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE").format(
        sql.SQL(verb), sql.Identifier(role.name)
    )
    if role.password:
        stmt += sql.SQL(" PASSWORD {}").format(sql.Literal(role.password))
    cur.execute(stmt)


def provision_database(admin_url: str, *, database: str, owner: RoleSpec, app: RoleSpec) -> None:
    """Idempotently create both roles and a database owned by ``owner``."""
    with psycopg.connect(libpq_conninfo(admin_url), autocommit=True) as conn, conn.cursor() as cur:
        _ensure_role(cur, owner)
        _ensure_role(cur, app)
        if not cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
            cur.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(database), sql.Identifier(owner.name))
            )
        cur.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), sql.Identifier(app.name))
        )
    # Since PostgreSQL 15 the public schema belongs to the database owner; make sure of it on older
    # servers too, and keep everyone else from creating objects in it.
    admin_in_db = make_url(admin_url).set(database=database).render_as_string(hide_password=False)
    with psycopg.connect(libpq_conninfo(admin_in_db), autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(owner.name)))
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")


def drop_database(admin_url: str, database: str) -> None:
    with psycopg.connect(libpq_conninfo(admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))


def provision_from_settings(settings: Settings) -> None:
    """``socialhub db provision``: roles and database named by DATABASE_URL and MIGRATION_DATABASE_URL."""
    if not (settings.database_admin_url and settings.database_url and settings.migration_database_url):
        raise RuntimeError(
            "Provisioning needs DATABASE_ADMIN_URL (a superuser), DATABASE_URL (the application role) "
            "and MIGRATION_DATABASE_URL (the owner role), all on the same server and database."
        )
    app, owner = make_url(settings.database_url), make_url(settings.migration_database_url)
    if app.database != owner.database:
        raise RuntimeError("DATABASE_URL and MIGRATION_DATABASE_URL must name the same database.")
    provision_database(
        settings.database_admin_url,
        database=str(owner.database),
        owner=RoleSpec(str(owner.username), owner.password),
        app=RoleSpec(str(app.username), app.password),
    )


def ensure_database(settings: Settings | None = None) -> Settings:
    """Make sure this process has a database; start the embedded one when ``DATABASE_URL`` is unset.

    The resolved URLs are exported to the environment, so child processes (the Reflex backend, the Huey
    consumer) inherit them and never start a server of their own. Returns the settings now in force.
    """
    settings = settings or get_settings()
    if settings.database_url:
        return settings

    from socialhub.embedded_pg import start_embedded_server

    server = start_embedded_server(settings.data_dir / "pg" / str(PG_MAJOR), cleanup_mode="stop")
    provision_database(
        server.superuser_url, database=EMBEDDED_DATABASE, owner=RoleSpec(OWNER_ROLE), app=RoleSpec(APP_ROLE)
    )
    os.environ["DATABASE_URL"] = server.url(user=APP_ROLE, database=EMBEDDED_DATABASE)
    os.environ["MIGRATION_DATABASE_URL"] = server.url(user=OWNER_ROLE, database=EMBEDDED_DATABASE)
    os.environ["DATABASE_APP_ROLE"] = APP_ROLE
    os.environ["DATABASE_EMBEDDED"] = "true"
    get_settings.cache_clear()
    log.info("embedded PostgreSQL %s ready in %s", PG_MAJOR, server.pgdata)
    return get_settings()
