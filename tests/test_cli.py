"""The administration commands, run in-process against the test database."""

from __future__ import annotations

import uuid

import pytest

from socialhub.cli import main
from socialhub.context import Context
from socialhub.models import Role
from socialhub.services.users import list_users
from tests.conftest import Sandbox


def test_create_tenant_then_user(database: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["create-tenant", "--name", "Acme", "--plan", "pro", "--timezone", "Europe/Paris"]) == 0
    tenant_id = uuid.UUID(capsys.readouterr().out.strip())
    assert (
        main(
            [
                "create-user",
                "--tenant",
                str(tenant_id),
                "--email",
                "Ada@Example.com",
                "--role",
                "admin",
                "--password",
                "a long enough password",
            ]
        )
        == 0
    )
    users = list_users(Context.system(tenant_id))
    assert [(u.email, u.role) for u in users] == [("ada@example.com", Role.ADMIN)]


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
