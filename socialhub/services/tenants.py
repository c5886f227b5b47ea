"""Tenants: creating one (with its first owner) and reading it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import func, select

from socialhub.context import Context
from socialhub.db import system_session, tenant_session
from socialhub.models import ApprovalPolicy, PlanTier, Tenant
from socialhub.security.permissions import Permission
from socialhub.services import audit
from socialhub.services.access import require
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


# --- team settings and the AI budget ------------------------------------------------------------------


@dataclass(frozen=True)
class AIBudget:
    limit_usd: Decimal
    used_usd: Decimal
    reserved_usd: Decimal

    @property
    def remaining_usd(self) -> Decimal:
        return max(Decimal(0), self.limit_usd - self.used_usd - self.reserved_usd)


def approval_policy(tenant: Tenant) -> ApprovalPolicy:
    return ApprovalPolicy(tenant.settings.get("approval_policy", ApprovalPolicy.CONTRIBUTORS.value))


def _settings_view(tenant: Tenant) -> dict[str, object]:
    return {
        "name": tenant.name,
        "timezone": tenant.timezone,
        "plan_tier": tenant.plan_tier.value,
        "approval_policy": approval_policy(tenant).value,
    }


def update_tenant(
    ctx: Context,
    *,
    name: str | None = None,
    timezone: str | None = None,
    plan_tier: PlanTier | None = None,
    approval: ApprovalPolicy | None = None,
) -> Tenant:
    require(ctx, Permission.TENANT_MANAGE)
    with tenant_session(ctx) as session:
        tenant = session.get(Tenant, ctx.tenant_id)
        if tenant is None:
            raise NotFound("This team does not exist.")
        before = _settings_view(tenant)
        if name is not None:
            if not name.strip():
                raise Invalid("A team needs a name.", details={"field": "name"})
            tenant.name = name.strip()
        if timezone is not None:
            tenant.timezone = validate_timezone(timezone)
        if plan_tier is not None:
            tenant.plan_tier = plan_tier
        if approval is not None:
            tenant.settings = {**tenant.settings, "approval_policy": approval.value}  # new dict: JSONB change tracked
        after = _settings_view(tenant)
        if after != before:
            audit.record(
                session, ctx, "tenant.updated", entity_type="tenant", entity_id=tenant.id, before=before, after=after
            )
        session.commit()
        return tenant


def get_ai_budget(ctx: Context) -> AIBudget:
    tenant = get_tenant(ctx)
    return AIBudget(tenant.ai_budget_limit, tenant.ai_usage_current, tenant.ai_usage_reserved)


def set_ai_budget(ctx: Context, limit_usd: Decimal) -> AIBudget:
    require(ctx, Permission.BUDGET_MANAGE)
    if limit_usd < 0 or limit_usd >= Decimal("1000000"):
        raise Invalid("The AI budget must be between 0 and 999,999.99 USD.", details={"field": "limit_usd"})
    with tenant_session(ctx) as session:
        tenant = session.exec(select(Tenant).where(Tenant.id == ctx.tenant_id).with_for_update()).one()
        before = {"ai_budget_limit": str(tenant.ai_budget_limit)}
        tenant.ai_budget_limit = limit_usd.quantize(Decimal("0.01"))
        audit.record(
            session,
            ctx,
            "tenant.ai_budget_changed",
            entity_type="tenant",
            entity_id=tenant.id,
            before=before,
            after={"ai_budget_limit": str(tenant.ai_budget_limit)},
        )
        session.commit()
        return AIBudget(tenant.ai_budget_limit, tenant.ai_usage_current, tenant.ai_usage_reserved)
