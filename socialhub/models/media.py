"""Uploaded media: where the bytes are and what they were verified to be."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from socialhub.models.base import created_at, enum_type, id_field, jsonb, same_tenant_fk, tenant_fk
from socialhub.models.enums import MediaKind


class Media(SQLModel, table=True):
    __tablename__ = "media"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "id"),
        same_tenant_fk(["uploaded_by"], "users.id", ondelete=None),
        sa.UniqueConstraint("storage_backend", "storage_key"),
        sa.CheckConstraint("size_bytes >= 0", name="size_non_negative"),
        sa.Index("ix_media_tenant_id_created_at", "tenant_id", "created_at"),
    )

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_fk()
    uploaded_by: uuid.UUID
    kind: MediaKind = Field(sa_type=enum_type(MediaKind), nullable=False)
    storage_backend: str = Field(max_length=20)  # "local" or "s3"
    storage_key: str = Field(max_length=1024)
    filename: str = Field(default="", max_length=255)
    content_type: str = Field(max_length=100)  # sniffed from the bytes, not the file name
    size_bytes: int = Field(sa_type=sa.BigInteger)
    width: int | None = None
    height: int | None = None
    duration_seconds: Decimal | None = Field(default=None, sa_type=sa.Numeric(10, 3))
    checksum_sha256: str = Field(max_length=64)
    alt_text: str = Field(default="", sa_type=sa.Text)
    media_metadata: dict[str, Any] = jsonb()
    created_at: datetime = created_at()
