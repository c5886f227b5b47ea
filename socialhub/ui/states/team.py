"""The team page: members and invitations, through the team service."""

from __future__ import annotations

import dataclasses
import uuid

import reflex as rx

from socialhub.models import Role
from socialhub.security.permissions import can_manage_member
from socialhub.services import team
from socialhub.services.errors import SocialHubError
from socialhub.settings import get_settings
from socialhub.ui import routes
from socialhub.ui.states.auth import AuthState


@dataclasses.dataclass
class MemberRow:
    id: str
    email: str
    name: str
    role: str
    active: bool
    last_login: str
    manageable: bool  # may the viewer change this member (owners are for owners)
    is_me: bool


@dataclasses.dataclass
class InvitationRow:
    id: str
    email: str
    role: str
    expires: str


class TeamState(AuthState):
    members: list[MemberRow] = []
    invitations: list[InvitationRow] = []
    last_invite_link: str = ""
    confirm_remove: str = ""
    error: str = ""

    @rx.var
    def assignable_roles(self) -> list[str]:
        """Roles the viewer may hand out: only owners make owners."""
        return [r.value for r in Role if r is not Role.OWNER or self.role == Role.OWNER.value]

    def _reload(self) -> None:
        ctx = self.context()
        if ctx is None:
            return
        me = Role(self.role)
        self.members = [
            MemberRow(
                id=str(u.id),
                email=u.email,
                name=u.full_name,
                role=u.role.value,
                active=u.is_active,
                last_login=self.local_time(u.last_login_at),
                manageable=self.can_manage_team and can_manage_member(me, u.role) and str(u.id) != self.user_id,
                is_me=str(u.id) == self.user_id,
            )
            for u in team.list_members(ctx)
        ]
        self.invitations = [
            InvitationRow(id=str(i.id), email=i.email, role=i.role.value, expires=self.local_time(i.expires_at))
            for i in team.list_invitations(ctx)
        ]

    @rx.event
    def load(self) -> rx.event.EventSpec | None:
        redirect = self.require_session()
        if redirect is None:
            self._reload()
        return redirect

    def _run(self, action, success: str) -> rx.event.EventSpec:  # type: ignore[no-untyped-def]
        ctx = self.context()
        if ctx is None:
            return rx.redirect(routes.login(routes.TEAM))
        try:
            action(ctx)
        except SocialHubError as exc:
            return rx.toast.error(exc.message)
        self.require_session()  # my own role may have changed
        self._reload()
        return rx.toast.success(success)

    @rx.event
    def change_role(self, user_id: str, role: str) -> rx.event.EventSpec:
        return self._run(lambda ctx: team.update_member(ctx, uuid.UUID(user_id), role=Role(role)), "Role changed.")

    @rx.event
    def set_active(self, user_id: str, active: bool) -> rx.event.EventSpec:
        return self._run(
            lambda ctx: team.update_member(ctx, uuid.UUID(user_id), is_active=active),
            "Member reactivated." if active else "Member deactivated; their sessions ended.",
        )

    @rx.event
    def ask_remove(self, user_id: str) -> None:
        self.confirm_remove = user_id

    @rx.event
    def cancel_remove(self) -> None:
        self.confirm_remove = ""

    @rx.event
    def remove(self, user_id: str) -> rx.event.EventSpec:
        self.confirm_remove = ""
        return self._run(lambda ctx: team.remove_member(ctx, uuid.UUID(user_id)), "Member removed.")

    @rx.event
    def invite(self, form: dict[str, str]) -> rx.event.EventSpec:
        created: list[team.NewInvitation] = []
        event = self._run(
            lambda ctx: created.append(
                team.invite(ctx, email=form.get("email", ""), role=Role(form.get("role") or "editor"))
            ),
            "Invitation created: send the link below.",
        )
        if created:
            self.last_invite_link = get_settings().app_url.rstrip("/") + created[0].accept_path
        return event

    @rx.event
    def revoke(self, invitation_id: str) -> rx.event.EventSpec:
        return self._run(lambda ctx: team.revoke_invitation(ctx, uuid.UUID(invitation_id)), "Invitation withdrawn.")
