"""Tenants: one team, its plan and its AI budget."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from socialhub.models.base import created_at, enum_type, id_field, jsonb, money, updated_at
from socialhub.models.enums import PlanTier


class Tenant(SQLModel, table=True):
    __tablename__ = "tenants"
    __table_args__ = (
        # The AI budget is reserved before a call and settled after: never negative, never past the limit.
        sa.CheckConstraint("ai_usage_current >= 0 AND ai_usage_reserved >= 0", name="ai_usage_non_negative"),
    )

    id: uuid.UUID = id_field()
    name: str = Field(max_length=200)
    plan_tier: PlanTier = Field(default=PlanTier.FREE, sa_type=enum_type(PlanTier), nullable=False)
    ai_budget_limit: Decimal = money("50")
    ai_usage_current: Decimal = money()
    ai_usage_reserved: Decimal = money()
    timezone: str = Field(default="UTC", max_length=64)
    settings: dict[str, Any] = jsonb()
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()
