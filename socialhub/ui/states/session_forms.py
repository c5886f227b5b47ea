"""Sign-in, sign-up and accepting an invitation: forms that end in a session."""

from __future__ import annotations

import reflex as rx

from socialhub.models import Role
from socialhub.services import auth, team
from socialhub.services.errors import SocialHubError
from socialhub.ui.states.auth import AuthState


class LoginState(AuthState):
    error: str = ""
    busy: bool = False

    @rx.event
    def submit(self, form: dict[str, str]) -> rx.event.EventSpec | None:
        self.error = ""
        try:
            tokens = auth.login(
                email=form.get("email", ""),
                password=form.get("password", ""),
                ip=self.router.session.client_ip or None,
                user_agent=self.router.headers.user_agent,
            )
        except SocialHubError as exc:
            self.error = exc.message
            return None
        return self.start(tokens, self.router.url.query_parameters.get("next"))


class RegisterState(AuthState):
    error: str = ""
    # The address cannot start a team (the service does not say why): offer signing in, the likely way on.
    offer_sign_in: bool = False

    @rx.event
    def submit(self, form: dict[str, str]) -> rx.event.EventSpec | None:
        self.error, self.offer_sign_in = "", False
        try:
            tokens = auth.register(
                team_name=form.get("team_name", ""),
                email=form.get("email", ""),
                password=form.get("password", ""),
                full_name=form.get("full_name", ""),
                timezone=form.get("timezone", "") or "UTC",
                ip=self.router.session.client_ip or None,
                user_agent=self.router.headers.user_agent,
            )
        except SocialHubError as exc:
            self.error, self.offer_sign_in = exc.message, isinstance(exc, auth.RegistrationRefused)
            return None
        return self.start(tokens)


class InviteState(AuthState):
    team_name: str = ""
    email: str = ""
    invited_role: str = ""
    error: str = ""
    valid: bool = False

    def _token(self) -> str:
        return self.router.url.path.rstrip("/").rsplit("/", 1)[-1]

    @rx.event
    def load(self) -> None:
        try:
            preview = team.preview_invitation(self._token())
        except SocialHubError as exc:
            self.valid, self.error = False, exc.message
            return
        self.valid, self.error = True, ""
        self.team_name, self.email, self.invited_role = preview.team_name, preview.email, preview.role.value

    @rx.event
    def accept(self, form: dict[str, str]) -> rx.event.EventSpec | None:
        if form.get("password") != form.get("password_again"):
            self.error = "The two passwords are not the same."
            return None
        try:
            tokens = team.accept_invitation(
                self._token(),
                password=form.get("password", ""),
                full_name=form.get("full_name", ""),
                user_agent=self.router.headers.user_agent,
            )
        except SocialHubError as exc:
            self.error = exc.message
            return None
        return self.start(tokens)


__all__ = ["InviteState", "LoginState", "RegisterState", "Role"]
