"""/tenant: the team's settings and AI budget; /audit: the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from socialhub.api.deps import CurrentIdentity, needs
from socialhub.api.schemas import (
    AIBudgetPublic,
    AIBudgetUpdate,
    AuditEntryPublic,
    AuditPublic,
    TenantPublic,
    TenantUpdate,
)
from socialhub.models import Tenant
from socialhub.security.permissions import Permission
from socialhub.services import audit, tenants
from socialhub.services.tenants import AIBudget

router = APIRouter(tags=["tenant"])


def tenant_public(tenant: Tenant) -> TenantPublic:
    return TenantPublic(
        id=tenant.id,
        name=tenant.name,
        plan_tier=tenant.plan_tier,
        timezone=tenant.timezone,
        approval_policy=tenants.approval_policy(tenant),
        created_at=tenant.created_at,
    )


def budget_public(budget: AIBudget) -> AIBudgetPublic:
    return AIBudgetPublic(
        limit_usd=budget.limit_usd,
        used_usd=budget.used_usd,
        reserved_usd=budget.reserved_usd,
        remaining_usd=budget.remaining_usd,
    )


@router.get("/tenant", response_model=TenantPublic, summary="Your team's settings.", **needs(Permission.TENANT_READ))
def get_tenant(identity: CurrentIdentity) -> TenantPublic:
    return tenant_public(tenants.get_tenant(identity.context))


@router.patch(
    "/tenant", response_model=TenantPublic, summary="Change your team's settings.", **needs(Permission.TENANT_MANAGE)
)
def update_tenant(body: TenantUpdate, identity: CurrentIdentity) -> TenantPublic:
    return tenant_public(
        tenants.update_tenant(
            identity.context,
            name=body.name,
            timezone=body.timezone,
            approval=body.approval_policy,
        )
    )


@router.get(
    "/tenant/ai-budget",
    response_model=AIBudgetPublic,
    summary="The AI budget: limit, use, what remains.",
    **needs(Permission.TENANT_READ),
)
def get_ai_budget(identity: CurrentIdentity) -> AIBudgetPublic:
    return budget_public(tenants.get_ai_budget(identity.context))


@router.put(
    "/tenant/ai-budget",
    response_model=AIBudgetPublic,
    summary="Set the monthly AI budget.",
    **needs(Permission.BUDGET_MANAGE),
)
def set_ai_budget(body: AIBudgetUpdate, identity: CurrentIdentity) -> AIBudgetPublic:
    return budget_public(tenants.set_ai_budget(identity.context, body.limit_usd))


@router.get(
    "/audit", response_model=AuditPublic, summary="The audit log, newest first.", **needs(Permission.AUDIT_READ)
)
def list_audit(
    identity: CurrentIdentity,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AuditPublic:
    rows, total = audit.list_entries(identity.context, limit=limit, offset=offset)
    return AuditPublic(data=[AuditEntryPublic.model_validate(r, from_attributes=True) for r in rows], count=total)
