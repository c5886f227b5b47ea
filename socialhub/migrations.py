"""Running the Alembic migrations from code (the CLI, the launcher, the tests)."""

from __future__ import annotations

from alembic.config import Config

from alembic import command
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
