"""Tenants: creating one (with its first owner) and reading it."""

from __future__ import annotations

import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import func, select

from socialhub.context import Context
from socialhub.db import system_session, tenant_session
from socialhub.models import PlanTier, Tenant
from socialhub.services import audit
from socialhub.services.errors import Invalid, NotFound
from socialhub.settings import get_settings


def validate_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"'{name}' is not a time zone we know; use an IANA name such as 'Europe/Berlin'.") from None
    return name


def create_tenant(
    *, name: str, plan_tier: PlanTier = PlanTier.FREE, timezone: str = "UTC", ai_budget_limit: Decimal | None = None
) -> Tenant:
    name = name.strip()
    if not name:
        raise Invalid("A team needs a name.")
    tenant = Tenant(
        name=name,
        plan_tier=plan_tier,
        timezone=validate_timezone(timezone),
        ai_budget_limit=(
            ai_budget_limit if ai_budget_limit is not None else Decimal(str(get_settings().default_ai_budget_usd))
        ),
    )
    # The row is only visible (and insertable) inside its own tenant context.
    ctx = Context.system(tenant.id)
    with tenant_session(ctx) as session:
        session.add(tenant)
        session.flush()  # no ORM relationships, so the audit row's parent must exist first
        audit.record(
            session,
            ctx,
            "tenant.created",
            entity_type="tenant",
            entity_id=tenant.id,
            after={"name": tenant.name, "plan_tier": tenant.plan_tier.value},
        )
        session.commit()
    return tenant


def get_tenant(ctx: Context) -> Tenant:
    with tenant_session(ctx) as session:
        tenant = session.get(Tenant, ctx.tenant_id)
        if tenant is None:
            raise NotFound("This team does not exist.")
        return tenant


def all_tenant_ids() -> list[uuid.UUID]:
    """Every tenant's id, through the id-only SECURITY DEFINER function (for cross-tenant jobs)."""
    with system_session() as session:
        return list(session.exec(select(func.app_tenant_ids())).all())
