"""tenant_session / system_session, the id-only cross-tenant functions, and the runtime role guard."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from socialhub.context import Context
from socialhub.db import UnsafeDatabaseRoleError, check_application_role, system_session, tenant_session
from socialhub.models import Post, PostPlatform, PublishStatus, utcnow
from tests.factories import make_account, make_post, make_tenant, make_user


def test_tenant_session_stays_in_its_tenant_across_commits(database: dict[str, str]) -> None:
    a, b = make_tenant(), make_tenant()
    make_post(a, make_user(a), content="A's post")
    make_post(b, make_user(b), content="B's post")
    with tenant_session(Context.system(a.id)) as session:
        assert [p.content for p in session.exec(select(Post)).all()] == ["A's post"]
        session.commit()  # a new transaction starts after this: the tenant must be set again
        assert [p.content for p in session.exec(select(Post)).all()] == ["A's post"]


def test_uncommitted_work_is_rolled_back(database: dict[str, str]) -> None:
    tenant = make_tenant()
    author = make_user(tenant)
    ctx = Context.system(tenant.id)
    with tenant_session(ctx) as session:
        session.add(Post(tenant_id=tenant.id, created_by=author.id, content="never committed"))
        session.flush()
    with tenant_session(ctx) as session:
        assert session.exec(select(func.count()).select_from(Post)).one() == 0


def test_system_session_sees_no_tenant_rows(database: dict[str, str]) -> None:
    tenant = make_tenant()
    make_post(tenant, make_user(tenant))
    with system_session() as session:
        assert session.exec(select(func.count()).select_from(Post)).one() == 0


def test_due_work_function_returns_ids_across_tenants(database: dict[str, str]) -> None:
    now = utcnow()
    due = []
    for _ in range(2):
        tenant = make_tenant()
        post = make_post(tenant, make_user(tenant), targets=[make_account(tenant), make_account(tenant)])
        with tenant_session(Context.system(tenant.id)) as session:
            first, second = session.exec(select(PostPlatform).where(PostPlatform.post_id == post.id)).all()
            first.status, first.next_attempt_at = PublishStatus.QUEUED, now - timedelta(seconds=1)
            # An expired lease is due too: the sweeper recovers it.
            second.status, second.lease_until = PublishStatus.PUBLISHING, now - timedelta(seconds=1)
            session.commit()
            due += [(tenant.id, first.id), (tenant.id, second.id)]
    with system_session() as session:
        rows = session.execute(sa.text("SELECT * FROM app_due_post_platforms(:now, 1000)"), {"now": now}).all()
    assert set(due) <= {tuple(r) for r in rows}


def test_application_role_passes_the_guard(database: dict[str, str]) -> None:
    check_application_role()


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_guard_refuses_owner_and_superuser(database: dict[str, str], role: str) -> None:
    engine = sa.create_engine(database[role], poolclass=sa.pool.NullPool)
    with pytest.raises(UnsafeDatabaseRoleError, match="tenant isolation would not hold"):
        check_application_role(engine)
    engine.dispose()
