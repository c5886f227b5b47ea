"""Connecting accounts through OAuth (against the X sandbox), tokens at rest, refresh, reauth, disconnect."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import psycopg
import pytest
from sqlmodel import select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import AccountStatus, OAuthState, Role, SocialAccount, utcnow
from socialhub.provision import libpq_conninfo
from socialhub.services import account_connect as connect
from socialhub.services import social_accounts as accounts
from socialhub.services.errors import NotPermitted
from socialhub.services.secrets import get_vault
from tests.conftest import Sandbox
from tests.factories import connect_sandbox_account, consent, make_tenant, make_user

CALLBACK = "http://localhost:3000/accounts/callback"


@pytest.fixture
def admin(database: dict[str, str]) -> Context:
    tenant = make_tenant()
    user = make_user(tenant, role=Role.ADMIN)
    return Context(tenant.id, user.id, Role.ADMIN)


def connect_x(ctx: Context) -> SocialAccount:
    return connect_sandbox_account(ctx, "x")


class TestConnect:
    def test_connects_and_stores_only_ciphertext(
        self, sandboxed: Sandbox, admin: Context, database: dict[str, str]
    ) -> None:
        account = connect_x(admin)
        assert account.status is AccountStatus.ACTIVE and account.display_name
        issued = list(sandboxed.states["x"].tokens.values())
        assert issued
        with psycopg.connect(libpq_conninfo(database["admin"])) as conn:
            stored = conn.execute(
                "SELECT oauth_tokens_encrypted, refresh_token_encrypted FROM social_accounts WHERE id = %s",
                (account.id,),
            ).fetchone()
        assert stored is not None and all(v.startswith("v1.") for v in stored)
        for token in issued:
            assert token.access_token not in "".join(stored)
            assert token.refresh_token not in "".join(stored)
        assert [a.id for a in accounts.list_accounts(admin)] == [account.id]

    def test_the_sandbox_checks_the_pkce_verifier(self, sandboxed: Sandbox, admin: Context) -> None:
        url, _ = connect.start_connect(admin, "x", redirect_uri=CALLBACK)
        assert "code_challenge_method=S256" in url
        code, state = consent(url)
        with tenant_session(admin) as session:  # swap in a verifier that does not match the challenge
            row = session.exec(select(OAuthState)).one()
            row.code_verifier_encrypted = get_vault().encrypt("x" * 64, aad=f"oauth_states/{row.id}/verifier".encode())
            session.commit()
        with pytest.raises(accounts.PlatformRefused, match="did not accept the sign-in"):
            connect.complete_connect(admin, state=state, code=code, redirect_uri=CALLBACK)

    def test_reconnecting_updates_the_same_account(self, sandboxed: Sandbox, admin: Context) -> None:
        first, second = connect_x(admin), connect_x(admin)
        assert first.id == second.id and len(accounts.list_accounts(admin)) == 1

    def test_viewers_cannot_connect(self, sandboxed: Sandbox, admin: Context) -> None:
        viewer = Context(admin.tenant_id, admin.user_id, Role.VIEWER)
        with pytest.raises(NotPermitted):
            connect.start_connect(viewer, "x", redirect_uri=CALLBACK)

    def test_no_token_reaches_the_logs(
        self, sandboxed: Sandbox, admin: Context, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        connect_x(admin)
        secrets = [t.access_token for t in sandboxed.states["x"].tokens.values()]
        assert secrets and not any(s in caplog.text for s in secrets)


class TestState:
    def _started(self, ctx: Context) -> tuple[str, str]:
        url, _ = connect.start_connect(ctx, "x", redirect_uri=CALLBACK)
        return consent(url)

    def test_forged_state_is_rejected(self, sandboxed: Sandbox, admin: Context) -> None:
        code, state = self._started(admin)
        head, payload, signature = state.split(".")
        with pytest.raises(connect.InvalidState):
            connect.complete_connect(
                admin, state=f"{head}.{payload}.{signature[::-1]}", code=code, redirect_uri=CALLBACK
            )

    def test_replayed_state_is_rejected(self, sandboxed: Sandbox, admin: Context) -> None:
        code, state = self._started(admin)
        connect.complete_connect(admin, state=state, code=code, redirect_uri=CALLBACK)
        with pytest.raises(connect.InvalidState, match="already used"):
            connect.complete_connect(admin, state=state, code=code, redirect_uri=CALLBACK)

    def test_expired_state_is_rejected(self, sandboxed: Sandbox, admin: Context) -> None:
        code, state = self._started(admin)
        with tenant_session(admin) as session:
            for row in session.exec(select(OAuthState)).all():
                row.expires_at = utcnow() - timedelta(seconds=1)
            session.commit()
        with pytest.raises(connect.InvalidState, match="expired"):
            connect.complete_connect(admin, state=state, code=code, redirect_uri=CALLBACK)

    def test_another_tenants_or_users_state_is_rejected(self, sandboxed: Sandbox, admin: Context) -> None:
        code, state = self._started(admin)
        stranger_tenant = make_tenant()
        stranger = make_user(stranger_tenant, role=Role.OWNER)
        colleague = make_user(make_tenant_of(admin), role=Role.ADMIN)
        for ctx in (
            Context(stranger_tenant.id, stranger.id, Role.OWNER),
            Context(admin.tenant_id, colleague.id, Role.ADMIN),
        ):
            with pytest.raises(connect.InvalidState):
                connect.complete_connect(ctx, state=state, code=code, redirect_uri=CALLBACK)
        connect.complete_connect(admin, state=state, code=code, redirect_uri=CALLBACK)  # still the owner's to use

    def test_a_different_return_address_is_rejected(self, sandboxed: Sandbox, admin: Context) -> None:
        code, state = self._started(admin)
        with pytest.raises(connect.RedirectNotAllowed, match="return address"):
            connect.complete_connect(admin, state=state, code=code, redirect_uri="https://evil.example/cb")
        served_at = "http://127.0.0.1:3000"  # an allowed return address in development, not the one it started with
        with pytest.raises(connect.InvalidState, match="return address"):
            connect.complete_connect(
                admin, state=state, code=code, redirect_uri=f"{served_at}/accounts/callback", served_at=served_at
            )


class TestTokenLifecycle:
    def test_refresh_rotates_and_the_old_refresh_token_dies(self, sandboxed: Sandbox, admin: Context) -> None:
        account = connect_x(admin)
        old_refresh = next(iter(sandboxed.states["x"].refresh_tokens))
        accounts.refresh_account(admin, account.id)
        assert old_refresh not in sandboxed.states["x"].refresh_tokens
        accounts.refresh_account(admin, account.id)  # works again: the newest token was stored
        assert next(iter(accounts.list_accounts(admin))).status is AccountStatus.ACTIVE

    def test_concurrent_refreshes_do_not_lose_a_rotating_token(self, sandboxed: Sandbox, admin: Context) -> None:
        account = connect_x(admin)
        errors: list[Exception] = []

        def refresh() -> None:
            try:
                accounts.refresh_account(admin, account.id)
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=refresh) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert accounts.list_accounts(admin)[0].status is AccountStatus.ACTIVE

    def test_a_dead_sign_in_marks_the_account_and_says_why(self, sandboxed: Sandbox, admin: Context) -> None:
        account = connect_x(admin)
        with sandboxed.states["x"].lock:
            for token in sandboxed.states["x"].tokens.values():
                token.revoked = True
            sandboxed.states["x"].refresh_tokens.clear()
        with pytest.raises(Exception):  # noqa: B017 - AuthError after one refresh attempt
            accounts.with_access_token(admin, account.id, lambda client, token, who: client.identity(token))
        stored = accounts.list_accounts(admin)[0]
        assert stored.status is AccountStatus.REAUTH_REQUIRED
        assert stored.status_reason and "Reconnect" in stored.status_reason

    def test_periodic_job_refreshes_what_expires_soon(self, sandboxed: Sandbox, admin: Context) -> None:
        account = connect_x(admin)
        with tenant_session(admin) as session:
            row = session.get(SocialAccount, account.id)
            assert row is not None
            row.token_expires_at = utcnow() + timedelta(minutes=5)
            session.commit()
        result = accounts.refresh_expiring()
        assert result["refreshed"] >= 1
        assert accounts.list_accounts(admin)[0].token_expires_at > utcnow() + timedelta(hours=1)  # type: ignore[operator]

    def test_disconnect_revokes_and_forgets(self, sandboxed: Sandbox, admin: Context) -> None:
        account = connect_x(admin)
        assert accounts.disconnect(admin, account.id) is True
        assert sandboxed.states["x"].counters.get("revoke") == 1
        assert accounts.list_accounts(admin) == []
        with tenant_session(admin) as session:
            row = session.get(SocialAccount, account.id)
        assert row is not None and row.oauth_tokens_encrypted is None and row.refresh_token_encrypted is None


def make_tenant_of(ctx: Context):  # type: ignore[no-untyped-def]
    from socialhub.services.tenants import get_tenant

    return get_tenant(Context.system(ctx.tenant_id))
