"""Sessions (refresh-token families) and invitations."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from socialhub.models.base import created_at, enum_type, id_field, same_tenant_fk, tenant_fk, timestamp
from socialhub.models.enums import Role


class RefreshToken(SQLModel, table=True):
    """One refresh token. Each refresh uses it up and issues its successor in the same family; presenting
    a used one again means it was stolen or replayed, and revokes the whole family."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (
        same_tenant_fk(["user_id"], "users.id"),
        sa.Index("ix_refresh_tokens_tenant_id_user_id", "tenant_id", "user_id"),
        sa.Index("ix_refresh_tokens_tenant_id_family_id", "tenant_id", "family_id"),
    )

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_fk()
    user_id: uuid.UUID
    family_id: uuid.UUID
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = timestamp(nullable=False)
    used_at: datetime | None = timestamp()
    revoked_at: datetime | None = timestamp()
    revoked_reason: str | None = Field(default=None, max_length=100)
    user_agent: str | None = Field(default=None, max_length=300)
    ip_address: str | None = Field(default=None, max_length=64)
    created_at: datetime = created_at()


class Invitation(SQLModel, table=True):
    __tablename__ = "invitations"
    __table_args__ = (
        same_tenant_fk(["invited_by"], "users.id", ondelete=None),
        sa.Index("ix_invitations_tenant_id_email", "tenant_id", "email"),
    )

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_fk()
    email: str = Field(max_length=320)
    role: Role = Field(sa_type=enum_type(Role), nullable=False)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by: uuid.UUID
    expires_at: datetime = timestamp(nullable=False)
    accepted_at: datetime | None = timestamp()
    revoked_at: datetime | None = timestamp()
    created_at: datetime = created_at()
