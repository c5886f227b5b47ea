"""Posts and their per-target publishing rows (``post_platforms``), the publishing state machine."""

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
from socialhub.models.enums import ApprovalState, ErrorClass, Platform, PostStatus, PostType, PublishStatus


class Post(SQLModel, table=True):
    __tablename__ = "posts"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "id"),
        same_tenant_fk(["created_by"], "users.id", ondelete=None),
        same_tenant_fk(["approved_by"], "users.id", ondelete=None),
        sa.Index("ix_posts_tenant_id_status_scheduled_at", "tenant_id", "status", "scheduled_at"),
        sa.Index("ix_posts_tenant_id_created_at", "tenant_id", "created_at"),
    )

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_fk()
    created_by: uuid.UUID
    title: str | None = Field(default=None, max_length=300)
    content: str = Field(default="", sa_type=sa.Text)
    type: PostType = Field(default=PostType.TEXT, sa_type=enum_type(PostType), nullable=False)
    status: PostStatus = Field(default=PostStatus.DRAFT, sa_type=enum_type(PostStatus), nullable=False)
    media_urls: list[Any] = jsonb(default_factory=list)
    scheduled_at: datetime | None = timestamp()
    timezone: str = Field(default="UTC", max_length=64, description="The zone the author scheduled in.")
    published_at: datetime | None = timestamp()
    ai_generated_data: dict[str, Any] = jsonb()
    approval_state: ApprovalState = Field(
        default=ApprovalState.NOT_REQUIRED, sa_type=enum_type(ApprovalState), nullable=False
    )
    approved_by: uuid.UUID | None = None
    approved_at: datetime | None = timestamp()
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class PostPlatform(SQLModel, table=True):
    """One target of a post. A worker may only act on it while holding its lease (``lease_token``)."""

    __tablename__ = "post_platforms"
    __table_args__ = (
        sa.UniqueConstraint("post_id", "social_account_id"),
        same_tenant_fk(["post_id"], "posts.id"),
        same_tenant_fk(["social_account_id"], "social_accounts.id", ondelete=None),
        sa.CheckConstraint("retry_count >= 0", name="retry_count_non_negative"),
        sa.Index("ix_post_platforms_tenant_id_post_id", "tenant_id", "post_id"),
        # The sweeper's two questions, across tenants: what is due, and whose lease has run out.
        sa.Index(
            "ix_post_platforms_due",
            "next_attempt_at",
            postgresql_where=sa.text("status IN ('queued', 'retry_wait')"),
        ),
        sa.Index("ix_post_platforms_leases", "lease_until", postgresql_where=sa.text("status = 'publishing'")),
    )

    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_fk()
    post_id: uuid.UUID
    social_account_id: uuid.UUID
    platform: Platform = Field(sa_type=enum_type(Platform), nullable=False)
    status: PublishStatus = Field(default=PublishStatus.PENDING, sa_type=enum_type(PublishStatus), nullable=False)
    custom_content: str | None = Field(default=None, sa_type=sa.Text)
    custom_media: list[Any] = jsonb(default_factory=list)
    options: dict[str, Any] = jsonb()  # platform fields: board, subreddit + title, privacy, video title…
    platform_post_id: str | None = Field(default=None, max_length=255)
    platform_handle: str | None = Field(
        default=None, max_length=1024, description="Server-side handle stored before the irreversible call."
    )
    permalink: str | None = Field(default=None, max_length=2048)
    retry_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    next_attempt_at: datetime | None = timestamp()
    lease_until: datetime | None = timestamp()
    lease_token: uuid.UUID | None = None
    # Set just before the irreversible platform call ("arm, then call"): a row recovered from an expired
    # lease without it was never sent and may be queued again; with it, it is reconciled, never re-sent.
    armed_at: datetime | None = timestamp()
    error_class: ErrorClass | None = Field(default=None, sa_type=enum_type(ErrorClass))
    error_code: str | None = Field(default=None, max_length=100)
    error_message: str | None = Field(default=None, sa_type=sa.Text)
    published_at: datetime | None = timestamp()
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()
