"""Demo data, so a first run shows a working team instead of an empty screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import ApprovalState, PlanTier, Post, PostStatus, PostType, Role, Tenant, User, utcnow
from socialhub.services.tenants import create_tenant
from socialhub.services.users import create_user

DEMO_TENANT_NAME = "Demo Coffee Roasters"
DEMO_DOMAIN = "demo.socialhub.test"
# Printed by the CLI and shown in the README; the demo tenant is for local trials only.
DEMO_PASSWORD = "demo-password-123"


@dataclass(frozen=True)
class DemoTenant:
    tenant: Tenant
    users: dict[Role, User]
    posts: list[Post]


def seed_demo(*, name: str = DEMO_TENANT_NAME, domain: str = DEMO_DOMAIN) -> DemoTenant:
    tenant = create_tenant(name=name, plan_tier=PlanTier.PRO, timezone="Europe/Berlin", ai_budget_limit=Decimal("25"))
    users = {
        role: create_user(
            Context.system(tenant.id),
            email=f"{role.value}@{domain}",
            password=DEMO_PASSWORD,
            role=role,
            full_name=f"Demo {role.value.title()}",
        )
        for role in Role
    }
    now = utcnow()
    drafts = [
        (
            Role.EDITOR,
            PostType.TEXT,
            "Autumn blend launch",
            "Our Autumn Blend is back: notes of baked apple and hazelnut. In all shops from Monday. ☕🍂",
            PostStatus.DRAFT,
            None,
            ApprovalState.NOT_REQUIRED,
        ),
        (
            Role.ADMIN,
            PostType.IMAGE,
            "Roastery open day",
            "Come and see how we roast: open day this Saturday, 10:00–16:00, free tastings.",
            PostStatus.DRAFT,
            now + timedelta(days=3),
            ApprovalState.NOT_REQUIRED,
        ),
        (
            Role.CONTRIBUTOR,
            PostType.TEXT,
            "Barista tip #12",
            "Tip: rinse your paper filter with hot water before brewing — no papery taste.",
            PostStatus.PENDING_APPROVAL,
            None,
            ApprovalState.PENDING,
        ),
    ]
    posts: list[Post] = []
    ctx = Context.system(tenant.id)
    with tenant_session(ctx) as session:
        for author, kind, title, content, status, when, approval in drafts:
            post = Post(
                tenant_id=tenant.id,
                created_by=users[author].id,
                title=title,
                content=content,
                type=kind,
                status=status,
                scheduled_at=when,
                timezone=tenant.timezone,
                approval_state=approval,
            )
            session.add(post)
            posts.append(post)
        session.commit()
    return DemoTenant(tenant, users, posts)
