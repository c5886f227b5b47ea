"""The signed-in session of the web UI.

The session cookie holds a refresh token of a session of its own (a refresh-token family); each event
resolves it to the current identity through the services, without using it up, so the role and the
account's state are always current and a sign-out anywhere ends it. Not HttpOnly: Reflex sets cookies
from the browser. Page states subclass AuthState so they can read the cookie.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import reflex as rx

from socialhub.context import Context
from socialhub.security.permissions import ROLE_PERMISSIONS, Permission
from socialhub.services import auth
from socialhub.services.auth import Identity
from socialhub.ui import routes

SESSION_COOKIE_MAX_AGE = 30 * 24 * 3600


class AuthState(rx.State):
    session_token: str = rx.Cookie("", name="sh_session", max_age=SESSION_COOKIE_MAX_AGE, same_site="strict")
    user_id: str = ""
    user_email: str = ""
    user_name: str = ""
    role: str = ""
    tenant_name: str = ""
    tenant_timezone: str = "UTC"
    permissions: list[str] = []

    def identity(self) -> Identity | None:
        return auth.session_identity(self.session_token) if self.session_token else None

    def context(self) -> Context | None:
        identity = self.identity()
        return identity.context if identity else None

    def _remember(self, identity: Identity) -> None:
        user, tenant = auth.me(identity)
        self.user_id = str(user.id)
        self.user_email = user.email
        self.user_name = user.full_name or user.email
        self.role = user.role.value
        self.tenant_name = tenant.name
        self.tenant_timezone = tenant.timezone
        self.permissions = sorted(p.value for p in ROLE_PERMISSIONS[user.role])

    def _forget(self) -> None:
        self.session_token = ""
        self.user_id = self.user_email = self.user_name = self.role = self.tenant_name = ""
        self.permissions = []

    def local_time(self, moment: datetime | None) -> str:
        """A timestamp in the team's time zone, as people there read it."""
        if moment is None:
            return "never"
        return moment.astimezone(ZoneInfo(self.tenant_timezone)).strftime("%d %b %Y, %H:%M %Z")

    @rx.var
    def signed_in(self) -> bool:
        return bool(self.user_id)

    @rx.var
    def can_manage_team(self) -> bool:
        return Permission.TEAM_MANAGE.value in self.permissions

    @rx.var
    def can_manage_tenant(self) -> bool:
        return Permission.TENANT_MANAGE.value in self.permissions

    @rx.var
    def can_manage_budget(self) -> bool:
        return Permission.BUDGET_MANAGE.value in self.permissions

    @rx.event
    def require_session(self) -> rx.event.EventSpec | None:
        """on_load of every signed-in page: no live session, no page."""
        identity = self.identity()
        if identity is None:
            self._forget()
            return rx.redirect(routes.login(self.router.url.path))
        self._remember(identity)
        return None

    @rx.event
    def redirect_if_signed_in(self) -> rx.event.EventSpec | None:
        """on_load of the sign-in and sign-up pages."""
        if self.identity() is not None:
            return rx.redirect(routes.DASHBOARD)
        return None

    def start(self, tokens: auth.SessionTokens, next_path: str | None = None) -> rx.event.EventSpec:
        self.session_token = tokens.refresh_token
        identity = self.identity()
        assert identity is not None
        self._remember(identity)
        target = next_path if next_path and next_path.startswith("/") and not next_path.startswith("//") else None
        return rx.redirect(target or routes.DASHBOARD)

    @rx.event
    def sign_out(self) -> rx.event.EventSpec:
        if self.session_token:
            auth.logout(self.session_token)
        self._forget()
        return rx.redirect(routes.LOGIN)
