"""post_platforms.armed_at: set just before the irreversible platform call.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 11:59:20.876449
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("post_platforms", sa.Column("armed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("post_platforms", "armed_at")
