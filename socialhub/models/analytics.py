"""Analytics events: one measured value of one metric, for a post on an account, at a time."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from socialhub.models.base import created_at, enum_type, id_field, jsonb, same_tenant_fk, tenant_fk, timestamp
from socialhub.models.enums import Platform


class AnalyticsEvent(SQLModel, table=True):
    __tablename__ = "analytics_events"
    __table_args__ = (
        same_tenant_fk(["post_id"], "posts.id"),
        same_tenant_fk(["social_account_id"], "social_accounts.id"),
        sa.Index("ix_analytics_events_tenant_id_recorded_at", "tenant_id", "recorded_at"),
        sa.Index("ix_analytics_events_tenant_id_post_id", "tenant_id", "post_id"),
    )

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_fk()
    post_id: uuid.UUID | None = None
    social_account_id: uuid.UUID | None = None
    event_type: str = Field(max_length=64)  # published, impressions, likes, comments, shares, clicks…
    platform: Platform = Field(sa_type=enum_type(Platform), nullable=False)
    value: int = Field(default=0, sa_type=sa.BigInteger, sa_column_kwargs={"server_default": "0"})
    event_metadata: dict[str, Any] = jsonb()
    recorded_at: datetime = timestamp(nullable=False, server_now=True)
    created_at: datetime = created_at()
