"""/team: members and invitations; /invitations: the public side of an invitation link; /roles."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from socialhub.api.auth import session_response
from socialhub.api.deps import ClientIp, CurrentIdentity, UserAgent, needs
from socialhub.api.errors import error_responses
from socialhub.api.schemas import (
    InvitationAccept,
    InvitationCreate,
    InvitationCreated,
    InvitationPreview,
    InvitationPublic,
    InvitationsPublic,
    MembersPublic,
    MemberUpdate,
    RolePublic,
    SessionResponse,
    UserPublic,
)
from socialhub.models import Role
from socialhub.security.permissions import ROLE_DESCRIPTIONS, ROLE_PERMISSIONS, Permission
from socialhub.services import team
from socialhub.settings import get_settings

router = APIRouter(prefix="/team", tags=["team"])
public = APIRouter(tags=["team"])


@router.get("/members", response_model=MembersPublic, summary="Members of your team.", **needs(Permission.TEAM_READ))
def list_members(identity: CurrentIdentity) -> MembersPublic:
    members = [UserPublic.model_validate(u, from_attributes=True) for u in team.list_members(identity.context)]
    return MembersPublic(data=members, count=len(members))


@router.patch(
    "/members/{user_id}",
    response_model=UserPublic,
    responses=error_responses(409),
    summary="Change a member's role or activation.",
    **needs(Permission.TEAM_MANAGE),
)
def update_member(user_id: uuid.UUID, body: MemberUpdate, identity: CurrentIdentity) -> UserPublic:
    user = team.update_member(identity.context, user_id, role=body.role, is_active=body.is_active)
    return UserPublic.model_validate(user, from_attributes=True)


@router.delete(
    "/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(409),
    summary="Remove a member.",
    **needs(Permission.TEAM_MANAGE),
)
def remove_member(user_id: uuid.UUID, identity: CurrentIdentity) -> None:
    team.remove_member(identity.context, user_id)


@router.get(
    "/invitations", response_model=InvitationsPublic, summary="Open invitations.", **needs(Permission.TEAM_READ)
)
def list_invitations(identity: CurrentIdentity) -> InvitationsPublic:
    rows = [InvitationPublic.model_validate(i, from_attributes=True) for i in team.list_invitations(identity.context)]
    return InvitationsPublic(data=rows, count=len(rows))


@router.post(
    "/invitations",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationCreated,
    responses=error_responses(409),
    summary="Invite someone by email; returns the link to send them.",
    **needs(Permission.TEAM_MANAGE),
)
def invite(body: InvitationCreate, identity: CurrentIdentity) -> InvitationCreated:
    created = team.invite(identity.context, email=body.email, role=body.role)
    return InvitationCreated(
        **InvitationPublic.model_validate(created.invitation, from_attributes=True).model_dump(),
        accept_url=get_settings().app_url.rstrip("/") + created.accept_path,
    )


@router.delete(
    "/invitations/{invitation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Withdraw an invitation.",
    **needs(Permission.TEAM_MANAGE),
)
def revoke_invitation(invitation_id: uuid.UUID, identity: CurrentIdentity) -> None:
    team.revoke_invitation(identity.context, invitation_id)


@public.get(
    "/invitations/{token}",
    response_model=InvitationPreview,
    responses=error_responses(409),
    summary="What an invitation link is for.",
)
def preview_invitation(token: str) -> InvitationPreview:
    preview = team.preview_invitation(token)
    return InvitationPreview(team_name=preview.team_name, email=preview.email, role=preview.role)


@public.post(
    "/invitations/{token}/accept",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionResponse,
    responses=error_responses(409),
    summary="Accept an invitation: set a password and sign in.",
)
def accept_invitation(token: str, body: InvitationAccept, ip: ClientIp, agent: UserAgent) -> SessionResponse:
    return session_response(
        team.accept_invitation(token, password=body.password, full_name=body.full_name, ip=ip, user_agent=agent)
    )


@public.get("/roles", response_model=list[RolePublic], summary="The roles and what each may do.")
def roles(identity: CurrentIdentity) -> list[RolePublic]:
    return [
        RolePublic(role=role, description=ROLE_DESCRIPTIONS[role], permissions=sorted(p.value for p in perms))
        for role, perms in ROLE_PERMISSIONS.items()
    ]


__all__ = ["Role", "public", "router"]
