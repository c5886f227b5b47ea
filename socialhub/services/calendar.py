"""The calendar's read side: which posts fall in a stretch of time, and which of them may be moved.

A post sits on the calendar at its scheduled time; once a platform has it, at the time it was published (a
retry can publish days after the planned time). Moving one is ``posts.reschedule_post``; ``can_reschedule``
answers ahead of time what that call would refuse for reasons known before a target time is picked, so the
UI only offers a drag where it can succeed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import and_, col, func, or_, select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import Post, PostPlatform, PostStatus, PublishStatus
from socialhub.security.permissions import Permission, has_permission
from socialhub.services.access import require

# A month view shows at most 42 days; a team posting more than this in six weeks sees the first ones only.
LIMIT = 2000
PUBLISHED = frozenset({PostStatus.PUBLISHED, PostStatus.PARTIALLY_PUBLISHED})


@dataclass(frozen=True)
class CalendarPost:
    id: uuid.UUID
    status: PostStatus
    at: datetime  # where it sits on the calendar (UTC)
    title: str | None
    content: str
    platforms: tuple[str, ...]  # one per target, in the order the post lists them
    movable: bool


def calendar_time(post: Post) -> datetime | None:
    """Where a post sits on the calendar: a published one when it went out, any other at its planned time."""
    if post.status in PUBLISHED and post.published_at is not None:
        return post.published_at
    return post.scheduled_at


def can_reschedule(ctx: Context, post: Post, rows: Sequence[PostPlatform]) -> bool:
    """What ``posts.reschedule_post`` allows, short of the new time itself (a time in the past, a time the
    clocks skip): the role may write posts, a contributor only their own, the post is scheduled, and no
    target has started publishing."""
    if not has_permission(ctx.role, Permission.POSTS_WRITE):
        return False
    if post.created_by != ctx.user_id and not has_permission(ctx.role, Permission.POSTS_PUBLISH):
        return False
    return post.status is PostStatus.SCHEDULED and bool(rows) and all(r.status is PublishStatus.QUEUED for r in rows)


def calendar_posts(ctx: Context, *, since: datetime, until: datetime) -> list[CalendarPost]:
    """Posts whose calendar time is in [since, until), earliest first."""
    require(ctx, Permission.POSTS_READ)
    in_range = or_(
        and_(col(Post.scheduled_at) >= since, col(Post.scheduled_at) < until),
        and_(col(Post.published_at) >= since, col(Post.published_at) < until),
    )
    with tenant_session(ctx) as session:
        query = (
            select(Post)
            .where(in_range)
            .order_by(func.coalesce(Post.published_at, Post.scheduled_at), col(Post.id))
            .limit(LIMIT)
        )
        found = list(session.exec(query).all())
        rows: dict[uuid.UUID, list[PostPlatform]] = {post.id: [] for post in found}
        if found:
            targets = select(PostPlatform).where(col(PostPlatform.post_id).in_(rows))
            for row in session.exec(targets.order_by(col(PostPlatform.created_at), col(PostPlatform.id))).all():
                rows[row.post_id].append(row)
    result = []
    for post in found:
        at = calendar_time(post)
        # Matched on the other column (planned in range, published outside it, or the reverse): not here.
        if at is None or not since <= at < until:
            continue
        result.append(
            CalendarPost(
                id=post.id,
                status=post.status,
                at=at,
                title=post.title,
                content=post.content,
                platforms=tuple(row.platform.value for row in rows[post.id]),
                movable=can_reschedule(ctx, post, rows[post.id]),
            )
        )
    result.sort(key=lambda p: (p.at, str(p.id)))
    return result
