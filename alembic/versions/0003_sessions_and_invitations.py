"""Sessions (refresh-token families) and invitations, under row-level security.

Login, refresh and invitation acceptance start before the tenant is known (from an email address or a
token), so each gets an id-only SECURITY DEFINER lookup; the rest happens in a tenant session.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:48:35.665056
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from socialhub.migrations import (
    allow_owner_reads,
    create_id_function,
    disable_tenant_rls,
    enable_tenant_rls,
    migration_app_role,
)

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = ("refresh_tokens", "invitations")
OWNER_READABLE = ("users", "refresh_tokens", "invitations")
FUNCTIONS = {
    "app_login_lookup(p_email text)": """
        RETURNS TABLE (tenant_id uuid, user_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT u.tenant_id, u.id FROM public.users u WHERE u.email = lower(p_email)
        $$""",
    "app_refresh_token_lookup(p_token_hash text)": """
        RETURNS TABLE (tenant_id uuid, refresh_token_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT r.tenant_id, r.id FROM public.refresh_tokens r WHERE r.token_hash = p_token_hash
        $$""",
    "app_invitation_lookup(p_token_hash text)": """
        RETURNS TABLE (tenant_id uuid, invitation_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            SELECT i.tenant_id, i.id FROM public.invitations i WHERE i.token_hash = p_token_hash
        $$""",
}


def upgrade() -> None:
    op.add_column("users", sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
    # Generated from the models by `alembic revision --autogenerate`, then reviewed.
    op.create_table(
        "invitations",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "owner",
                "admin",
                "editor",
                "contributor",
                "viewer",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("invited_by", sa.Uuid(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "invited_by"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_invitations_tenant_id_invited_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_invitations_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    op.create_index("ix_invitations_tenant_id_email", "invitations", ["tenant_id", "email"], unique=False)
    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("user_agent", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("ip_address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_refresh_tokens_tenant_id_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_refresh_tokens_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_tokens_token_hash")),
    )
    op.create_index("ix_refresh_tokens_tenant_id_family_id", "refresh_tokens", ["tenant_id", "family_id"], unique=False)
    op.create_index("ix_refresh_tokens_tenant_id_user_id", "refresh_tokens", ["tenant_id", "user_id"], unique=False)

    role = migration_app_role()
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
    for table in TENANT_TABLES:
        disable_tenant_rls(op.execute, table, role)
    op.drop_column("users", "removed_at")
    # Generated from the models by `alembic revision --autogenerate`, then reviewed.
    op.drop_index("ix_refresh_tokens_tenant_id_user_id", table_name="refresh_tokens")
    op.drop_index("ix_refresh_tokens_tenant_id_family_id", table_name="refresh_tokens")
    op.drop_table("refresh_tokens")
    op.drop_index("ix_invitations_tenant_id_email", table_name="invitations")
    op.drop_table("invitations")
