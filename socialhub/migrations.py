"""Running the Alembic migrations from code (the CLI, the launcher, the tests)."""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from alembic.config import Config

from socialhub.settings import PROJECT_ROOT, get_settings


def alembic_config(url: str | None = None, *, app_role: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["skip_logging_config"] = True  # keep the caller's logging as it is
    settings = get_settings()
    config.attributes["url"] = url or settings.migration_database_url
    config.attributes["app_role"] = app_role or settings.database_app_role
    if not config.attributes["url"]:
        raise RuntimeError("MIGRATION_DATABASE_URL is not set (the schema owner's connection).")
    return config


def upgrade(revision: str = "head", *, url: str | None = None, app_role: str | None = None) -> None:
    command.upgrade(alembic_config(url, app_role=app_role), revision)


def downgrade(revision: str, *, url: str | None = None, app_role: str | None = None) -> None:
    command.downgrade(alembic_config(url, app_role=app_role), revision)


# --- helpers the migration scripts share -------------------------------------------------------------
# Kept deliberately small and stable: a migration that has run must keep meaning the same thing.

CURRENT_TENANT = "nullif(current_setting('app.tenant_id', true), '')::uuid"


def quote_identifier(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def migration_app_role() -> str:
    """The application role a migration grants to: from the runner, else from the settings."""
    from alembic import context

    return context.config.attributes.get("app_role") or get_settings().database_app_role


def enable_tenant_rls(execute: Callable[[str], object], table: str, app_role: str, *, key: str = "tenant_id") -> None:
    """DML grants to the app role, RLS enabled and FORCED, one USING + WITH CHECK policy on the tenant."""
    execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {quote_identifier(app_role)}")
    execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    condition = f"{key} = {CURRENT_TENANT}"
    execute(f"CREATE POLICY tenant_isolation ON {table} USING ({condition}) WITH CHECK ({condition})")


def disable_tenant_rls(execute: Callable[[str], object], table: str, app_role: str) -> None:
    execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    execute(f"REVOKE ALL ON {table} FROM {quote_identifier(app_role)}")


def allow_owner_reads(execute: Callable[[str], object], table: str) -> None:
    """Lets the owner's SECURITY DEFINER functions read across tenants (SELECT only, never writes)."""
    execute(f"CREATE POLICY owner_reads_ids ON {table} FOR SELECT TO CURRENT_USER USING (true)")


def create_id_function(execute: Callable[[str], object], signature: str, body: str, app_role: str) -> None:
    execute(f"CREATE FUNCTION {signature} {body}")
    execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
    execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {quote_identifier(app_role)}")
