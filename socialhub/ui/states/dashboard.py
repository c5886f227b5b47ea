"""The dashboard: what waits for the signed-in person's approval, and where their own submissions stand.

It follows the team's posts live (the same channel and helper as the posts pages), so a post submitted or
approved elsewhere appears or leaves without a reload.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import datetime

import reflex as rx

from socialhub.context import Context
from socialhub.models import Post, PostPlatform, PostStatus
from socialhub.platforms.errors import PLATFORM_TITLES
from socialhub.security.permissions import Permission
from socialhub.services import posts, team
from socialhub.services.errors import SocialHubError
from socialhub.ui import routes
from socialhub.ui.states.auth import AuthState
from socialhub.ui.states.posts import follow_posts

EXCERPT = 140


@dataclasses.dataclass
class QueuedPost:
    """A post on the approval path, as the dashboard lists it."""

    id: str
    title: str
    excerpt: str
    author: str
    platforms: list[str]
    planned: str
    url: str
    edit_url: str
    status: str = "pending_approval"  # or "rejected" (back with the author as a draft)
    rejected_by: str = ""
    reason: str = ""


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text[:EXCERPT].rstrip() + "…" if len(text) > EXCERPT else text


class DashboardState(AuthState):
    awaiting: list[QueuedPost] = []
    awaiting_total: int = 0
    mine: list[QueuedPost] = []
    following: bool = False

    @rx.var
    def can_approve(self) -> bool:
        return Permission.POSTS_APPROVE.value in self.permissions

    @rx.var
    def can_write(self) -> bool:
        return Permission.POSTS_WRITE.value in self.permissions

    @rx.var
    def awaiting_more(self) -> int:
        return self.awaiting_total - len(self.awaiting)

    def _planned(self, moment: datetime | None) -> str:
        return "Planned for " + self.local_time(moment) if moment else "As soon as it is approved"

    def _row(self, post: Post, targets: list[PostPlatform], members: dict[uuid.UUID, str]) -> QueuedPost:
        return QueuedPost(
            id=str(post.id),
            title=post.title or "",
            excerpt=_excerpt(post.content),
            author=members.get(post.created_by, "a former member"),
            platforms=[PLATFORM_TITLES.get(t.platform.value, t.platform.value) for t in targets],
            planned=self._planned(post.scheduled_at),
            url=routes.post(str(post.id)),
            edit_url=routes.compose(str(post.id)),
        )

    def _reload(self) -> None:
        ctx = self.context()
        if ctx is None:
            return
        members = {u.id: u.full_name or u.email for u in team.list_members(ctx)}
        if self.can_approve:
            found, self.awaiting_total = posts.awaiting_approval(ctx)
            self.awaiting = [self._row(d.post, d.targets, members) for d in found]
        else:
            self.awaiting, self.awaiting_total = [], 0
        mine = []
        for s in posts.my_submissions(ctx) if self.can_write else []:
            row = self._row(s.post, s.targets, members)
            if s.post.status is not PostStatus.PENDING_APPROVAL:
                row.status, row.planned = "rejected", self._planned(s.post.scheduled_at) if s.post.scheduled_at else ""
                row.rejected_by = members.get(s.rejected_by, "an approver") if s.rejected_by else "an approver"
                row.reason = s.rejection_reason or ""
            mine.append(row)
        self.mine = mine

    @rx.event
    def load(self) -> rx.event.EventSpec | None:
        redirect = self.require_session()
        if redirect is not None:
            return redirect
        self._reload()
        return None if self.following else DashboardState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_posts(self)

    @rx.event
    async def approve(self, post_id: str) -> rx.event.EventSpec:
        ctx: Context | None = self.context()
        if ctx is None:
            return rx.redirect(routes.login(routes.DASHBOARD))
        try:
            await asyncio.to_thread(posts.approve_post, ctx, uuid.UUID(post_id))
        except SocialHubError as exc:
            self._reload()
            return rx.toast.error(exc.message)
        self._reload()
        return rx.toast.success("Approved: it is on its way.")
