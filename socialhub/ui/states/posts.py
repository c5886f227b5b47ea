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
from socialhub.models import Platform, PostStatus, PublishStatus
from socialhub.platforms.errors import PLATFORM_TITLES
from socialhub.security.permissions import Permission
from socialhub.services import live, posts, social_accounts, team
from socialhub.services.errors import SocialHubError
from socialhub.ui import routes
from socialhub.ui.states.auth import AuthState

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


@dataclasses.dataclass
class TargetRow:
    id: str
    platform: str
    platform_title: str
    account: str
    status: str
    attempts: int
    next_attempt: str
    error_class: str
    error_message: str
    permalink: str
    published: str


def _zone_time(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(zone)).strftime("%a %d %b %Y, %H:%M")


def _when(status: str, scheduled: datetime | None, published: datetime | None, created: datetime, zone: str) -> str:
    if published is not None and status in ("published", "partially_published"):
        return "Published " + _zone_time(published, zone)
    if scheduled is not None and status in ("scheduled", "pending_approval", "publishing"):
        return "Due " + _zone_time(scheduled, zone)
    if scheduled is not None and status == "draft":
        return "Planned for " + _zone_time(scheduled, zone)
    return "Created " + _zone_time(created, zone)


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
    reject_reason: str = ""
    following: bool = False

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

    def _reload(self) -> None:
        ctx = self.context()
        if ctx is None or not self.detail_id:
            return
        try:
            detail = posts.get_post(ctx, uuid.UUID(self.detail_id))
        except (ValueError, SocialHubError):
            self.found = False
            return
        accounts, members = _names(ctx)
        post, zone = detail.post, self.tenant_timezone
        self.found = True
        self.content, self.title, self.status = post.content, post.title or "", post.status.value
        self.timezone, self.approval_state = post.timezone, post.approval_state.value
        self.when = _when(post.status.value, post.scheduled_at, post.published_at, post.created_at, zone)
        if post.scheduled_at and post.timezone != zone:
            self.when += f" ({_zone_time(post.scheduled_at, post.timezone)} in {post.timezone})"
        self.author_id = str(post.created_by)
        self.author = members.get(post.created_by, "a former member")
        self.targets = [
            TargetRow(
                id=str(t.id),
                platform=t.platform.value,
                platform_title=PLATFORM_TITLES.get(t.platform.value, t.platform.value),
                account=accounts.get(t.social_account_id, "a disconnected account"),
                status=t.status.value,
                attempts=t.retry_count,
                next_attempt=_zone_time(t.next_attempt_at, zone)
                if t.status in (PublishStatus.RETRY_WAIT, PublishStatus.QUEUED)
                else "",
                error_class=t.error_class.value if t.error_class else "",
                error_message=t.error_message or "",
                permalink=t.permalink or "",
                published=_zone_time(t.published_at, zone),
            )
            for t in detail.targets
        ]

    @rx.event
    def load(self) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        redirect = self.require_session()
        if redirect is not None:
            return redirect
        # The last path segment: /posts/<id> (a dynamic route's own var would shadow this state's).
        self.detail_id = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        self.reject_reason = ""
        self._reload()
        return None if self.following else PostDetailState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_posts(self)

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
