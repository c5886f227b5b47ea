"""Row-level security, the application role's grants, and the id-only cross-tenant functions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

Every tenant table gets RLS ENABLEd and FORCEd (so even the owner is bound) with one policy, for reads
(USING) and writes (WITH CHECK), against the transaction-local setting ``app.tenant_id``. ``nullif`` makes
the empty string that a pooled connection keeps after a tenant transaction read as "no tenant" (zero rows)
instead of raising on the ``::uuid`` cast.

Cross-tenant work goes through SECURITY DEFINER functions that return ids only; they run as the owner,
who may read (never write) through a SELECT-only policy scoped to the owner role.
"""

from collections.abc import Sequence

from alembic import op

from socialhub.migrations import (
    allow_owner_reads,
    create_id_function,
    disable_tenant_rls,
    enable_tenant_rls,
    migration_app_role,
    quote_identifier,
)

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of socialhub.models.TENANT_TABLES as of this revision (a test keeps the two in step).
TENANT_TABLES = (
    "users",
    "social_accounts",
    "posts",
    "post_platforms",
    "ai_requests",
    "analytics_events",
    "media",
    "audit_log",
)
# Tables the id-only functions below read across tenants.
OWNER_READABLE = ("tenants", "social_accounts", "post_platforms")

FUNCTIONS = {
    "app_tenant_ids()": """
        RETURNS SETOF uuid LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT id FROM public.tenants ORDER BY created_at, id
        $$""",
    "app_due_post_platforms(p_now timestamptz, p_limit integer)": """
        RETURNS TABLE (tenant_id uuid, post_platform_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT pp.tenant_id, pp.id FROM public.post_platforms pp
            WHERE (pp.status IN ('queued', 'retry_wait') AND pp.next_attempt_at <= p_now)
               OR (pp.status = 'publishing' AND pp.lease_until < p_now)
            ORDER BY pp.next_attempt_at NULLS FIRST
            LIMIT least(greatest(p_limit, 0), 10000)
        $$""",
    "app_accounts_expiring(p_before timestamptz, p_limit integer)": """
        RETURNS TABLE (tenant_id uuid, social_account_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT sa.tenant_id, sa.id FROM public.social_accounts sa
            WHERE sa.status = 'active' AND sa.token_expires_at < p_before
            ORDER BY sa.token_expires_at
            LIMIT least(greatest(p_limit, 0), 10000)
        $$""",
}


def upgrade() -> None:
    role = migration_app_role()
    app = quote_identifier(role)
    # The provisioning step normally created it; creating it here keeps `alembic upgrade` self-sufficient
    # for an owner that has CREATEROLE. Never BYPASSRLS, never an owner.
    op.execute(
        f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role.replace("'", "''")}') THEN
                CREATE ROLE {app} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
            END IF;
        END $$
        """
    )
    op.execute(f"GRANT USAGE ON SCHEMA public TO {app}")
    op.execute(f"GRANT SELECT ON alembic_version TO {app}")  # /ready checks the schema is at head

    enable_tenant_rls(op.execute, "tenants", role, key="id")
    for table in TENANT_TABLES:
        enable_tenant_rls(op.execute, table, role)
    for table in OWNER_READABLE:
        allow_owner_reads(op.execute, table)
    for signature, body in FUNCTIONS.items():
        create_id_function(op.execute, signature, body, role)


def downgrade() -> None:
    role = migration_app_role()
    for signature in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {signature.split('(')[0]}")
    for table in OWNER_READABLE:
        op.execute(f"DROP POLICY IF EXISTS owner_reads_ids ON {table}")
    for table in ("tenants", *TENANT_TABLES):
        disable_tenant_rls(op.execute, table, role)
    app = quote_identifier(role)
    op.execute(f"REVOKE ALL ON alembic_version FROM {app}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {app}")
    # The role itself stays: roles are cluster-wide and may serve other databases.
