"""The administration commands, run in-process against the test database."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from socialhub.cli import main
from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import AuditLog, PlanTier, Role
from socialhub.services.tenants import get_tenant
from socialhub.services.users import list_users
from tests.conftest import Sandbox
from tests.factories import make_tenant, random_email


def test_create_tenant_then_user(database: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["create-tenant", "--name", "Acme", "--plan", "pro", "--timezone", "Europe/Paris"]) == 0
    tenant_id = uuid.UUID(capsys.readouterr().out.strip())
    email = random_email()
    assert (
        main(
            [
                "create-user",
                "--tenant",
                str(tenant_id),
                "--email",
                email.upper(),
                "--role",
                "admin",
                "--password",
                "a long enough password",
            ]
        )
        == 0
    )
    users = list_users(Context.system(tenant_id))
    assert [(u.email, u.role) for u in users] == [(email, Role.ADMIN)]


def test_bad_input_is_a_sentence_not_a_traceback(database: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["create-tenant", "--name", "Acme", "--timezone", "Mars/Olympus"]) == 2
    assert "'Mars/Olympus' is not a time zone we know" in capsys.readouterr().err


def test_seed_demo_creates_a_user_of_every_role_then_its_accounts_and_posts(
    database: dict[str, str], sandboxed: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed-demo"]) == 0
    out = capsys.readouterr().out
    for role in Role:
        assert f"{role.value}@demo.socialhub.test" in out
    assert "demo accounts connected through the sandbox: facebook, linkedin, pinterest, reddit, x; 7 posts" in out
    assert "refused:reddit failed" in out
    assert main(["seed-demo", "--activity"]) == 0  # what `run` starts on every start: once is enough
    assert "nothing to add" in capsys.readouterr().out


def test_rotate_keys_reports_what_it_did(database: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rotate-keys"]) == 0
    assert "under key 'dev'" in capsys.readouterr().out


def test_set_plan_is_the_operators_and_is_audited(database: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    tenant = make_tenant(name="Harbour Bakery")
    assert main(["set-plan", "--tenant", str(tenant.id), "--plan", "pro"]) == 0
    assert f"team 'Harbour Bakery' ({tenant.id}) moved from plan free to pro" in capsys.readouterr().out
    assert get_tenant(Context.system(tenant.id)).plan_tier is PlanTier.PRO
    assert main(["set-plan", "--tenant", str(tenant.id), "--plan", "pro"]) == 0
    assert "was already on plan pro; nothing changed" in capsys.readouterr().out
    with tenant_session(Context.system(tenant.id)) as session:
        [entry] = session.exec(select(AuditLog).where(AuditLog.action == "tenant.plan_changed")).all()
    assert entry.actor_user_id is None
    assert entry.before == {"plan_tier": "free"}
    assert entry.after is not None and entry.after["plan_tier"] == "pro" and entry.after["set_by"] == "operator"
    assert entry.after["operator"].endswith("(python -m socialhub set-plan)")


def test_set_plan_refuses_an_unknown_team_or_plan(database: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    missing = uuid.uuid4()
    assert main(["set-plan", "--tenant", str(missing), "--plan", "pro"]) == 2
    assert f"There is no team with the id {missing}." in capsys.readouterr().err
    for argv in (["--tenant", "not-a-uuid", "--plan", "pro"], ["--tenant", str(missing), "--plan", "platinum"]):
        with pytest.raises(SystemExit) as exited:
            main(["set-plan", *argv])
        assert exited.value.code == 2
        assert "invalid" in capsys.readouterr().err
