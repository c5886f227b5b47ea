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


SANDBOX_CALLBACK = "http://localhost:3000/accounts/callback"


def consent(url: str) -> tuple[str, str]:
    """The browser's trip through a sandbox consent page (it approves at once): returns (code, state)."""
    from urllib.parse import parse_qs, urlsplit

    import httpx

    response = httpx.get(url, follow_redirects=False)
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return query["code"][0], query["state"][0]


def connect_sandbox_account(ctx: Context, platform: str = "x") -> SocialAccount:
    """A social account connected through the real OAuth flow against the sandbox (SANDBOX_BASE_URL set)."""
    from socialhub.services import account_connect

    url, _ = account_connect.start_connect(ctx, platform, redirect_uri=SANDBOX_CALLBACK)
    code, state = consent(url)
    return account_connect.complete_connect(ctx, state=state, code=code, redirect_uri=SANDBOX_CALLBACK).accounts[0]
