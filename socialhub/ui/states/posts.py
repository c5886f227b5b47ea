"""The posts list and a post's page, both following the workers live while they publish."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from socialhub.context import Context
from socialhub.models import Platform, PostStatus
from socialhub.platforms.errors import PLATFORM_TITLES, PlatformError
from socialhub.security.permissions import Permission
from socialhub.services import live, media, posts, social_accounts, team
from socialhub.services.errors import SocialHubError
from socialhub.ui import routes
from socialhub.ui.states.accounts import off_loop
from socialhub.ui.states.auth import AuthState
from socialhub.ui.views.composer_tabs import (
    AccountChoice,
    Choice,
    MediaChip,
    TargetTab,
    client_class,
    media_chip,
    target_options,
    target_tab,
)
from socialhub.ui.views.post_targets import TargetRow, target_row, zone_time

log = logging.getLogger(__name__)
PAGE_SIZE = 20
FOLLOW_FOR = 3600.0  # a page left open longer than this stops following (a reload starts again)
IN_FLIGHT = frozenset({"scheduled", "publishing"})


@dataclasses.dataclass
class TargetChip:
    platform: str
    platform_title: str
    status: str


@dataclasses.dataclass
class PostRow:
    id: str
    excerpt: str
    title: str
    status: str
    when: str
    author: str
    targets: list[TargetChip]


def _when(status: str, scheduled: datetime | None, published: datetime | None, created: datetime, zone: str) -> str:
    if published is not None and status in ("published", "partially_published"):
        return "Published " + zone_time(published, zone)
    if scheduled is not None and status in ("scheduled", "pending_approval", "publishing"):
        return "Due " + zone_time(scheduled, zone)
    if scheduled is not None and status == "draft":
        return "Planned for " + zone_time(scheduled, zone)
    return "Created " + zone_time(created, zone)


def _names(ctx: Context) -> tuple[dict[uuid.UUID, str], dict[uuid.UUID, str]]:
    """Account and member names, to label rows (a disconnected account or removed member keeps a label)."""
    accounts = {a.id: a.display_name for a in social_accounts.list_accounts(ctx)}
    members = {u.id: u.full_name or u.email for u in team.list_members(ctx)}
    return accounts, members


async def follow_posts(state: Any) -> None:
    """Reload ``state`` (``_reload()``) whenever the team's posts change, while the browser stays on the page it
    was on when following started. ``state.following`` keeps it to one follower per browser tab."""
    async with state:
        if state.following:
            return
        state.following = True
        ctx, path = state.context(), state.router.url.path
    try:
        if ctx is None:
            return
        started = time.monotonic()
        changes = live.post_changes(ctx.tenant_id)
        try:
            async for _ in changes:
                async with state:
                    if state.router.url.path != path or not state.user_id or time.monotonic() - started > FOLLOW_FOR:
                        return
                    state._reload()
        except Exception:  # live updates are a nicety: a failure must not break the page, only stop following
            log.exception("following posts stopped")
        finally:
            await changes.aclose()
    finally:
        async with state:
            state.following = False


class PostsState(AuthState):
    rows: list[PostRow] = []
    total: int = 0
    page: int = 0
    status_filter: str = "all"
    platform_filter: str = "all"
    text_filter: str = ""
    date_from: str = ""
    date_to: str = ""
    following: bool = False
    error: str = ""

    @rx.var
    def can_write(self) -> bool:
        return Permission.POSTS_WRITE.value in self.permissions

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @rx.var
    def range_label(self) -> str:
        if not self.total:
            return "No posts"
        first = self.page * PAGE_SIZE + 1
        return f"{first}–{min(self.total, first + PAGE_SIZE - 1)} of {self.total}"

    def _query(self, ctx: Context) -> list[PostRow]:
        zone = ZoneInfo(self.tenant_timezone)

        def day(value: str, *, end: bool = False) -> datetime | None:
            if not value:
                return None
            start = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=zone)
            return (start + timedelta(days=1) if end else start).astimezone(UTC)

        found, self.total = posts.list_posts(
            ctx,
            status=PostStatus(self.status_filter) if self.status_filter != "all" else None,
            platform=Platform(self.platform_filter) if self.platform_filter != "all" else None,
            text=self.text_filter.strip() or None,
            since=day(self.date_from),
            until=day(self.date_to, end=True),
            limit=PAGE_SIZE,
            offset=self.page * PAGE_SIZE,
        )
        _, members = _names(ctx)
        return [
            PostRow(
                id=str(d.post.id),
                excerpt=(d.post.content[:160] + "…") if len(d.post.content) > 160 else d.post.content,
                title=d.post.title or "",
                status=d.post.status.value,
                when=_when(
                    d.post.status.value,
                    d.post.scheduled_at,
                    d.post.published_at,
                    d.post.created_at,
                    self.tenant_timezone,
                ),
                author=members.get(d.post.created_by, "a former member"),
                targets=[
                    TargetChip(
                        t.platform.value, PLATFORM_TITLES.get(t.platform.value, t.platform.value), t.status.value
                    )
                    for t in d.targets
                ],
            )
            for d in found
        ]

    def _reload(self) -> None:
        ctx = self.context()
        if ctx is None:
            return
        self.error = ""
        try:
            self.rows = self._query(ctx)
        except (ValueError, SocialHubError) as exc:
            self.rows, self.total = [], 0
            self.error = getattr(exc, "message", None) or "Those filters do not make sense together."

    @rx.event
    def load(self) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        redirect = self.require_session()
        if redirect is not None:
            return redirect
        self.page = 0
        self._reload()
        return None if self.following else PostsState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_posts(self)

    def _filter(self) -> None:
        self.page = 0
        self._reload()

    @rx.event
    def set_status_filter(self, value: str) -> None:
        self.status_filter = value
        self._filter()

    @rx.event
    def set_platform_filter(self, value: str) -> None:
        self.platform_filter = value
        self._filter()

    @rx.event
    def set_text_filter(self, value: str) -> None:
        self.text_filter = value
        self._filter()

    @rx.event
    def set_date_from(self, value: str) -> None:
        self.date_from = value
        self._filter()

    @rx.event
    def set_date_to(self, value: str) -> None:
        self.date_to = value
        self._filter()

    @rx.event
    def clear_filters(self) -> None:
        self.status_filter = self.platform_filter = "all"
        self.text_filter = self.date_from = self.date_to = ""
        self._filter()

    @rx.event
    def next_page(self) -> None:
        if self.page + 1 < self.page_count:
            self.page += 1
            self._reload()

    @rx.event
    def previous_page(self) -> None:
        if self.page > 0:
            self.page -= 1
            self._reload()


class PostDetailState(AuthState):
    detail_id: str = ""
    found: bool = False
    content: str = ""
    title: str = ""
    status: str = ""
    when: str = ""
    timezone: str = ""
    author: str = ""
    author_id: str = ""
    approval_state: str = ""
    targets: list[TargetRow] = []
    post_media: list[MediaChip] = []  # the post's own files (what a target without its own sends)
    option_choices: dict[str, list[Choice]] = {}  # "<account id>:<field>" → values and their names (boards)
    reject_reason: str = ""
    following: bool = False
    # Fixing one failed or cancelled target: what the editor holds until it is saved.
    editing: str = ""
    edit_customized: bool = False
    edit_text: str = ""
    edit_values: dict[str, str] = {}
    edit_media: list[MediaChip] = []  # its own files; none: the post's
    edit_problems: list[str] = []
    library: list[MediaChip] = []
    _own_options: dict[str, dict[str, Any]] = {}  # per target id, the options as stored (fields the editor lacks)
    _effective: dict[str, dict[str, Any]] = {}  # per target id, the options as sent (with the post's title)

    @rx.var
    def can_write(self) -> bool:
        return Permission.POSTS_WRITE.value in self.permissions

    @rx.var
    def can_publish(self) -> bool:
        return Permission.POSTS_PUBLISH.value in self.permissions

    @rx.var
    def can_approve(self) -> bool:
        # Approving your own post is for owners and admins only (services.posts says so, and why).
        own = self.author_id == self.user_id
        return Permission.POSTS_APPROVE.value in self.permissions and (not own or self.role in ("owner", "admin"))

    @rx.var
    def can_edit(self) -> bool:
        return self.can_write and self.status in {s.value for s in posts.EDITABLE}

    @rx.var
    def can_fix(self) -> bool:
        """May change a failed or cancelled target (contributors: of their own posts only)."""
        return self.can_write and (self.author_id == self.user_id or self.can_publish)

    @rx.var
    def reapproval(self) -> bool:
        """Changed after its approval (or never approved): the next retry is an approver's (posts.retry_target)."""
        return self.status != PostStatus.PENDING_APPROVAL.value and self.approval_state == "pending"

    @rx.var
    def can_retry(self) -> bool:
        return self.can_publish and (not self.reapproval or self.can_approve)

    @rx.var
    def retry_label(self) -> str:
        return "Approve and retry" if self.reapproval else "Retry"

    @rx.var
    def can_unschedule(self) -> bool:
        return self.can_write and self.status == "scheduled" and all(t.status == "queued" for t in self.targets)

    @rx.var
    def can_cancel(self) -> bool:
        return self.can_write and self.status in ("scheduled", "pending_approval", "publishing")

    @rx.var
    def can_delete(self) -> bool:
        # The service's own rule (posts.delete_post): a deletable status, and nothing sent or being sent.
        settled = all(t.status in {s.value for s in posts.AT_REST} for t in self.targets)
        return self.can_write and settled and self.status in {s.value for s in posts.DELETABLE}

    @rx.var
    def edit_url(self) -> str:
        return routes.compose(self.detail_id)

    @rx.var
    def in_flight(self) -> bool:
        return self.status in IN_FLIGHT

    @rx.var
    def editor(self) -> TargetTab:
        """The target being fixed, counted and checked as the composer does it."""
        row = next((t for t in self.targets if t.id == self.editing), None)
        account = AccountChoice(
            id=row.account_id if row else "",
            platform=row.platform if row else "",
            platform_title=row.platform_title if row else "",
            name=row.account if row else "",
            username="",
        )
        return target_tab(
            account,
            text=self.edit_text if self.edit_customized else self.content,
            customized=self.edit_customized,
            values=self.edit_values,
            account_choices=self._choices_of(account.id),
            problems=self.edit_problems,
        )

    @rx.var
    def editor_media(self) -> list[MediaChip]:
        return self.edit_media or self.post_media

    def _reload(self) -> None:
        ctx = self.context()
        if ctx is None or not self.detail_id:
            return
        try:
            view = posts.describe_post(ctx, uuid.UUID(self.detail_id))
        except (ValueError, SocialHubError):
            self.found = False
            return
        accounts, members = _names(ctx)
        post, zone = view.post, self.tenant_timezone
        self.found = True
        self.content, self.title, self.status = post.content, post.title or "", post.status.value
        self.timezone, self.approval_state = post.timezone, post.approval_state.value
        self.when = _when(post.status.value, post.scheduled_at, post.published_at, post.created_at, zone)
        if post.scheduled_at and post.timezone != zone:
            self.when += f" ({zone_time(post.scheduled_at, post.timezone)} in {post.timezone})"
        self.author_id = str(post.created_by)
        self.author = members.get(post.created_by, "a former member")
        self.post_media = self._post_media(ctx, [str(m) for m in post.media_urls])
        self.targets = [
            target_row(
                t,
                account=accounts.get(t.row.social_account_id, "a disconnected account"),
                zone=zone,
                choices=self._choices_of(str(t.row.social_account_id)),
            )
            for t in view.targets
        ]
        self._own_options = {str(t.row.id): dict(t.row.options) for t in view.targets}
        self._effective = {str(t.row.id): t.options for t in view.targets}
        if self.editing and not any(t.id == self.editing and t.fixable for t in self.targets):
            self.editing = ""  # it was retried (or changed) meanwhile: nothing left to fix here

    def _post_media(self, ctx: Context, ids: list[str]) -> list[MediaChip]:
        found = []
        for media_id in ids:
            try:
                found.append(media_chip(media.get_media(ctx, uuid.UUID(media_id))))
            except SocialHubError:
                continue  # deleted since: the targets say so
        return found

    def _choices_of(self, account_id: str) -> dict[str, list[Choice]]:
        prefix = account_id + ":"
        return {k.removeprefix(prefix): v for k, v in self.option_choices.items() if k.startswith(prefix)}

    @rx.event
    def load(self) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        redirect = self.require_session()
        if redirect is not None:
            return redirect
        # The last path segment: /posts/<id> (a dynamic route's own var would shadow this state's).
        self.detail_id = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        self.reject_reason, self.editing, self.option_choices = "", "", {}
        self._reload()
        events: list[rx.event.EventSpec] = [PostDetailState.load_choices]
        return events if self.following else [*events, PostDetailState.follow]

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_posts(self)

    @rx.event
    async def load_choices(self) -> None:
        """Name what "account_choice" fields hold (a Pinterest board's name), from each account, once."""
        ctx = self.context()
        if ctx is None:
            return
        known = len(self.option_choices)
        for t in self.targets:
            cls = client_class(t.platform)
            for spec in cls.option_fields if cls else ():
                key = f"{t.account_id}:{spec.name}"
                if spec.kind != "account_choice" or key in self.option_choices:
                    continue
                try:
                    found = await off_loop(social_accounts.option_choices, ctx, uuid.UUID(t.account_id), spec.name)
                except (SocialHubError, PlatformError):
                    continue  # the page shows the stored value instead; the editor says so when opened
                self.option_choices[key] = [Choice(value, label) for value, label in found]
        if len(self.option_choices) > known:
            self._reload()

    async def _act(
        self, action: Callable[[Context], object], success: str, *, then: str | None = None
    ) -> rx.event.EventSpec | list[rx.event.EventSpec]:
        ctx = self.context()
        if ctx is None:
            return rx.redirect(routes.login(routes.post(self.detail_id)))
        try:
            await asyncio.to_thread(action, ctx)
        except SocialHubError as exc:
            self._reload()
            return rx.toast.error(exc.message)
        if then:
            return [rx.redirect(then), rx.toast.success(success)]
        self._reload()
        return rx.toast.success(success)

    @property
    def _id(self) -> uuid.UUID:
        return uuid.UUID(self.detail_id)

    @rx.event
    async def retry(self, target_id: str) -> rx.event.EventSpec | list[rx.event.EventSpec]:
        return await self._act(lambda ctx: posts.retry_target(ctx, self._id, uuid.UUID(target_id)), "Queued again.")

    @rx.event
    async def retry_checked(self, target_id: str) -> rx.event.EventSpec | list[rx.event.EventSpec]:
        return await self._act(
            lambda ctx: posts.retry_target(ctx, self._id, uuid.UUID(target_id), confirm_not_published=True),
            "Queued again: you confirmed the platform does not have it.",
        )

    # -- fixing a failed or cancelled target ----------------------------------------------------------------

    @rx.event
    def start_fix(self, target_id: str) -> None:
        row = next((t for t in self.targets if t.id == target_id and t.fixable), None)
        cls = client_class(row.platform) if row else None
        if row is None:
            return
        effective = self._effective.get(target_id, {})
        self.editing, self.edit_customized = target_id, row.own_text
        self.edit_text = row.text if row.own_text else ""
        self.edit_values = {
            spec.name: "true" if effective[spec.name] is True else str(effective[spec.name])
            for spec in (cls.option_fields if cls else ())
            if effective.get(spec.name) not in (None, False)
        }
        self.edit_media = list(row.media) if row.own_media else []
        self._check_fix()

    @rx.event
    def stop_fix(self) -> None:
        self.editing, self.edit_problems = "", []

    def _change(self) -> posts.TargetChange:
        row = next(t for t in self.targets if t.id == self.editing)
        cls = client_class(row.platform)
        names = {spec.name for spec in cls.option_fields} if cls else set()
        kept = {k: v for k, v in self._own_options.get(self.editing, {}).items() if k not in names}
        return posts.TargetChange(
            custom_content=self.edit_text if self.edit_customized else None,
            options=kept | target_options(self.edit_values),
            media_ids=[uuid.UUID(m.id) for m in self.edit_media],
        )

    def _check_fix(self) -> None:
        ctx = self.context()
        if ctx is None or not self.editing:
            return
        try:
            self.edit_problems = posts.check_target(ctx, self._id, uuid.UUID(self.editing), self._change())
        except SocialHubError as exc:
            self.edit_problems = [exc.message]

    @rx.event
    def set_fix_customized(self, on: bool) -> None:
        self.edit_customized = on
        if on and not self.edit_text:
            self.edit_text = self.content  # start from the shared text, not from nothing
        self._check_fix()

    @rx.event
    def set_fix_text(self, value: str) -> None:
        self.edit_text = value
        self._check_fix()

    @rx.event
    def set_fix_option(self, name: str, value: str) -> None:
        self.edit_values[name] = value
        self._check_fix()

    @rx.event
    def set_fix_flag(self, name: str, on: bool) -> None:
        self.set_fix_option(name, "true" if on else "")

    @rx.event
    def open_fix_library(self) -> None:
        ctx = self.context()
        if ctx is not None:
            self.library = [media_chip(row) for row in media.list_media(ctx, limit=60).items]

    @rx.event
    def toggle_fix_media(self, media_id: str) -> None:
        """Add or take away one file; the target then has files of its own (the same as the post's: none)."""
        current = self.edit_media or self.post_media
        if any(m.id == media_id for m in current):
            chosen = [m for m in current if m.id != media_id]
        else:
            chosen = current + [m for m in self.library if m.id == media_id]
        same = [m.id for m in chosen] == [m.id for m in self.post_media]
        self.edit_media = [] if same else chosen
        self._check_fix()

    @rx.event
    def use_post_media(self) -> None:
        self.edit_media = []
        self._check_fix()

    async def _save_fix(self, *, retry: bool) -> rx.event.EventSpec | list[rx.event.EventSpec]:
        ctx = self.context()
        if ctx is None:
            return rx.redirect(routes.login(routes.post(self.detail_id)))
        target, change = uuid.UUID(self.editing), self._change()
        try:
            await asyncio.to_thread(posts.update_target, ctx, self._id, target, change)
        except SocialHubError as exc:  # refused: the editor stays open, with what to fix
            self._reload()
            self._check_fix()
            return rx.toast.error(exc.message)
        self.editing, self.edit_problems = "", []
        if retry:
            return await self._act(lambda c: posts.retry_target(c, self._id, target), "Saved and queued again.")
        self._reload()
        return rx.toast.success("Saved. Retry it to send it again.")

    @rx.event
    async def save_fix(self) -> rx.event.EventSpec | list[rx.event.EventSpec]:
        return await self._save_fix(retry=False)

    @rx.event
    async def save_fix_and_retry(self) -> rx.event.EventSpec | list[rx.event.EventSpec]:
        return await self._save_fix(retry=True)

    @rx.event
    async def cancel(self) -> rx.event.EventSpec | list[rx.event.EventSpec]:
        return await self._act(lambda ctx: posts.cancel_post(ctx, self._id), "Cancelled.")

    @rx.event
    async def unschedule(self) -> rx.event.EventSpec | list[rx.event.EventSpec]:
        return await self._act(
            lambda ctx: posts.unschedule_post(ctx, self._id),
            "Moved back to drafts.",
            then=routes.compose(self.detail_id),
        )

    @rx.event
    async def delete(self) -> rx.event.EventSpec | list[rx.event.EventSpec]:
        return await self._act(lambda ctx: posts.delete_post(ctx, self._id), "Post deleted.", then=routes.POSTS)

    @rx.event
    async def approve(self) -> rx.event.EventSpec | list[rx.event.EventSpec]:
        return await self._act(lambda ctx: posts.approve_post(ctx, self._id), "Approved: it is on its way.")

    @rx.event
    def set_reject_reason(self, value: str) -> None:
        self.reject_reason = value

    @rx.event
    async def reject(self) -> rx.event.EventSpec | list[rx.event.EventSpec]:
        reason = self.reject_reason
        return await self._act(
            lambda ctx: posts.reject_post(ctx, self._id, reason), "Sent back to the author with your note."
        )
