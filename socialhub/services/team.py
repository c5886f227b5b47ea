"""The team: members, roles, activation, removal and invitations. Every change is audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, func, select

from socialhub.context import Context
from socialhub.db import lookup_ids, tenant_session
from socialhub.models import Invitation, Role, Tenant, User, utcnow
from socialhub.security.passwords import MIN_PASSWORD_LENGTH, hash_password
from socialhub.security.permissions import Permission, can_manage_member
from socialhub.security.tokens import new_token, token_hash
from socialhub.services import audit
from socialhub.services.auth import SessionTokens, require, revoke_user_sessions, start_session
from socialhub.services.errors import Conflict, Invalid, NotFound, NotPermitted
from socialhub.services.text import require_storable
from socialhub.services.users import normalise_email
from socialhub.settings import get_settings


def _member_view(user: User) -> dict[str, object]:
    return {"email": user.email, "role": user.role.value, "is_active": user.is_active}


def list_members(ctx: Context) -> list[User]:
    require(ctx, Permission.TEAM_READ)
    with tenant_session(ctx) as session:
        return list(session.exec(select(User).where(col(User.removed_at).is_(None)).order_by(User.created_at)).all())


def _get_member(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)  # another tenant's id is simply not visible here
    if user is None or user.removed_at is not None:
        raise NotFound("There is no such member in this team.")
    return user


def _active_owner_count(session: Session) -> int:
    return session.exec(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.OWNER, col(User.is_active).is_(True), col(User.removed_at).is_(None))
    ).one()


def _guard_last_owner(session: Session, user: User, what: str) -> None:
    if user.role is Role.OWNER and user.is_active and _active_owner_count(session) <= 1:
        raise Conflict(f"A team needs at least one active owner, so its last owner cannot be {what}.")


def _guard_manage(ctx: Context, target: User, new_role: Role | None = None) -> None:
    require(ctx, Permission.TEAM_MANAGE)
    assert ctx.role is not None
    if not can_manage_member(ctx.role, target.role, new_role):
        raise NotPermitted("Only an owner can change an owner, or make someone an owner.")


def update_member(ctx: Context, user_id: uuid.UUID, *, role: Role | None = None, is_active: bool | None = None) -> User:
    with tenant_session(ctx) as session:
        user = _get_member(session, user_id)
        _guard_manage(ctx, user, role)
        before = _member_view(user)
        if role is not None and role is not user.role:
            if user.role is Role.OWNER:
                _guard_last_owner(session, user, "demoted")
            user.role = role
        if is_active is not None and is_active is not user.is_active:
            if not is_active:
                if user.id == ctx.user_id:
                    raise Conflict("You cannot deactivate your own account.")
                _guard_last_owner(session, user, "deactivated")
                revoke_user_sessions(session, user.id, "deactivated")
            user.is_active = is_active
        after = _member_view(user)
        if after != before:
            audit.record(
                session, ctx, "member.updated", entity_type="user", entity_id=user.id, before=before, after=after
            )
        session.commit()
        return user


def remove_member(ctx: Context, user_id: uuid.UUID) -> None:
    """Soft removal: the account is closed and its email freed; its posts and audit trail stay."""
    with tenant_session(ctx) as session:
        user = _get_member(session, user_id)
        _guard_manage(ctx, user)
        if user.id == ctx.user_id:
            raise Conflict("You cannot remove yourself from the team.")
        _guard_last_owner(session, user, "removed")
        before = _member_view(user)
        revoke_user_sessions(session, user.id, "removed")
        user.removed_at = utcnow()
        user.is_active = False
        user.password_hash = None
        user.email = f"removed-{user.id}@users.invalid"
        audit.record(session, ctx, "member.removed", entity_type="user", entity_id=user.id, before=before)
        session.commit()


# --- invitations -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewInvitation:
    invitation: Invitation
    token: str  # shown once: only its hash is stored

    @property
    def accept_path(self) -> str:
        return f"/invite/{self.token}"


@dataclass(frozen=True)
class InvitationPreview:
    team_name: str
    email: str
    role: Role


def invite(ctx: Context, *, email: str, role: Role) -> NewInvitation:
    require(ctx, Permission.TEAM_MANAGE)
    assert ctx.role is not None
    if not can_manage_member(ctx.role, role, role):
        raise NotPermitted("Only an owner can invite another owner.")
    require_storable(email=email)
    email = normalise_email(email)
    if lookup_ids("app_login_lookup", email):
        raise Conflict(f"{email} already has a SocialHub account.", details={"field": "email"})
    token = new_token()
    with tenant_session(ctx) as session:
        # Inviting the same address again replaces the earlier link.
        for earlier in session.exec(
            select(Invitation).where(
                Invitation.email == email, col(Invitation.accepted_at).is_(None), col(Invitation.revoked_at).is_(None)
            )
        ).all():
            earlier.revoked_at = utcnow()
        invitation = Invitation(
            tenant_id=ctx.tenant_id,
            email=email,
            role=role,
            token_hash=token_hash(token),
            invited_by=ctx.user_id,
            expires_at=utcnow() + timedelta(hours=get_settings().invitation_ttl_hours),
        )
        session.add(invitation)
        audit.record(
            session,
            ctx,
            "invitation.created",
            entity_type="invitation",
            entity_id=invitation.id,
            after={"email": email, "role": role.value},
        )
        session.commit()
    return NewInvitation(invitation, token)


def list_invitations(ctx: Context) -> list[Invitation]:
    require(ctx, Permission.TEAM_READ)
    with tenant_session(ctx) as session:
        return list(
            session.exec(
                select(Invitation)
                .where(col(Invitation.accepted_at).is_(None), col(Invitation.revoked_at).is_(None))
                .where(Invitation.expires_at > utcnow())
                .order_by(col(Invitation.created_at).desc())
            ).all()
        )


def revoke_invitation(ctx: Context, invitation_id: uuid.UUID) -> None:
    require(ctx, Permission.TEAM_MANAGE)
    with tenant_session(ctx) as session:
        invitation = session.get(Invitation, invitation_id)
        if invitation is None or invitation.accepted_at or invitation.revoked_at:
            raise NotFound("There is no such open invitation.")
        invitation.revoked_at = utcnow()
        audit.record(
            session,
            ctx,
            "invitation.revoked",
            entity_type="invitation",
            entity_id=invitation.id,
            before={"email": invitation.email, "role": invitation.role.value},
        )
        session.commit()


def _open_invitation(session: Session, invitation_id: uuid.UUID) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.revoked_at is not None:
        raise NotFound("This invitation link is not valid. Ask for a new one.")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation was already accepted. Sign in instead.")
    if invitation.expires_at <= utcnow():
        raise Invalid("This invitation has expired. Ask the person who invited you for a new one.")
    return invitation


def _find_invitation(token: str) -> tuple[uuid.UUID, uuid.UUID]:
    found = lookup_ids("app_invitation_lookup", token_hash(token))
    if found is None:
        raise NotFound("This invitation link is not valid. Ask for a new one.")
    return found


def preview_invitation(token: str) -> InvitationPreview:
    tenant_id, invitation_id = _find_invitation(token)
    with tenant_session(Context.system(tenant_id)) as session:
        invitation = _open_invitation(session, invitation_id)
        tenant = session.get(Tenant, tenant_id)
        assert tenant is not None
        return InvitationPreview(tenant.name, invitation.email, invitation.role)


def accept_invitation(
    token: str, *, password: str, full_name: str = "", ip: str | None = None, user_agent: str | None = None
) -> SessionTokens:
    require_storable(password=password, full_name=full_name)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.", details={"field": "password"})
    tenant_id, invitation_id = _find_invitation(token)
    ctx = Context.system(tenant_id)
    with tenant_session(ctx) as session:
        invitation = session.exec(select(Invitation).where(Invitation.id == invitation_id).with_for_update()).one()
        invitation = _open_invitation(session, invitation.id)
        if lookup_ids("app_login_lookup", invitation.email):
            raise Conflict(f"{invitation.email} already has a SocialHub account. Sign in instead.")
        user = User(
            tenant_id=tenant_id,
            email=invitation.email,
            password_hash=hash_password(password),
            role=invitation.role,
            full_name=full_name.strip(),
        )
        session.add(user)
        session.flush()
        invitation.accepted_at = utcnow()
        audit.record(
            session,
            Context(tenant_id, user.id, user.role),
            "invitation.accepted",
            entity_type="user",
            entity_id=user.id,
            after={"email": user.email, "role": user.role.value},
        )
        session.commit()
    return start_session(ctx, user.id, ip=ip, user_agent=user_agent)
