"""A connected account on one platform. Tokens are vault ciphertext, never plaintext."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from socialhub.models.base import (
    created_at,
    enum_type,
    id_field,
    jsonb,
    same_tenant_fk,
    tenant_fk,
    timestamp,
    updated_at,
)
from socialhub.models.enums import AccountStatus, Platform


class SocialAccount(SQLModel, table=True):
    __tablename__ = "social_accounts"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "id"),
        sa.UniqueConstraint("tenant_id", "platform", "account_identifier"),
        # The token-refresh sweep looks across tenants for tokens about to expire.
        sa.Index("ix_social_accounts_token_expires_at", "token_expires_at"),
    )

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_fk()
    platform: Platform = Field(sa_type=enum_type(Platform), nullable=False)
    account_identifier: str = Field(max_length=255, description="The platform's own id for the account.")
    display_name: str = Field(default="", max_length=255)
    username: str | None = Field(default=None, max_length=255)
    avatar_url: str | None = Field(default=None, max_length=2048)
    oauth_tokens_encrypted: str | None = Field(default=None, sa_type=sa.Text)
    refresh_token_encrypted: str | None = Field(default=None, sa_type=sa.Text)
    token_expires_at: datetime | None = timestamp()
    scopes: list[str] = jsonb(default_factory=list)
    status: AccountStatus = Field(default=AccountStatus.ACTIVE, sa_type=enum_type(AccountStatus), nullable=False)
    status_reason: str | None = Field(default=None, sa_type=sa.Text)
    account_metadata: dict[str, Any] = jsonb()
    connected_by: uuid.UUID | None = Field(default=None)
    last_sync_at: datetime | None = timestamp()
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class OAuthState(SQLModel, table=True):
    """One "connect an account" attempt: what the signed ``state`` refers to, used at most once.

    The PKCE verifier never leaves the server; after the code exchange, a multi-account platform's tokens
    wait here (encrypted) while the person picks which Pages or organisations to connect.
    """

    __tablename__ = "oauth_states"
    __table_args__ = (
        same_tenant_fk(["user_id"], "users.id"),
        sa.Index("ix_oauth_states_tenant_id_created_at", "tenant_id", "created_at"),
    )

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_fk()
    user_id: uuid.UUID
    platform: Platform = Field(sa_type=enum_type(Platform), nullable=False)
    redirect_uri: str = Field(max_length=2048)
    code_verifier_encrypted: str | None = Field(default=None, sa_type=sa.Text)
    pending_encrypted: str | None = Field(default=None, sa_type=sa.Text)
    expires_at: datetime = timestamp(nullable=False)
    used_at: datetime | None = timestamp()
    created_at: datetime = created_at()
