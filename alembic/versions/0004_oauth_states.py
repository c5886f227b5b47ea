"""OAuth connect attempts (signed state, single use, PKCE verifier kept server-side), under RLS.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 11:07:11.445395
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from socialhub.migrations import disable_tenant_rls, enable_tenant_rls, migration_app_role

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = ("oauth_states",)


def upgrade() -> None:
    op.create_table(
        "oauth_states",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "platform",
            sa.Enum(
                "instagram",
                "facebook",
                "x",
                "linkedin",
                "tiktok",
                "youtube",
                "pinterest",
                "threads",
                "reddit",
                name="platform",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("redirect_uri", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=False),
        sa.Column("code_verifier_encrypted", sa.Text(), nullable=True),
        sa.Column("pending_encrypted", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_oauth_states_tenant_id_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_oauth_states_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_states")),
    )
    op.create_index("ix_oauth_states_tenant_id_created_at", "oauth_states", ["tenant_id", "created_at"], unique=False)
    for table in TENANT_TABLES:
        enable_tenant_rls(op.execute, table, migration_app_role())


def downgrade() -> None:
    for table in TENANT_TABLES:
        disable_tenant_rls(op.execute, table, migration_app_role())
    op.drop_index("ix_oauth_states_tenant_id_created_at", table_name="oauth_states")
    op.drop_table("oauth_states")
