"""Users belong to exactly one tenant and hold one role in it."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from socialhub.models.base import created_at, enum_type, id_field, tenant_fk, timestamp, updated_at
from socialhub.models.enums import Role


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "id"),  # target of same-tenant foreign keys
        # Stored lower-cased so the unique index means "one account per address", whatever the case typed.
        sa.CheckConstraint("email = lower(email)", name="email_lower_case"),
        sa.Index("ix_users_tenant_id_role", "tenant_id", "role"),
    )

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_fk()
    email: str = Field(max_length=320, unique=True)
    # The seed calls this column `password`; it only ever holds an argon2 hash, and the name says so.
    password_hash: str | None = Field(default=None, max_length=255)
    full_name: str = Field(default="", max_length=200)
    role: Role = Field(default=Role.VIEWER, sa_type=enum_type(Role), nullable=False)
    is_active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    last_login_at: datetime | None = timestamp()
    # Removal is a soft delete: the person's posts and audit trail stay attributable, the email is freed.
    removed_at: datetime | None = timestamp()
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()
