"""Sign-up, sign-in, sessions and the identity behind every request.

A session is a family of refresh tokens. Each refresh uses its token up and issues the next one in the
family; a used token presented again means it leaked, and the whole family is revoked. Access tokens
are short-lived JWTs that name their family, so ending a session ends its access tokens at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select, update

from socialhub.context import Context
from socialhub.db import lookup_ids, tenant_session
from socialhub.models import RefreshToken, Role, Tenant, User, utcnow
from socialhub.security import jwt
from socialhub.security.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from socialhub.security.permissions import Permission
from socialhub.security.tokens import new_token, token_hash
from socialhub.services import audit, throttle
from socialhub.services.access import require
from socialhub.services.errors import Conflict, Invalid, SocialHubError
from socialhub.services.tenants import create_tenant, validate_timezone
from socialhub.services.text import require_storable
from socialhub.services.users import create_user, normalise_email
from socialhub.settings import get_settings


class NotAuthenticated(SocialHubError):
    code, status = "not_authenticated", 401

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class InvalidCredentials(NotAuthenticated):
    code = "invalid_credentials"


class AccountInactive(SocialHubError):
    code, status = "account_inactive", 403


class SessionEnded(NotAuthenticated):
    code = "session_ended"


class RegistrationRefused(Conflict):
    """The address cannot start a new team. Worded the same whatever the reason, and never naming the address:
    the answer must not read as "this person has an account here" (see ``register``)."""

    code = "registration_refused"

    def __init__(self) -> None:
        super().__init__(
            "A new team cannot be created with this email address. If you already have an account, sign in "
            "instead; to join a team that exists, ask one of its admins for an invitation.",
            details={"field": "email"},
        )


@dataclass(frozen=True)
class SessionTokens:
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime
    user: User


@dataclass(frozen=True)
class Identity:
    """The person behind a request, as the database says now (not as an old token said)."""

    user: User
    context: Context
    session_id: uuid.UUID

    def require(self, permission: Permission) -> None:
        require(self.context, permission)


def _issue(
    session: Session, user: User, *, family_id: uuid.UUID, ip: str | None, user_agent: str | None
) -> SessionTokens:
    settings = get_settings()
    refresh = new_token()
    refresh_expires = utcnow() + timedelta(days=settings.refresh_token_ttl_days)
    session.add(
        RefreshToken(
            tenant_id=user.tenant_id,
            user_id=user.id,
            family_id=family_id,
            token_hash=token_hash(refresh),
            expires_at=refresh_expires,
            ip_address=ip,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    access, claims = jwt.issue_access_token(
        secret=settings.jwt_secret,
        user_id=user.id,
        tenant_id=user.tenant_id,
        role=user.role.value,
        session_id=family_id,
        ttl_seconds=settings.access_token_ttl_seconds,
    )
    return SessionTokens(access, datetime.fromtimestamp(claims.expires_at, UTC), refresh, refresh_expires, user)


def _revoke_family(session: Session, family_id: uuid.UUID, reason: str) -> None:
    session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )


def start_session(
    ctx: Context, user_id: uuid.UUID, *, ip: str | None = None, user_agent: str | None = None
) -> SessionTokens:
    """A new session for a user who has just proven who they are (sign-up, accepted invitation)."""
    with tenant_session(ctx) as session:
        user = session.get(User, user_id)
        assert user is not None
        tokens = _issue(session, user, family_id=uuid.uuid4(), ip=ip, user_agent=user_agent)
        session.commit()
    return tokens


def register(
    *,
    team_name: str,
    email: str,
    password: str,
    full_name: str = "",
    timezone: str = "UTC",
    ip: str | None = None,
    user_agent: str | None = None,
) -> SessionTokens:
    """A new team with its first owner, signed in.

    Without email verification, signing up answers either "signed in" or "refused", so whoever tries an address
    learns whether it has an account; this cannot be hidden here. What is done instead: the refusal is one
    generic sentence that never names the address (``RegistrationRefused``); a taken address costs the same
    password hashing as a free one, so it is no cheaper to probe; every attempt counts against the address and
    the client address (``throttle.check_registration``); and a probe with a free address creates a real team,
    in the audit log. All input is checked first, so a mistake never counts as an attempt or leaves a half team.
    """
    require_storable(team_name=team_name, email=email, password=password, full_name=full_name, timezone=timezone)
    email = normalise_email(email)
    if not team_name.strip():
        raise Invalid("A team needs a name.", details={"field": "team_name"})
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.", details={"field": "password"})
    validate_timezone(timezone)
    throttle.check_registration(email, ip)
    if lookup_ids("app_login_lookup", email):
        hash_password(password)  # the work creating the owner would have done
        raise RegistrationRefused()
    tenant = create_tenant(name=team_name, timezone=timezone)
    try:
        owner = create_user(
            Context.system(tenant.id), email=email, password=password, role=Role.OWNER, full_name=full_name
        )
    except Conflict:  # the same address signed up a moment ago, in a race with this one
        raise RegistrationRefused() from None
    return start_session(Context.system(tenant.id), owner.id, ip=ip, user_agent=user_agent)


def login(*, email: str, password: str, ip: str | None = None, user_agent: str | None = None) -> SessionTokens:
    require_storable(email=email, password=password)
    email = email.strip().lower()
    throttle.check_login(email, ip)
    found = lookup_ids("app_login_lookup", email)
    if found is None:
        verify_password(password, None)  # same cost as a real check: no timing hint that the email is unknown
        throttle.record_login_failure(email)
        raise InvalidCredentials("That email and password do not match an account.")
    tenant_id, user_id = found
    ctx = Context.system(tenant_id)
    with tenant_session(ctx) as session:
        user = session.get(User, user_id)
        assert user is not None
        ok, new_hash = verify_password(password, user.password_hash)
        if not ok:
            throttle.record_login_failure(email)
            raise InvalidCredentials("That email and password do not match an account.")
        if not user.is_active or user.removed_at is not None:
            raise AccountInactive("This account is deactivated. Ask an admin of your team to reactivate it.")
        if new_hash:
            user.password_hash = new_hash  # parameters got stronger since this hash was made
        user.last_login_at = utcnow()
        tokens = _issue(session, user, family_id=uuid.uuid4(), ip=ip, user_agent=user_agent)
        audit.record(
            session, Context(tenant_id, user.id, user.role), "auth.login", entity_type="user", entity_id=user.id
        )
        session.commit()
    return tokens


def refresh(refresh_token: str, *, ip: str | None = None, user_agent: str | None = None) -> SessionTokens:
    found = lookup_ids("app_refresh_token_lookup", token_hash(refresh_token))
    if found is None:
        raise SessionEnded("This session is not valid. Sign in again.")
    tenant_id, token_id = found
    with tenant_session(Context.system(tenant_id)) as session:
        # Row lock: two refreshes racing with one token are serialised, and the second one is a reuse.
        token = session.exec(select(RefreshToken).where(RefreshToken.id == token_id).with_for_update()).one()
        if token.revoked_at is not None:
            raise SessionEnded("This session was signed out. Sign in again.")
        if token.used_at is not None:
            _revoke_family(session, token.family_id, "reuse_detected")
            audit.record(
                session,
                Context(tenant_id, token.user_id),
                "auth.refresh_token_reused",
                entity_type="session",
                entity_id=token.family_id,
            )
            session.commit()
            raise SessionEnded(
                "This sign-in link was already used, so the session was ended for safety. Sign in again."
            )
        if token.expires_at <= utcnow():
            raise SessionEnded("This session has expired. Sign in again.")
        user = session.get(User, token.user_id)
        if user is None or not user.is_active or user.removed_at is not None:
            _revoke_family(session, token.family_id, "account_inactive")
            session.commit()
            raise AccountInactive("This account is deactivated. Ask an admin of your team to reactivate it.")
        token.used_at = utcnow()
        tokens = _issue(session, user, family_id=token.family_id, ip=ip, user_agent=user_agent)
        session.commit()
    return tokens


def logout(refresh_token: str) -> None:
    """End the session the token belongs to. Unknown or already-ended tokens are not an error."""
    found = lookup_ids("app_refresh_token_lookup", token_hash(refresh_token))
    if found is None:
        return
    tenant_id, token_id = found
    with tenant_session(Context.system(tenant_id)) as session:
        token = session.get(RefreshToken, token_id)
        assert token is not None
        _revoke_family(session, token.family_id, "logout")
        audit.record(
            session, Context(tenant_id, token.user_id), "auth.logout", entity_type="session", entity_id=token.family_id
        )
        session.commit()


def revoke_user_sessions(session: Session, user_id: uuid.UUID, reason: str) -> None:
    """Inside the caller's transaction: end every session of a user (deactivation, removal)."""
    session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.user_id) == user_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )


def _identity(tenant_id: uuid.UUID, user_id: uuid.UUID, session_id: uuid.UUID, request_id: str | None) -> Identity:
    with tenant_session(Context.system(tenant_id)) as session:
        user = session.get(User, user_id)
        live = session.exec(
            select(sa.func.count())
            .select_from(RefreshToken)
            .where(RefreshToken.family_id == session_id, col(RefreshToken.revoked_at).is_(None))
        ).one()
    # The account's state first: a deactivated person learns why, not just that the session ended.
    if user is not None and (not user.is_active or user.removed_at is not None):
        raise AccountInactive("This account is deactivated. Ask an admin of your team to reactivate it.")
    if user is None or not live:
        raise SessionEnded("This session has ended. Sign in again.")
    return Identity(user, Context(tenant_id, user.id, user.role, request_id), session_id)


def authenticate(access_token: str, *, request_id: str | None = None) -> Identity:
    """The identity behind an access token; the role is the one the database holds now."""
    try:
        claims = jwt.decode_access_token(access_token, secret=get_settings().jwt_secret)
    except jwt.ExpiredToken:
        raise NotAuthenticated("Your sign-in has expired. Refresh it or sign in again.") from None
    except jwt.InvalidToken:
        raise NotAuthenticated("The access token is not valid. Sign in again.") from None
    return _identity(claims.tenant_id, claims.user_id, claims.session_id, request_id)


def session_identity(refresh_token: str) -> Identity | None:
    """For the web UI: who holds this session cookie, without using the token up (no rotation)."""
    found = lookup_ids("app_refresh_token_lookup", token_hash(refresh_token))
    if found is None:
        return None
    tenant_id, token_id = found
    with tenant_session(Context.system(tenant_id)) as session:
        token = session.get(RefreshToken, token_id)
    if token is None or token.revoked_at or token.used_at or token.expires_at <= utcnow():
        return None
    try:
        return _identity(tenant_id, token.user_id, token.family_id, None)
    except SocialHubError:
        return None


def me(identity: Identity) -> tuple[User, Tenant]:
    with tenant_session(identity.context) as session:
        tenant = session.get(Tenant, identity.context.tenant_id)
    assert tenant is not None
    return identity.user, tenant


def change_password(identity: Identity, *, current: str, new: str) -> None:
    if len(new) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.", details={"field": "new_password"})
    with tenant_session(identity.context) as session:
        user = session.get(User, identity.user.id)
        assert user is not None
        if not verify_password(current, user.password_hash)[0]:
            raise InvalidCredentials("The current password is not right.")
        user.password_hash = hash_password(new)
        audit.record(session, identity.context, "user.password_changed", entity_type="user", entity_id=user.id)
        session.commit()
