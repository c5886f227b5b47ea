"""Tenant isolation, proven through direct SQL as the application role (not through the ORM).

For every tenant table, with tenant A's id set: B's rows cannot be read, updated, deleted, or inserted,
and A's rows cannot be moved to B. With no tenant set, every table reads as empty, including on a
connection that served a tenant before (the pooled-connection case the ``nullif`` in the policy is for).
The outcomes are also written to test-artifacts/rls_matrix.txt for the record.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from psycopg import errors, sql
from psycopg.types.json import Jsonb

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import (
    TENANT_TABLES,
    AIRequest,
    AIRequestType,
    AnalyticsEvent,
    Invitation,
    Media,
    MediaKind,
    OAuthState,
    Platform,
    RefreshToken,
    Role,
    Tenant,
    utcnow,
)
from socialhub.provision import libpq_conninfo
from socialhub.security.tokens import new_token, token_hash
from tests.factories import make_account, make_post, make_tenant, make_user

ALL_TABLES = ("tenants", *TENANT_TABLES)
MATRIX: dict[str, dict[str, str]] = {}


def key_of(table: str) -> str:
    return "id" if table == "tenants" else "tenant_id"


def populate(tenant: Tenant) -> None:
    """At least one row in every tenant table."""
    author = make_user(tenant)
    account = make_account(tenant, platform=Platform.LINKEDIN)
    post = make_post(tenant, author, targets=[account])
    with tenant_session(Context.system(tenant.id)) as session:
        session.add(
            AIRequest(
                tenant_id=tenant.id,
                user_id=author.id,
                post_id=post.id,
                type=AIRequestType.CAPTION,
                reserved_cost_usd=Decimal("0.01"),
            )
        )
        session.add(
            AnalyticsEvent(
                tenant_id=tenant.id,
                post_id=post.id,
                social_account_id=account.id,
                event_type="likes",
                platform=Platform.LINKEDIN,
                value=3,
            )
        )
        session.add(
            RefreshToken(
                tenant_id=tenant.id,
                user_id=author.id,
                family_id=uuid.uuid4(),
                token_hash=token_hash(new_token()),
                expires_at=utcnow() + timedelta(days=1),
            )
        )
        session.add(
            Invitation(
                tenant_id=tenant.id,
                email=f"{uuid.uuid4().hex}@example.com",
                role=Role.VIEWER,
                token_hash=token_hash(new_token()),
                invited_by=author.id,
                expires_at=utcnow() + timedelta(days=1),
            )
        )
        session.add(
            OAuthState(
                tenant_id=tenant.id,
                user_id=author.id,
                platform=Platform.X,
                redirect_uri="http://localhost:3000/accounts/callback",
                expires_at=utcnow() + timedelta(minutes=10),
            )
        )
        session.add(
            Media(
                tenant_id=tenant.id,
                uploaded_by=author.id,
                kind=MediaKind.IMAGE,
                storage_backend="local",
                storage_key=f"{tenant.id}/{uuid.uuid4()}.png",
                content_type="image/png",
                size_bytes=10,
                checksum_sha256="0" * 64,
            )
        )
        session.commit()


@pytest.fixture(scope="module")
def tenants(database: dict[str, str]) -> tuple[Tenant, Tenant]:
    a, b = make_tenant(name="Tenant A"), make_tenant(name="Tenant B")
    populate(a)
    populate(b)
    return a, b


@pytest.fixture
def app_conn(database: dict[str, str]) -> Iterator[psycopg.Connection]:
    with psycopg.connect(libpq_conninfo(database["app"])) as conn:
        yield conn


def as_tenant(conn: psycopg.Connection, tenant_id: uuid.UUID | None) -> None:
    conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tenant_id) if tenant_id else "",))


def count(conn: psycopg.Connection, table: str, where_tenant: uuid.UUID | None = None) -> int:
    query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
    if where_tenant is None:
        return conn.execute(query).fetchone()[0]  # type: ignore[index]
    query += sql.SQL(" WHERE {} = %s").format(sql.Identifier(key_of(table)))
    return conn.execute(query, (where_tenant,)).fetchone()[0]  # type: ignore[index]


def owner_count(database: dict[str, str], table: str, tenant_id: uuid.UUID) -> int:
    """Ground truth, as the superuser (who bypasses RLS)."""
    with psycopg.connect(libpq_conninfo(database["admin"])) as conn:
        return count(conn, table, tenant_id)


def note(table: str, check: str, outcome: str) -> None:
    MATRIX.setdefault(table, {})[check] = outcome


@pytest.mark.parametrize("table", ALL_TABLES)
class TestTenantCannotTouchAnotherTenant:
    def test_select_sees_only_own_rows(
        self, app_conn: psycopg.Connection, tenants: tuple[Tenant, Tenant], table: str
    ) -> None:
        a, b = tenants
        as_tenant(app_conn, a.id)
        assert count(app_conn, table, b.id) == 0
        assert count(app_conn, table) == count(app_conn, table, a.id) > 0
        note(table, "SELECT", "0 rows")

    def test_update_of_other_tenant_changes_nothing(
        self, app_conn: psycopg.Connection, database: dict[str, str], tenants: tuple[Tenant, Tenant], table: str
    ) -> None:
        a, b = tenants
        before = owner_count(database, table, b.id)
        as_tenant(app_conn, a.id)
        key = sql.Identifier(key_of(table))
        cur = app_conn.execute(
            sql.SQL("UPDATE {} SET {} = {} WHERE {} = %s").format(sql.Identifier(table), key, key, key), (b.id,)
        )
        assert cur.rowcount == 0
        app_conn.commit()
        assert owner_count(database, table, b.id) == before
        note(table, "UPDATE", "0 rows")

    def test_delete_of_other_tenant_changes_nothing(
        self, app_conn: psycopg.Connection, database: dict[str, str], tenants: tuple[Tenant, Tenant], table: str
    ) -> None:
        a, b = tenants
        before = owner_count(database, table, b.id)
        as_tenant(app_conn, a.id)
        cur = app_conn.execute(
            sql.SQL("DELETE FROM {} WHERE {} = %s").format(sql.Identifier(table), sql.Identifier(key_of(table))),
            (b.id,),
        )
        assert cur.rowcount == 0
        app_conn.commit()
        assert owner_count(database, table, b.id) == before
        note(table, "DELETE", "0 rows")

    def test_insert_into_other_tenant_is_refused(
        self, app_conn: psycopg.Connection, tenants: tuple[Tenant, Tenant], table: str
    ) -> None:
        a, b = tenants
        as_tenant(app_conn, a.id)
        # A copy of one of A's own rows (so every NOT NULL is filled), re-keyed to B.
        row = app_conn.execute(
            sql.SQL("SELECT row_to_json(t) FROM {} t LIMIT 1").format(sql.Identifier(table))
        ).fetchone()[0]  # type: ignore[index]
        row["id"] = str(uuid.uuid4())
        row[key_of(table)] = str(b.id)
        if table == "users":
            row["email"] = f"{uuid.uuid4().hex}@example.com"
        with pytest.raises(errors.InsufficientPrivilege, match="row-level security"):
            app_conn.execute(
                sql.SQL("INSERT INTO {} SELECT * FROM jsonb_populate_record(NULL::{}, %s)").format(
                    sql.Identifier(table), sql.Identifier(table)
                ),
                (Jsonb(row),),
            )
        note(table, "INSERT", "refused (42501)")

    def test_moving_own_row_to_other_tenant_is_refused(
        self, app_conn: psycopg.Connection, tenants: tuple[Tenant, Tenant], table: str
    ) -> None:
        a, b = tenants
        as_tenant(app_conn, a.id)
        key = sql.Identifier(key_of(table))
        with pytest.raises(errors.InsufficientPrivilege, match="row-level security"):
            app_conn.execute(
                sql.SQL("UPDATE {} SET {} = %s WHERE {} = %s").format(sql.Identifier(table), key, key), (b.id, a.id)
            )
        note(table, "UPDATE to B", "refused (42501)")

    def test_no_tenant_sees_zero_rows(
        self, app_conn: psycopg.Connection, tenants: tuple[Tenant, Tenant], table: str
    ) -> None:
        a, _ = tenants
        assert count(app_conn, table) == 0  # fresh connection: setting never defined
        app_conn.commit()
        as_tenant(app_conn, a.id)
        app_conn.commit()  # the setting now reads '' on this connection, as on a pooled one
        assert count(app_conn, table) == 0
        note(table, "no tenant", "0 rows")


class TestApplicationRole:
    def test_is_not_superuser_and_has_no_bypassrls(self, app_conn: psycopg.Connection) -> None:
        rolsuper, bypass = app_conn.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        ).fetchone()  # type: ignore[misc]
        assert (rolsuper, bypass) == (False, False)

    def test_owns_nothing(self, app_conn: psycopg.Connection) -> None:
        owned = app_conn.execute(
            "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
        ).fetchone()[0]  # type: ignore[index]
        assert owned == 0

    def test_cannot_switch_row_security_off(self, app_conn: psycopg.Connection, tenants: tuple[Tenant, Tenant]) -> None:
        app_conn.execute("SET row_security = off")
        with pytest.raises(errors.InsufficientPrivilege, match="row-level security"):
            app_conn.execute("SELECT count(*) FROM posts")

    def test_cannot_point_a_row_at_another_tenants_parent(
        self, app_conn: psycopg.Connection, tenants: tuple[Tenant, Tenant]
    ) -> None:
        """Foreign-key checks bypass RLS, so the keys themselves include tenant_id."""
        a, b = tenants
        with psycopg.connect(app_conn.info.dsn) as b_conn:
            as_tenant(b_conn, b.id)
            b_account = b_conn.execute("SELECT id FROM social_accounts LIMIT 1").fetchone()[0]  # type: ignore[index]
        as_tenant(app_conn, a.id)
        a_post = app_conn.execute("SELECT id FROM posts LIMIT 1").fetchone()[0]  # type: ignore[index]
        with pytest.raises(errors.ForeignKeyViolation):
            app_conn.execute(
                "INSERT INTO post_platforms (tenant_id, post_id, social_account_id, platform, status) "
                "VALUES (%s, %s, %s, 'linkedin', 'pending')",
                (a.id, a_post, b_account),
            )


def test_every_table_with_tenant_id_is_forced_under_a_policy(app_conn: psycopg.Connection) -> None:
    rows = app_conn.execute(
        """
        SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
               bool_or(p.polname = 'tenant_isolation' AND p.polqual IS NOT NULL AND p.polwithcheck IS NOT NULL)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_policy p ON p.polrelid = c.oid
        WHERE n.nspname = 'public' AND c.relkind = 'r'
          AND (c.relname = 'tenants' OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                                                AND a.attname = 'tenant_id' AND NOT a.attisdropped))
        GROUP BY c.relname, c.relrowsecurity, c.relforcerowsecurity
        """
    ).fetchall()
    assert {r[0] for r in rows} == set(ALL_TABLES)
    assert all(r[1] and r[2] and r[3] for r in rows), rows


def test_write_matrix(artifacts: Path) -> None:
    """Runs last in this module: records what the matrix above showed."""
    checks = ["SELECT", "UPDATE", "DELETE", "INSERT", "UPDATE to B", "no tenant"]
    lines = ["table              | " + " | ".join(checks)]
    for table in ALL_TABLES:
        lines.append(f"{table:<18} | " + " | ".join(MATRIX.get(table, {}).get(c, "NOT RUN") for c in checks))
    (artifacts / "rls_matrix.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
