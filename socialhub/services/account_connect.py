"""Connecting an account: the OAuth flow from the consent page to stored, encrypted tokens.

The ``state`` sent through the platform is a JWT signed with OAUTH_STATE_SECRET naming the tenant, the
user, the platform and an ``oauth_states`` row; it expires in 10 minutes and the row makes it single-use.
The PKCE verifier stays server-side; multi-account logins wait (encrypted) for the person's choice.

The platform sends the browser (and the code) back only to the app's own callback page: ``redirect_uri`` must be
``APP_URL`` + ``/accounts/callback`` or, outside production, that page on the origin the app was reached at
(``http://127.0.0.1:3000``, a phone's LAN address), both when connecting starts and when it completes.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from sqlmodel import Session, select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import AccountStatus, OAuthState, Platform, SocialAccount, utcnow
from socialhub.platforms.base import AccountIdentity, PlatformClient, TokenSet
from socialhub.platforms.errors import PlatformError
from socialhub.platforms.registry import PLATFORMS, UnknownPlatform, get_client, is_configured, platform_class
from socialhub.security.permissions import Permission
from socialhub.services import audit
from socialhub.services.access import require
from socialhub.services.errors import Invalid, SocialHubError
from socialhub.services.secrets import get_vault
from socialhub.services.social_accounts import PlatformRefused, encrypt_tokens
from socialhub.services.text import require_storable
from socialhub.settings import Environment, get_settings

STATE_TTL = timedelta(minutes=10)
# The web app's page that finishes a connection (socialhub.ui.routes.ACCOUNTS_CALLBACK, which a test keeps equal).
CALLBACK_PATH = "/accounts/callback"
_DEFAULT_PORTS = {"http": 80, "https": 443}


class InvalidState(SocialHubError):
    code, status = "invalid_oauth_state", 400


class RedirectNotAllowed(Invalid):
    code = "redirect_uri_not_allowed"


@dataclass(frozen=True)
class Candidate:
    id: str
    display_name: str
    kind: str
    username: str | None


@dataclass(frozen=True)
class ConnectResult:
    accounts: list[SocialAccount]
    # Multi-account platforms: nothing is connected yet; the person picks from these, then calls select().
    candidates: list[Candidate]
    state: str | None = None


# --- the signed state ---------------------------------------------------------------------------------------


def _state_key() -> OctKey:
    return OctKey.import_key(get_settings().oauth_state_secret.encode())


def _sign_state(ctx: Context, platform: str, row_id: uuid.UUID) -> str:
    now = int(time.time())
    claims = {
        "tid": str(ctx.tenant_id),
        "uid": str(ctx.user_id),
        "plt": platform,
        "sid": str(row_id),
        "iat": now,
        "exp": now + int(STATE_TTL.total_seconds()),
    }
    return jwt.encode({"alg": "HS256"}, claims, _state_key())


def _verify_state(ctx: Context, state: str, platform: str | None) -> tuple[str, uuid.UUID]:
    rejected = InvalidState("This connection attempt is not valid or has expired. Start connecting again.")
    try:
        claims = jwt.decode(state, _state_key(), algorithms=["HS256"]).claims
        jwt.JWTClaimsRegistry(exp={"essential": True}, sid={"essential": True}).validate(claims)
    except (JoseError, ValueError):
        raise rejected from None
    # Bound to who started it: another tenant's or another person's state is refused.
    if claims.get("tid") != str(ctx.tenant_id) or claims.get("uid") != str(ctx.user_id):
        raise rejected
    if platform is not None and claims.get("plt") != platform:
        raise rejected
    return str(claims["plt"]), uuid.UUID(claims["sid"])


# --- where the platform may send the browser back ------------------------------------------------------------


def callback_urls(served_at: str | None = None) -> list[str]:
    """The return addresses a connection may use: the callback page under APP_URL, and outside production the
    same page on ``served_at``, the origin the app was reached at (as the browser addressed it)."""
    settings = get_settings()
    app_url = settings.app_url.rstrip("/")
    urls = [app_url + CALLBACK_PATH]
    origin = _origin(served_at) if served_at and settings.environment is not Environment.PRODUCTION else None
    if origin:
        candidate = origin + urlsplit(app_url).path.rstrip("/") + CALLBACK_PATH
        if _comparable(candidate) != _comparable(urls[0]):
            urls.append(candidate)
    return urls


def check_redirect_uri(redirect_uri: str, *, served_at: str | None = None) -> str:
    """``redirect_uri`` if it is one of ``callback_urls``; else a refusal saying which address is expected."""
    require_storable(redirect_uri=redirect_uri)
    allowed = callback_urls(served_at)
    given = _comparable(redirect_uri)
    if given is None or given not in {_comparable(url) for url in allowed}:
        raise RedirectNotAllowed(
            f"The return address (redirectUri) must be this app's own callback page, {allowed[0]}: "
            "SocialHub has the platform send the sign-in only back to itself.",
            details={"field": "redirectUri", "allowed": allowed},
        )
    return redirect_uri


def _comparable(url: str) -> tuple[str, str, int, str] | None:
    """(scheme, host, port, path) of an absolute http(s) URL with no credentials, query or fragment, else None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username is not None or parts.password is not None:
        return None
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme], parts.path or "/"


def _origin(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) address, else None."""
    found = _comparable(url)
    if found is None:
        return None
    scheme, host, port, _path = found
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" + ("" if port == _DEFAULT_PORTS[scheme] else f":{port}")


# --- connect -------------------------------------------------------------------------------------------------


def available_platforms() -> list[type[PlatformClient]]:
    """Platforms this installation can connect (implemented, and configured or in sandbox mode)."""
    found = []
    for name in PLATFORMS:
        try:
            cls = platform_class(name)
        except (ImportError, UnknownPlatform):
            continue
        if is_configured(name):
            found.append(cls)
    return found


def _client(platform: str) -> PlatformClient:
    try:
        if not is_configured(platform):
            raise Invalid(f"{platform} is not set up on this server: its client id and secret are missing.")
        return get_client(platform)
    except (UnknownPlatform, ImportError):
        raise Invalid(f"SocialHub cannot connect {platform!r} accounts yet.") from None


def start_connect(ctx: Context, platform: str, *, redirect_uri: str, served_at: str | None = None) -> tuple[str, str]:
    """(authorization URL, state) for sending the browser to the platform's consent page.

    ``served_at``: the origin the person reached the app at, for the development allowance of ``callback_urls``.
    """
    require(ctx, Permission.ACCOUNTS_MANAGE)
    check_redirect_uri(redirect_uri, served_at=served_at)
    client = _client(platform)
    row = OAuthState(
        tenant_id=ctx.tenant_id,
        user_id=ctx.user_id,
        platform=Platform(platform),
        redirect_uri=redirect_uri,
        expires_at=utcnow() + STATE_TTL,
    )
    state = _sign_state(ctx, platform, row.id)
    try:
        request = client.authorization_url(state=state, redirect_uri=redirect_uri)
    finally:
        client.close()
    if request.code_verifier:
        row.code_verifier_encrypted = get_vault().encrypt(request.code_verifier, aad=_state_aad(row.id, "verifier"))
    with tenant_session(ctx) as session:
        session.add(row)
        session.commit()
    return request.url, state


def _state_aad(row_id: uuid.UUID, what: str) -> bytes:
    return f"oauth_states/{row_id}/{what}".encode()


def _take_state(session: Session, ctx: Context, state: str, platform: str | None) -> OAuthState:
    platform_name, row_id = _verify_state(ctx, state, platform)
    row = session.exec(select(OAuthState).where(OAuthState.id == row_id).with_for_update()).first()
    if row is None or row.platform.value != platform_name or row.expires_at <= utcnow():
        raise InvalidState("This connection attempt is not valid or has expired. Start connecting again.")
    return row


def complete_connect(
    ctx: Context,
    *,
    state: str,
    code: str,
    redirect_uri: str,
    platform: str | None = None,
    served_at: str | None = None,
) -> ConnectResult:
    """The callback: check the state (once), exchange the code, learn the identity, store the tokens."""
    require(ctx, Permission.ACCOUNTS_MANAGE)
    check_redirect_uri(redirect_uri, served_at=served_at)
    with tenant_session(ctx) as session:
        row = _take_state(session, ctx, state, platform)
        if row.used_at is not None:
            raise InvalidState("This connection attempt was already used. Start connecting again.")
        if row.redirect_uri != redirect_uri:
            raise InvalidState("The return address does not match the one this connection started with.")
        row.used_at = utcnow()  # single use, even if what follows fails
        session.commit()
        verifier = (
            get_vault().decrypt(row.code_verifier_encrypted, aad=_state_aad(row.id, "verifier"))
            if row.code_verifier_encrypted
            else None
        )
    client = _client(row.platform.value)
    try:
        tokens = client.exchange_code(code=code, redirect_uri=redirect_uri, code_verifier=verifier)
        identities = client.identity(tokens.access_token)
    except PlatformError as exc:
        raise PlatformRefused(exc) from exc
    finally:
        client.close()
    if not identities:
        raise Invalid(f"{client.title} returned no account for this sign-in.")
    if client.capabilities.multi_account and len(identities) > 1:
        pending = json.dumps({"tokens": _token_dict(tokens), "identities": [_identity_dict(i) for i in identities]})
        with tenant_session(ctx) as session:
            stored = session.get(OAuthState, row.id)
            assert stored is not None
            stored.pending_encrypted = get_vault().encrypt(pending, aad=_state_aad(row.id, "pending"))
            session.commit()
        return ConnectResult([], [Candidate(i.id, i.display_name, i.kind, i.username) for i in identities], state)
    return ConnectResult(_store_accounts(ctx, row.platform, tokens, identities), [])


def select_accounts(ctx: Context, *, state: str, account_ids: list[str]) -> list[SocialAccount]:
    """Second step for multi-account platforms: connect the Pages or organisations the person picked."""
    require(ctx, Permission.ACCOUNTS_MANAGE)
    with tenant_session(ctx) as session:
        row = _take_state(session, ctx, state, None)
        if not row.pending_encrypted:
            raise InvalidState("There is nothing waiting to be chosen for this connection. Start connecting again.")
        pending = json.loads(get_vault().decrypt(row.pending_encrypted, aad=_state_aad(row.id, "pending")))
        row.pending_encrypted = None  # the choice is made once
        session.commit()
    chosen = [AccountIdentity(**i) for i in pending["identities"] if i["id"] in set(account_ids)]
    if not chosen:
        raise Invalid("Pick at least one of the accounts offered.", details={"field": "account_ids"})
    return _store_accounts(ctx, row.platform, TokenSet(**_token_from_dict(pending["tokens"])), chosen)


def _token_dict(tokens: TokenSet) -> dict[str, object]:
    return {
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expires_at": tokens.expires_at.isoformat() if tokens.expires_at else None,
        "refresh_expires_at": tokens.refresh_expires_at.isoformat() if tokens.refresh_expires_at else None,
        "scopes": list(tokens.scopes),
    }


def _token_from_dict(data: dict[str, object]) -> dict[str, object]:
    from datetime import datetime

    return {
        **data,
        "scopes": tuple(data.get("scopes") or ()),  # type: ignore[call-overload]
        "expires_at": datetime.fromisoformat(str(data["expires_at"])) if data.get("expires_at") else None,
        "refresh_expires_at": (
            datetime.fromisoformat(str(data["refresh_expires_at"])) if data.get("refresh_expires_at") else None
        ),
    }


def _identity_dict(identity: AccountIdentity) -> dict[str, object]:
    return {
        "id": identity.id,
        "display_name": identity.display_name,
        "username": identity.username,
        "avatar_url": identity.avatar_url,
        "access_token": identity.access_token,
        "kind": identity.kind,
        "extra": dict(identity.extra),
    }


def _store_accounts(
    ctx: Context, platform: Platform, tokens: TokenSet, identities: list[AccountIdentity]
) -> list[SocialAccount]:
    stored = []
    with tenant_session(ctx) as session:
        for identity in identities:
            account = session.exec(
                select(SocialAccount)
                .where(SocialAccount.platform == platform, SocialAccount.account_identifier == identity.id)
                .with_for_update()
            ).first()
            reconnect = account is not None
            if account is None:
                account = SocialAccount(tenant_id=ctx.tenant_id, platform=platform, account_identifier=identity.id)
            account.display_name = identity.display_name
            account.username = identity.username
            account.avatar_url = identity.avatar_url
            account.status, account.status_reason = AccountStatus.ACTIVE, None
            account.connected_by = ctx.user_id
            account.account_metadata = {"kind": identity.kind, **dict(identity.extra)}
            account.last_sync_at = utcnow()
            encrypt_tokens(account, tokens, identity.access_token)
            session.add(account)
            session.flush()
            audit.record(
                session,
                ctx,
                "account.reconnected" if reconnect else "account.connected",
                entity_type="social_account",
                entity_id=account.id,
                after={"platform": platform.value, "name": account.display_name},
            )
            stored.append(account)
        session.commit()
    return stored
