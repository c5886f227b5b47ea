"""The accounts page and the OAuth callback, through the social-accounts service."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx

from socialhub.platforms.errors import PLATFORM_TITLES
from socialhub.security.permissions import Permission
from socialhub.services import account_connect, social_accounts
from socialhub.services.errors import SocialHubError
from socialhub.ui import routes
from socialhub.ui.states.auth import AuthState

T = TypeVar("T")


@dataclasses.dataclass
class AccountRow:
    id: str
    platform: str
    platform_title: str
    name: str
    username: str
    kind: str
    status: str
    reason: str
    expires: str


@dataclasses.dataclass
class PlatformOption:
    id: str
    title: str
    rules: str


@dataclasses.dataclass
class CandidateRow:
    id: str
    name: str
    kind: str


async def off_loop(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a service call that talks to a platform in a thread: Reflex runs handlers on the event loop, and a
    platform call can take seconds (in sandbox mode it is even served by this same process)."""
    return await asyncio.to_thread(function, *args, **kwargs)


def callback_uri(origin: str) -> str:
    """The callback page on the origin the person reached the app at, where the service allows it (outside
    production), else APP_URL's: a connection started at http://127.0.0.1:3000 comes back there, signed in."""
    return account_connect.callback_urls(served_at=origin)[-1]


class AccountsState(AuthState):
    accounts: list[AccountRow] = []
    platforms: list[PlatformOption] = []
    busy: str = ""

    @rx.var
    def can_manage_accounts(self) -> bool:
        return Permission.ACCOUNTS_MANAGE.value in self.permissions

    @rx.var
    def attention_count(self) -> int:
        return sum(1 for a in self.accounts if a.status != "active")

    def _reload(self) -> None:
        ctx = self.context()
        if ctx is None:
            return
        self.accounts = [
            AccountRow(
                id=str(a.id),
                platform=a.platform.value,
                platform_title=PLATFORM_TITLES[a.platform.value],
                name=a.display_name,
                username=f"@{a.username}" if a.username else "",
                kind=str(a.account_metadata.get("kind", "user")),
                status=a.status.value,
                reason=a.status_reason or "",
                expires=self.local_time(a.token_expires_at) if a.token_expires_at else "does not expire",
            )
            for a in social_accounts.list_accounts(ctx)
        ]
        self.platforms = [
            PlatformOption(
                id=cls.identifier,
                title=cls.title,
                rules=f"{cls.capabilities.text_limit:,} {cls.capabilities.counting_rule}",
            )
            for cls in account_connect.available_platforms()
        ]

    @rx.event
    def load(self) -> rx.event.EventSpec | None:
        redirect = self.require_session()
        if redirect is None:
            self._reload()
        return redirect

    @rx.event
    async def connect(self, platform: str) -> rx.event.EventSpec:
        ctx = self.context()
        if ctx is None:
            return rx.redirect(routes.login(routes.ACCOUNTS))
        try:
            origin = self.router.url.origin
            url, _state = await off_loop(
                account_connect.start_connect, ctx, platform, redirect_uri=callback_uri(origin), served_at=origin
            )
        except SocialHubError as exc:
            return rx.toast.error(exc.message)
        # A full page load, not Reflex's client-side navigation: the consent page is another site (or, in
        # sandbox mode, a non-Reflex path on this one).
        return rx.call_script(f"window.location.assign({json.dumps(url)})")

    async def _act(self, action, success: str) -> rx.event.EventSpec:  # type: ignore[no-untyped-def]
        ctx = self.context()
        if ctx is None:
            return rx.redirect(routes.login(routes.ACCOUNTS))
        try:
            await off_loop(action, ctx)
        except SocialHubError as exc:
            self._reload()
            return rx.toast.error(exc.message)
        self._reload()
        return rx.toast.success(success)

    @rx.event
    async def disconnect(self, account_id: str) -> rx.event.EventSpec:
        return await self._act(
            lambda ctx: social_accounts.disconnect(ctx, uuid.UUID(account_id)), "Account disconnected."
        )

    @rx.event
    async def refresh(self, account_id: str) -> rx.event.EventSpec:
        return await self._act(
            lambda ctx: social_accounts.refresh_account(ctx, uuid.UUID(account_id)), "Sign-in refreshed."
        )


class CallbackState(AuthState):
    """Where the platform sends the browser back: finish the connection, or let the person pick accounts."""

    error: str = ""
    candidates: list[CandidateRow] = []
    chosen: list[str] = []
    pending_state: str = ""
    done: bool = False

    @rx.var
    def heading(self) -> str:
        """What is happening, for the page's heading and title: it waits for the person when there is a choice."""
        if self.error:
            return "The connection did not finish"
        if self.candidates:
            pages = all(c.kind == "page" for c in self.candidates)
            return "Choose the Pages to connect" if pages else "Choose the accounts to connect"
        return "Connecting your account…"

    @rx.event
    async def finish(self) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        redirect = self.require_session()
        if redirect is not None:
            return redirect
        params = self.router.url.query_parameters
        self.error, self.candidates, self.chosen, self.done = "", [], [], False
        if params.get("error"):
            self.error = "The platform did not grant access: " + params.get("error_description", params["error"])
            return None
        ctx = self.context()
        assert ctx is not None
        try:
            result = account_connect.complete_connect(
                ctx,
                state=params.get("state", ""),
                code=params.get("code", ""),
                redirect_uri=callback_uri(self.router.url.origin),
                served_at=self.router.url.origin,
            )
        except SocialHubError as exc:
            self.error = exc.message
            return None
        if result.candidates:
            self.pending_state = result.state or ""
            self.candidates = [CandidateRow(c.id, c.display_name, c.kind) for c in result.candidates]
            return None
        self.done = True
        names = ", ".join(a.display_name for a in result.accounts)
        return [rx.redirect(routes.ACCOUNTS), rx.toast.success(f"Connected {names}.")]

    @rx.event
    def toggle(self, candidate_id: str, checked: bool) -> None:
        self.chosen = [c for c in self.chosen if c != candidate_id] + ([candidate_id] if checked else [])

    @rx.event
    async def connect_chosen(self) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        ctx = self.context()
        if ctx is None:
            return rx.redirect(routes.login(routes.ACCOUNTS))
        try:
            accounts = await off_loop(
                account_connect.select_accounts, ctx, state=self.pending_state, account_ids=self.chosen
            )
        except SocialHubError as exc:
            self.error = exc.message
            return None
        return [rx.redirect(routes.ACCOUNTS), rx.toast.success(f"Connected {len(accounts)} account(s).")]
