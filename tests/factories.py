"""Factory functions for test data: keyword defaults, random unique values, through the services."""

from __future__ import annotations

import uuid

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import Platform, Post, PostPlatform, Role, SocialAccount, Tenant, User
from socialhub.services.tenants import create_tenant
from socialhub.services.users import create_user


def random_email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.com"


def make_tenant(**overrides: object) -> Tenant:
    return create_tenant(name=str(overrides.pop("name", f"Team {uuid.uuid4().hex[:6]}")), **overrides)  # type: ignore[arg-type]


def make_user(tenant: Tenant, *, role: Role = Role.EDITOR, password: str | None = "correct horse battery") -> User:
    return create_user(Context.system(tenant.id), email=random_email(), password=password, role=role)


def make_account(tenant: Tenant, *, platform: Platform = Platform.X, **overrides: object) -> SocialAccount:
    account = SocialAccount(
        tenant_id=tenant.id,
        platform=platform,
        account_identifier=uuid.uuid4().hex,
        display_name="Test account",
        **overrides,
    )
    with tenant_session(Context.system(tenant.id)) as session:
        session.add(account)
        session.commit()
    return account


def make_post(tenant: Tenant, author: User, *, targets: list[SocialAccount] = (), **overrides: object) -> Post:  # type: ignore[assignment]
    post = Post(tenant_id=tenant.id, created_by=author.id, content=str(overrides.pop("content", "Hello")), **overrides)
    with tenant_session(Context.system(tenant.id)) as session:
        session.add(post)
        session.flush()
        for account in targets:
            session.add(
                PostPlatform(
                    tenant_id=tenant.id, post_id=post.id, social_account_id=account.id, platform=account.platform
                )
            )
        session.commit()
    return post
