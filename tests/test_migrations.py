"""The migrations build exactly the schema the models describe, and undo it cleanly."""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from socialhub import migrations
from socialhub.models import TENANT_TABLES
from socialhub.provision import APP_ROLE, OWNER_ROLE, RoleSpec, drop_database, provision_database
from socialhub.settings import PROJECT_ROOT


@pytest.fixture
def fresh_database(admin_url: str) -> Iterator[str]:
    """An empty database of its own (the session database is already migrated)."""
    name = f"socialhub_mig_{uuid.uuid4().hex[:10]}"
    provision_database(admin_url, database=name, owner=RoleSpec(OWNER_ROLE), app=RoleSpec(APP_ROLE))
    yield (
        make_url(admin_url).set(database=name, username=OWNER_ROLE, password=None).render_as_string(hide_password=False)
    )
    drop_database(admin_url, name)


def public_objects(url: str) -> dict[str, set[str]]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        objects = {
            "tables": set(sa.inspect(conn).get_table_names()) - {"alembic_version"},
            "functions": set(
                conn.execute(
                    sa.text("SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace")
                ).scalars()
            ),
            "policies": set(
                conn.execute(
                    sa.text("SELECT tablename || '.' || policyname FROM pg_policies WHERE schemaname = 'public'")
                ).scalars()
            ),
        }
    engine.dispose()
    return objects


def test_upgrade_downgrade_upgrade(fresh_database: str) -> None:
    migrations.upgrade(url=fresh_database, app_role=APP_ROLE)
    first = public_objects(fresh_database)
    assert first["tables"] == {"tenants", *TENANT_TABLES}
    assert "app_due_post_platforms" in first["functions"]

    migrations.downgrade("base", url=fresh_database, app_role=APP_ROLE)
    assert public_objects(fresh_database) == {"tables": set(), "functions": set(), "policies": set()}

    migrations.upgrade(url=fresh_database, app_role=APP_ROLE)
    assert public_objects(fresh_database) == first


def test_models_match_the_migrated_schema(database: dict[str, str]) -> None:
    engine = sa.create_engine(database["owner"], poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        diff = compare_metadata(context, SQLModel.metadata)
        # The comparison really reads the database: against no models, every table is reported.
        assert len(compare_metadata(context, sa.MetaData())) >= len(TENANT_TABLES) + 1
    engine.dispose()
    assert diff == []


def test_rls_migrations_cover_every_tenant_table() -> None:
    """Each migration names the tables it puts under RLS; together they must cover every tenant table."""
    covered: list[str] = []
    for path in sorted((PROJECT_ROOT / "alembic" / "versions").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"migration_{path.stem}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        covered += getattr(module, "TENANT_TABLES", ())
    assert sorted(covered) == sorted(TENANT_TABLES)
    tenant_scoped = {t.name for t in SQLModel.metadata.sorted_tables if "tenant_id" in t.columns}
    assert tenant_scoped == set(TENANT_TABLES)
