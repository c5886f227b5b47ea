"""One AI generation: what was asked, what came back, and what it cost (reserved, then actual)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from socialhub.models.base import created_at, enum_type, id_field, jsonb, money, same_tenant_fk, tenant_fk, timestamp
from socialhub.models.enums import AIRequestStatus, AIRequestType


class AIRequest(SQLModel, table=True):
    __tablename__ = "ai_requests"
    __table_args__ = (
        same_tenant_fk(["user_id"], "users.id", ondelete=None),
        same_tenant_fk(["post_id"], "posts.id", ondelete=None),
        sa.Index("ix_ai_requests_tenant_id_created_at", "tenant_id", "created_at"),
    )

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_fk()
    user_id: uuid.UUID
    post_id: uuid.UUID | None = None
    type: AIRequestType = Field(sa_type=enum_type(AIRequestType), nullable=False)
    status: AIRequestStatus = Field(
        default=AIRequestStatus.RESERVED, sa_type=enum_type(AIRequestStatus), nullable=False
    )
    provider: str = Field(default="", max_length=50)
    model: str = Field(default="", max_length=100)
    input: dict[str, Any] = jsonb()
    output: dict[str, Any] = jsonb()
    input_tokens: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    output_tokens: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    tokens_used: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    reserved_cost_usd: Decimal = money()
    cost_usd: Decimal = money()
    error_message: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = created_at()
    completed_at: datetime | None = timestamp()
