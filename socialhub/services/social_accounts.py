"""Connected social accounts: tokens at rest, listing, refresh, disconnecting, and the refresh job.

Tokens are stored only as vault ciphertext bound to their row and column. Refreshing holds the account's
row lock across the platform call, because rotating refresh tokens (X, Pinterest) allow exactly one use:
two workers refreshing at once would otherwise lose the account. Connecting lives in ``account_connect``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from sqlmodel import Session, col, select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import AccountStatus, SocialAccount, utcnow
from socialhub.platforms.base import AccountIdentity, PlatformClient, TokenSet
from socialhub.platforms.errors import AuthError, PlatformError
from socialhub.platforms.registry import UnknownPlatform, get_client
from socialhub.security.permissions import Permission
from socialhub.services import audit
from socialhub.services.access import require
from socialhub.services.errors import NotFound, SocialHubError
from socialhub.services.secrets import get_vault, token_aad

REFRESH_LEAD = timedelta(minutes=30)  # refresh tokens that expire sooner than this
T = TypeVar("T")


class PlatformRefused(SocialHubError):
    """A platform said no during connect or refresh; carries its words and what to do."""

    code, status = "platform_error", 502

    def __init__(self, error: PlatformError) -> None:
        super().__init__(
            error.user_message,
            details={"platform": error.platform, "platform_code": error.code, "kind": error.kind.value},
        )
        self.error = error


# --- tokens at rest and managing accounts ------------------------------------------------------------


def encrypt_tokens(account: SocialAccount, tokens: TokenSet, identity_token: str | None = None) -> None:
    vault = get_vault()
    # Multi-account platforms publish with the account's own token (a Page token) when there is one.
    payload = {"access_token": identity_token or tokens.access_token, "user_access_token": tokens.access_token}
    account.oauth_tokens_encrypted = vault.encrypt(
        json.dumps(payload), aad=token_aad(account.id, "oauth_tokens_encrypted")
    )
    if tokens.refresh_token:  # never overwrite a stored refresh token with nothing
        account.refresh_token_encrypted = vault.encrypt(
            tokens.refresh_token, aad=token_aad(account.id, "refresh_token_encrypted")
        )
    account.token_expires_at = tokens.expires_at
    account.scopes = list(tokens.scopes)


def list_accounts(ctx: Context) -> list[SocialAccount]:
    require(ctx, Permission.ACCOUNTS_READ)
    with tenant_session(ctx) as session:
        return list(
            session.exec(
                select(SocialAccount)
                .where(SocialAccount.status != AccountStatus.DISCONNECTED)
                .order_by(SocialAccount.platform, SocialAccount.display_name)
            ).all()
        )


def _get(session: Session, account_id: uuid.UUID, *, lock: bool = False) -> SocialAccount:
    query = select(SocialAccount).where(SocialAccount.id == account_id)
    return _connected(session.exec(query.with_for_update() if lock else query).first())


def _connected(account: SocialAccount | None) -> SocialAccount:
    if account is None or account.status is AccountStatus.DISCONNECTED:
        raise NotFound("There is no such connected account.")
    return account


def _decrypt(account: SocialAccount) -> tuple[dict[str, str], str | None]:
    vault = get_vault()
    tokens = json.loads(
        vault.decrypt(account.oauth_tokens_encrypted or "", aad=token_aad(account.id, "oauth_tokens_encrypted"))
    )
    refresh = (
        vault.decrypt(account.refresh_token_encrypted, aad=token_aad(account.id, "refresh_token_encrypted"))
        if account.refresh_token_encrypted
        else None
    )
    return tokens, refresh


def disconnect(ctx: Context, account_id: uuid.UUID) -> bool:
    """Revoke at the platform where it can, then forget the tokens. True when the platform confirmed."""
    require(ctx, Permission.ACCOUNTS_MANAGE)
    with tenant_session(ctx) as session:
        account = _get(session, account_id, lock=True)
        revoked = False
        if account.oauth_tokens_encrypted:
            tokens, refresh = _decrypt(account)
            try:
                client = get_client(account.platform.value)
                try:
                    revoked = client.revoke(refresh or tokens["user_access_token"])
                finally:
                    client.close()
            except (PlatformError, ImportError, UnknownPlatform):
                revoked = False  # disconnecting here still works; the person can revoke at the platform
        account.oauth_tokens_encrypted = account.refresh_token_encrypted = None
        account.status, account.status_reason = AccountStatus.DISCONNECTED, None
        audit.record(
            session,
            ctx,
            "account.disconnected",
            entity_type="social_account",
            entity_id=account.id,
            after={"revoked_at_platform": revoked},
        )
        session.commit()
    return revoked


def _mark_reauth(session: Session, ctx: Context, account: SocialAccount, error: PlatformError) -> None:
    account.status = AccountStatus.REAUTH_REQUIRED
    account.status_reason = error.user_message
    audit.record(
        session,
        ctx,
        "account.reauth_required",
        entity_type="social_account",
        entity_id=account.id,
        after={"reason": error.user_message, "platform_code": error.code},
    )


def refresh_account(ctx: Context, account_id: uuid.UUID, *, force: bool = True) -> SocialAccount:
    """Refresh the account's tokens now (``force``) or only if they expire soon; store rotations atomically."""
    if ctx.user_id is not None:  # a person asked; SocialHub's own jobs (no user) may always refresh
        require(ctx, Permission.ACCOUNTS_MANAGE)
    with tenant_session(ctx) as session:
        account = _get(session, account_id, lock=True)  # held across the platform call: one refresher at a time
        due = account.token_expires_at is not None and account.token_expires_at <= utcnow() + REFRESH_LEAD
        if not force and not due:
            return account  # someone refreshed it while we waited for the lock
        tokens, refresh = _decrypt(account)
        client = get_client(account.platform.value)
        try:
            fresh = client.refresh(refresh or "")
        except AuthError as exc:
            _mark_reauth(session, ctx, account, exc)
            session.commit()
            raise PlatformRefused(exc) from exc
        except PlatformError as exc:
            raise PlatformRefused(exc) from exc
        finally:
            client.close()
        current = TokenSet(tokens["user_access_token"], refresh, account.token_expires_at, None, tuple(account.scopes))
        merged = current.merged_with(fresh)
        page_token = tokens["access_token"] if tokens["access_token"] != tokens["user_access_token"] else None
        encrypt_tokens(account, merged, page_token)
        account.status, account.status_reason = AccountStatus.ACTIVE, None
        account.last_sync_at = utcnow()
        audit.record(session, ctx, "account.refreshed", entity_type="social_account", entity_id=account.id)
        session.commit()
        return account


def with_access_token(
    ctx: Context,
    account_id: uuid.UUID,
    call: Callable[[PlatformClient, str, AccountIdentity], T],
    *,
    preloaded: SocialAccount | None = None,
) -> T:
    """Run ``call`` with a live token; on an AUTH error refresh once and retry, then give up loudly.

    ``preloaded``: the account as the caller has just read it in a transaction of its own (publishing reads it
    with the row it claims), which saves a read on every publish; after a refresh it is always read again.
    """
    for attempt in (1, 2):
        if attempt == 1 and preloaded is not None:
            account = _connected(preloaded)
        else:
            with tenant_session(ctx) as session:
                account = _get(session, account_id)
        if account.status is AccountStatus.REAUTH_REQUIRED:
            raise PlatformRefused(
                AuthError(account.platform.value, account.status_reason or "This account must be reconnected.")
            )
        tokens, _ = _decrypt(account)
        identity = AccountIdentity(
            account.account_identifier,
            account.display_name,
            account.username,
            access_token=tokens["access_token"],
            kind=str(account.account_metadata.get("kind", "user")),
            extra=account.account_metadata,
        )
        client = get_client(account.platform.value)
        try:
            return call(client, tokens["access_token"], identity)
        except AuthError as exc:
            if attempt == 2 or not client.capabilities.refreshable or not account.refresh_token_encrypted:
                with tenant_session(ctx) as session:
                    _mark_reauth(session, ctx, _get(session, account_id, lock=True), exc)
                    session.commit()
                raise
            refresh_account(ctx, account_id)
        finally:
            client.close()
    raise AssertionError("unreachable")


def refresh_expiring(now_lead: timedelta = REFRESH_LEAD) -> dict[str, int]:
    """The periodic job: refresh every refreshable account whose token expires soon, tenant by tenant."""
    import sqlalchemy as sa

    from socialhub.db import system_session

    with system_session() as session:
        due = session.execute(
            sa.text("SELECT * FROM app_accounts_expiring(:before, 500)"), {"before": utcnow() + now_lead}
        ).all()
    done = {"refreshed": 0, "reauth_required": 0, "failed": 0, "skipped": 0}
    for tenant_id, account_id in due:
        ctx = Context.system(tenant_id)
        with tenant_session(ctx) as session:
            account = session.get(SocialAccount, account_id)
        if account is None or not account.refresh_token_encrypted:
            done["skipped"] += 1
            continue
        try:
            refresh_account(ctx, account_id, force=False)
            done["refreshed"] += 1
        except PlatformRefused as exc:
            done["reauth_required" if exc.error.kind.value == "auth" else "failed"] += 1
    return done


def accounts_needing_attention(ctx: Context) -> list[SocialAccount]:
    with tenant_session(ctx) as session:
        return list(
            session.exec(
                select(SocialAccount).where(
                    col(SocialAccount.status).in_([AccountStatus.REAUTH_REQUIRED, AccountStatus.ERROR])
                )
            ).all()
        )


def option_choices(ctx: Context, account_id: uuid.UUID, name: str) -> list[tuple[str, str]]:
    """What an account offers for one of its platform's option fields (a Pinterest account's boards)."""
    require(ctx, Permission.POSTS_READ)

    def ask(client: PlatformClient, token: str, identity: AccountIdentity) -> list[tuple[str, str]]:
        return client.option_choices(token, identity, name)

    return with_access_token(ctx, account_id, ask)
