"""The audit log: who changed what, from what to what, and in which request."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from socialhub.models.base import created_at, id_field, tenant_fk


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_tenant_id_created_at", "tenant_id", "created_at"),)

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_fk()
    # No foreign key: the record of what a person did outlives the person's account.
    actor_user_id: uuid.UUID | None = None
    action: str = Field(max_length=100)  # e.g. "user.role_changed"
    entity_type: str = Field(max_length=50)
    entity_id: str | None = Field(default=None, max_length=100)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    request_id: str | None = Field(default=None, max_length=100)
    created_at: datetime = created_at()
