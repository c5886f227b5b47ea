"""Tenants: creating one, reading it, its settings and AI budget, and the plan its operator sets."""

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
from socialhub.services.text import require_storable
from socialhub.settings import get_settings

# Who sets a team's plan (and so its media quota): whoever runs the installation, never the team itself.
PLAN_SET_BY = "the operator of this installation (python -m socialhub set-plan)"


def validate_timezone(name: str) -> str:
    require_storable(timezone=name)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(
            f"'{name}' is not a time zone we know; use an IANA name such as 'Europe/Berlin'.",
            details={"field": "timezone"},
        ) from None
    return name


def create_tenant(
    *, name: str, plan_tier: PlanTier = PlanTier.FREE, timezone: str = "UTC", ai_budget_limit: Decimal | None = None
) -> Tenant:
    require_storable(name=name)
    name = name.strip()
    if not name:
        raise Invalid("A team needs a name.", details={"field": "name"})
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
        "approval_policy": approval_policy(tenant).value,
    }


def update_tenant(
    ctx: Context,
    *,
    name: str | None = None,
    timezone: str | None = None,
    approval: ApprovalPolicy | None = None,
) -> Tenant:
    """What a team's owners and admins may change. Not the plan: ``set_plan`` is the operator's."""
    require(ctx, Permission.TENANT_MANAGE)
    require_storable(name=name)  # the time zone: validate_timezone
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
        if approval is not None:
            tenant.settings = {**tenant.settings, "approval_policy": approval.value}  # new dict: JSONB change tracked
        after = _settings_view(tenant)
        if after != before:
            audit.record(
                session, ctx, "tenant.updated", entity_type="tenant", entity_id=tenant.id, before=before, after=after
            )
        session.commit()
        return tenant


@dataclass(frozen=True)
class PlanChange:
    tenant: Tenant
    before: PlanTier

    @property
    def changed(self) -> bool:
        return self.before is not self.tenant.plan_tier


def set_plan(tenant_id: uuid.UUID, plan: PlanTier, *, operator: str) -> PlanChange:
    """The operator's command (the CLI): put a team on a plan, which sets its media quota. Audited, naming
    ``operator`` (who ran it, e.g. the OS account); a team's own members cannot do this through the app."""
    ctx = Context.system(tenant_id)
    with tenant_session(ctx) as session:
        tenant = session.exec(select(Tenant).where(Tenant.id == tenant_id).with_for_update()).first()
        if tenant is None:
            raise NotFound(f"There is no team with the id {tenant_id}.")
        before = tenant.plan_tier
        if before is not plan:
            tenant.plan_tier = plan
            audit.record(
                session,
                ctx,
                "tenant.plan_changed",
                entity_type="tenant",
                entity_id=tenant.id,
                before={"plan_tier": before.value},
                after={"plan_tier": plan.value, "set_by": "operator", "operator": operator},
            )
        session.commit()
        return PlanChange(tenant, before)


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
