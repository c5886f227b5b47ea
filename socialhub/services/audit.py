"""Writing the audit log, inside the caller's transaction so the record and the change commit together."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from socialhub.context import Context
from socialhub.models import AuditLog


def record(
    session: Session,
    ctx: Context,
    action: str,
    *,
    entity_type: str,
    entity_id: uuid.UUID | str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    entry = AuditLog(
        tenant_id=ctx.tenant_id,
        actor_user_id=ctx.user_id,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id) if entity_id is not None else None,
        before=before,
        after=after,
        request_id=ctx.request_id,
    )
    session.add(entry)
    return entry


def list_entries(ctx: Context, *, limit: int = 50, offset: int = 0) -> tuple[list[AuditLog], int]:
    from sqlmodel import col, func, select

    from socialhub.db import tenant_session
    from socialhub.security.permissions import Permission
    from socialhub.services.access import require

    require(ctx, Permission.AUDIT_READ)
    with tenant_session(ctx) as session:
        total = session.exec(select(func.count()).select_from(AuditLog)).one()
        rows = session.exec(
            select(AuditLog).order_by(col(AuditLog.created_at).desc(), col(AuditLog.id)).offset(offset).limit(limit)
        ).all()
    return list(rows), total
