"""Posts: written once for several accounts, checked per platform, scheduled, approved, cancelled, retried.

A post has one ``post_platforms`` row (a target) per account. Scheduling queues every row (QUEUED, due at
``next_attempt_at``); the publishing pipeline claims them from there. When the team's approval policy asks
for it, or the author may not publish, scheduling holds the post for an approver instead. Rows are read
FOR UPDATE wherever they change, so a worker's claim and a person's cancel can never both win.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, func, or_, select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import (
    AccountStatus,
    AIRequest,
    ApprovalPolicy,
    ApprovalState,
    AuditLog,
    Media,
    Platform,
    Post,
    PostPlatform,
    PostStatus,
    PostType,
    PublishStatus,
    Role,
    SocialAccount,
    Tenant,
    utcnow,
)
from socialhub.platforms import registry
from socialhub.platforms.base import PlatformClient
from socialhub.platforms.errors import PLATFORM_TITLES
from socialhub.security.permissions import Permission, has_permission
from socialhub.services import audit, live, media_items
from socialhub.services.access import require
from socialhub.services.errors import Conflict, Invalid, NotFound, NotPermitted
from socialhub.services.publishing import draft_for
from socialhub.services.tenants import approval_policy, validate_timezone
from socialhub.services.text import UnstorableText, require_storable

GRACE = timedelta(seconds=60)  # a time this close behind now still counts (clock skew, a slow form)
TITLE_LIMIT = 300
EDITABLE = frozenset({PostStatus.DRAFT, PostStatus.PENDING_APPROVAL})
DELETABLE = frozenset({PostStatus.DRAFT, PostStatus.PENDING_APPROVAL, PostStatus.CANCELLED, PostStatus.FAILED})
STOPPABLE = frozenset({PublishStatus.PENDING, PublishStatus.QUEUED, PublishStatus.RETRY_WAIT})
AT_REST = frozenset({PublishStatus.PENDING, PublishStatus.FAILED, PublishStatus.CANCELLED})  # nothing sent or sending
FIXABLE = frozenset({PublishStatus.FAILED, PublishStatus.CANCELLED})  # a target that can be changed, then retried
RETRYABLE = FIXABLE | {PublishStatus.UNCONFIRMED}
# Rows a platform has, or may have: what stops a cancel or a delete, in words.
OUT = {
    PublishStatus.PUBLISHED: "already published it",
    PublishStatus.PUBLISHING: "is publishing it right now",
    PublishStatus.UNCONFIRMED: "may have it (the last attempt's outcome is unknown)",
}


@dataclass(frozen=True)
class TargetSpec:
    """One account to publish to; ``options`` carry the platform's fields (board_id, subreddit, title…)."""

    account_id: uuid.UUID
    custom_content: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    media_ids: Sequence[uuid.UUID] = ()  # this target's own files instead of the post's (empty: the post's)


@dataclass(frozen=True)
class PostDetail:
    post: Post
    targets: list[PostPlatform]


class _Keep(enum.Enum):
    KEEP = "keep"


KEEP: Final = _Keep.KEEP  # "leave it as it is", where None already means something (the post's own text)


@dataclass(frozen=True)
class TargetChange:
    """A new text, options or files for one target; what is left out stays as it is."""

    custom_content: str | _Keep | None = KEEP  # None: the post's shared text again
    options: Mapping[str, Any] | None = None  # the platform's fields, all of them
    media_ids: Sequence[uuid.UUID] | None = None  # this target's own files; empty: the post's files again


@dataclass(frozen=True)
class TargetView:
    """What one target sends (or sent) as its platform gets it: the text, the fields and the files."""

    row: PostPlatform
    text: str
    own_text: bool  # its own text rather than the post's shared one
    options: dict[str, Any]  # with the post's title where the target has none (as publishing does)
    media: list[Media]  # in order; a file deleted since is left out and counted in ``missing_media``
    own_media: bool
    missing_media: int


@dataclass(frozen=True)
class PostView:
    post: Post
    targets: list[TargetView]


# --- helpers ---------------------------------------------------------------------------------------------


def _label(status: PostStatus | PublishStatus) -> str:
    return status.value.replace("_", " ")


def _title(platform: Platform) -> str:
    return PLATFORM_TITLES.get(platform.value, platform.value)


def _out(rows: Sequence[PostPlatform]) -> str:
    """What the platforms that have (or may have) the post did, in one phrase."""
    return "; ".join(f"{_title(row.platform)} {OUT[row.status]}" for row in rows)


def _view(post: Post, rows: Sequence[PostPlatform]) -> dict[str, Any]:
    """The audit log's picture of a post."""
    return {
        "status": post.status.value,
        "title": post.title,
        "content": post.content[:500],
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
        "media": list(post.media_urls),
        "targets": {str(row.social_account_id): row.status.value for row in rows},
    }


def _get(session: Session, post_id: uuid.UUID) -> Post:
    post = session.exec(select(Post).where(Post.id == post_id)).first()  # another tenant's id: not visible
    if post is None:
        raise NotFound("There is no such post.")
    return post


def _targets(session: Session, post_ids: Sequence[uuid.UUID], *, lock: bool = False) -> list[PostPlatform]:
    query = (
        select(PostPlatform)
        .where(col(PostPlatform.post_id).in_(post_ids))
        .order_by(PostPlatform.platform, PostPlatform.created_at, PostPlatform.id)
    )
    return list(session.exec(query.with_for_update() if lock else query).all())


def _locked(
    session: Session, ctx: Context, post_id: uuid.UUID, *, author: bool = True
) -> tuple[Post, list[PostPlatform]]:
    """The post and its rows, locked for a change; ``author``: contributors may change only their own.

    Rows are locked before the post, the order the publishing pipeline takes them in (a claimed row, then
    its post), so the two never deadlock; a row a worker holds is simply waited for.
    """
    post = _get(session, post_id)
    if author and post.created_by != ctx.user_id and not has_permission(ctx.role, Permission.POSTS_PUBLISH):
        raise NotPermitted("Contributors can change only their own posts.")
    rows = _targets(session, [post.id], lock=True)
    session.refresh(post, with_for_update=True)
    return post, rows


def _record(
    session: Session, ctx: Context, action: str, post: Post, rows: Sequence[PostPlatform], before: Any, **extra: Any
) -> None:
    after = {**_view(post, rows), **extra}
    audit.record(session, ctx, action, entity_type="post", entity_id=post.id, before=before, after=after)
    _announce_after_commit(session, ctx, post)


def _announce_after_commit(session: Session, ctx: Context, post: Post) -> None:
    """Tell the team's open pages (dashboard, posts, calendar) once the change is committed, not before: a
    page that reloads on the news must find it. A transaction rolled back announces nothing."""
    post_id = str(post.id)
    sa.event.listen(
        session, "after_commit", lambda _session: live.announce_posts(ctx.tenant_id, post_id=post_id), once=True
    )


def _clean_title(title: str | None) -> str | None:
    title = (title or "").strip() or None
    if title and len(title) > TITLE_LIMIT:
        raise Invalid(f"A title can have at most {TITLE_LIMIT} characters.", details={"field": "title"})
    return title


def _apply_targets(
    session: Session, ctx: Context, post: Post, current: list[PostPlatform], specs: Sequence[TargetSpec]
) -> list[PostPlatform]:
    """Make the post's rows match ``specs``: keep rows of accounts still targeted, add new, drop the rest."""
    ids = [spec.account_id for spec in specs]
    if len(set(ids)) != len(ids):
        raise Invalid("Each account can be a target of a post only once.", details={"field": "targets"})
    accounts = {a.id: a for a in session.exec(select(SocialAccount).where(col(SocialAccount.id).in_(ids))).all()}
    for account_id in ids:
        account = accounts.get(account_id)
        if account is None or account.status is AccountStatus.DISCONNECTED:
            raise NotFound("There is no such connected account.", details={"account_id": str(account_id)})
        if account.status is not AccountStatus.ACTIVE:
            raise Invalid(
                f"The {_title(account.platform)} account {account.display_name} must be reconnected before you "
                "can post to it.",
                details={"account_id": str(account_id)},
            )
    existing = {row.social_account_id: row for row in current}
    rows = []
    for spec in specs:
        row = existing.pop(spec.account_id, None) or PostPlatform(
            tenant_id=ctx.tenant_id,
            post_id=post.id,
            social_account_id=spec.account_id,
            platform=accounts[spec.account_id].platform,
        )
        row.custom_content, row.options = spec.custom_content, dict(spec.options)
        row.custom_media = media_items.check_attachable(session, spec.media_ids, field="targets.media_ids")
        session.add(row)
        rows.append(row)
    for gone in existing.values():
        session.delete(gone)
    return rows


def _problems(session: Session, post: Post, rows: Sequence[PostPlatform]) -> dict[str, list[str]]:
    """Every target's problems, by account id (an empty list: fine). Platform rules only; no network call."""
    ids = [row.social_account_id for row in rows]
    accounts = {a.id: a for a in session.exec(select(SocialAccount).where(col(SocialAccount.id).in_(ids))).all()}
    problems: dict[str, list[str]] = {}
    with ExitStack() as stack:
        clients: dict[Platform, PlatformClient] = {}
        for platform in {row.platform for row in rows}:
            try:
                clients[platform] = client = registry.get_client(platform.value)
            except registry.UnknownPlatform:
                continue
            stack.callback(client.close)
        for row in rows:
            found: list[str] = []
            account = accounts.get(row.social_account_id)
            if account is None or account.status is not AccountStatus.ACTIVE:
                found.append(f"This {_title(row.platform)} account must be reconnected, or removed from the post.")
            client = clients.get(row.platform)
            if client is None:
                found.append(f"SocialHub cannot publish to {_title(row.platform)} yet.")
            else:
                items = media_items.stored_items(session, media_items.target_media_ids(post, row))
                if None in items:
                    found.append("A file attached to this post was deleted; attach it again or remove it.")
                found += client.validate(draft_for(post, row, [item for item in items if item is not None]))
            problems[str(row.social_account_id)] = found
    return problems


def _check(session: Session, post: Post, rows: Sequence[PostPlatform]) -> None:
    if not rows:
        raise Invalid("Choose at least one account to publish this post to.", details={"field": "targets"})
    problems = {key: found for key, found in _problems(session, post, rows).items() if found}
    if problems:
        platforms = {str(row.social_account_id): _title(row.platform) for row in rows}
        listed = "; ".join(f"{platforms[key]}: {' '.join(found)}" for key, found in problems.items())
        raise Invalid(f"Fix these first. {listed}", details={"problems": problems})


def _to_utc(at: datetime | None, zone: str) -> datetime | None:
    """A naive time is a wall-clock time in ``zone``; one that daylight saving skips is refused."""
    if at is None or at.tzinfo is not None:
        return at.astimezone(UTC) if at else None
    local = at.replace(tzinfo=ZoneInfo(zone))
    if local.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None) != at:
        raise Invalid(
            f"{at:%Y-%m-%d %H:%M} does not exist in {zone}: the clocks skip it for daylight saving time.",
            details={"field": "at"},
        )
    return local.astimezone(UTC)


def _requeue(row: PostPlatform, when: datetime) -> None:
    row.status, row.next_attempt_at, row.retry_count = PublishStatus.QUEUED, when, 0
    row.error_class = row.error_code = row.error_message = None
    row.lease_until = row.lease_token = row.armed_at = row.platform_handle = None


def _queue(post: Post, rows: Sequence[PostPlatform], when: datetime) -> None:
    post.status, post.scheduled_at = PostStatus.SCHEDULED, when
    for row in rows:
        _requeue(row, when)


def _needs_approval(ctx: Context, tenant: Tenant) -> bool:
    policy = approval_policy(tenant)
    return (
        not has_permission(ctx.role, Permission.POSTS_PUBLISH)
        or policy is ApprovalPolicy.EVERYONE
        or (policy is ApprovalPolicy.CONTRIBUTORS and ctx.role is Role.CONTRIBUTOR)
    )


def _schedule(
    session: Session, ctx: Context, post: Post, rows: list[PostPlatform], at: datetime | None, timezone: str | None
) -> PostDetail:
    if post.status is PostStatus.SCHEDULED and any(row.status is not PublishStatus.QUEUED for row in rows):
        raise Conflict("Publishing has already started for this post, so its time can no longer change.")
    if post.status is PostStatus.PENDING_APPROVAL and post.created_by != ctx.user_id:
        raise Conflict("This post is waiting for approval: approve or reject it instead.")
    if post.status not in (PostStatus.DRAFT, PostStatus.PENDING_APPROVAL, PostStatus.SCHEDULED):
        raise Conflict(f"This post is {_label(post.status)}; only drafts and scheduled posts can be scheduled.")
    zone = validate_timezone(timezone) if timezone else post.timezone
    when = _to_utc(at, zone)
    if when is not None and when < utcnow() - GRACE:
        raise Invalid("That time has passed: pick a time in the future, or publish now.", details={"field": "at"})
    before = _view(post, rows)
    _check(session, post, rows)
    post.timezone = zone
    tenant = session.get(Tenant, ctx.tenant_id)
    assert tenant is not None
    if _needs_approval(ctx, tenant):
        post.status, post.approval_state, post.scheduled_at = PostStatus.PENDING_APPROVAL, ApprovalState.PENDING, when
        post.approved_by = post.approved_at = None
        for row in rows:
            row.status, row.next_attempt_at = PublishStatus.PENDING, None
        action = "post.submitted_for_approval"
    else:
        _queue(post, rows, when or utcnow())
        post.approval_state, post.approved_by, post.approved_at = ApprovalState.NOT_REQUIRED, None, None
        action = "post.scheduled"
    _record(session, ctx, action, post, rows, before)
    session.commit()
    return PostDetail(post, rows)


def _pending(session: Session, ctx: Context, post_id: uuid.UUID) -> tuple[Post, list[PostPlatform]]:
    post, rows = _locked(session, ctx, post_id, author=False)
    if post.status is not PostStatus.PENDING_APPROVAL:
        raise Conflict(f"This post is {_label(post.status)}, not waiting for approval.")
    return post, rows


# --- writing ---------------------------------------------------------------------------------------------


def create_post(
    ctx: Context,
    *,
    content: str,
    title: str | None = None,
    type: PostType = PostType.TEXT,
    targets: Sequence[TargetSpec] = (),
    timezone: str | None = None,
    media_ids: Sequence[uuid.UUID] = (),
) -> PostDetail:
    require(ctx, Permission.POSTS_WRITE)
    require_storable(content=content, title=title, timezone=timezone, targets=targets)
    assert ctx.user_id is not None
    with tenant_session(ctx) as session:
        tenant = session.get(Tenant, ctx.tenant_id)
        assert tenant is not None
        post = Post(
            tenant_id=ctx.tenant_id,
            created_by=ctx.user_id,
            content=content,
            title=_clean_title(title),
            type=type,
            timezone=validate_timezone(timezone) if timezone else tenant.timezone,
            media_urls=media_items.check_attachable(session, media_ids, field="media_ids"),
        )
        session.add(post)
        session.flush()  # no ORM relationships: the rows' parent must exist first
        rows = _apply_targets(session, ctx, post, [], targets)
        _record(session, ctx, "post.created", post, rows, None)
        session.commit()
        return PostDetail(post, rows)


def update_post(
    ctx: Context,
    post_id: uuid.UUID,
    *,
    content: str | None = None,
    title: str | None = None,
    targets: Sequence[TargetSpec] | None = None,
    media_ids: Sequence[uuid.UUID] | None = None,
) -> PostDetail:
    """Change what is given (None keeps; an empty title clears). Only drafts and posts awaiting approval."""
    require(ctx, Permission.POSTS_WRITE)
    require_storable(content=content, title=title, targets=targets)
    with tenant_session(ctx) as session:
        post, rows = _locked(session, ctx, post_id)
        if post.status not in EDITABLE:
            raise Conflict(f"This post is {_label(post.status)}; only drafts and posts awaiting approval can change.")
        before = _view(post, rows)
        if content is not None:
            post.content = content
        if title is not None:
            post.title = _clean_title(title)
        if media_ids is not None:
            post.media_urls = media_items.check_attachable(session, media_ids, field="media_ids")
        if targets is not None:
            rows = _apply_targets(session, ctx, post, rows, targets)
        if _view(post, rows) != before:
            post.updated_at = utcnow()
            _record(session, ctx, "post.updated", post, rows, before)
        session.commit()
        return PostDetail(post, rows)


def delete_post(ctx: Context, post_id: uuid.UUID) -> None:
    """Hard delete (its rows cascade), only while nothing of it was sent or is being sent."""
    require(ctx, Permission.POSTS_WRITE)
    with tenant_session(ctx) as session:
        post, rows = _locked(session, ctx, post_id)
        out = [row for row in rows if row.status in OUT]
        if out:
            raise Conflict(f"This post cannot be deleted: {_out(out)}.")
        if post.status not in DELETABLE or any(row.status not in AT_REST for row in rows):
            raise Conflict(f"This post is {_label(post.status)}: cancel it first, then delete it.")
        # AI usage stays on the books; it just no longer points at the post.
        session.execute(sa.update(AIRequest).where(col(AIRequest.post_id) == post.id).values(post_id=None))
        audit.record(session, ctx, "post.deleted", entity_type="post", entity_id=post.id, before=_view(post, rows))
        _announce_after_commit(session, ctx, post)
        session.delete(post)
        session.commit()


# --- checking, scheduling, approving ---------------------------------------------------------------------


def validate_post(ctx: Context, post_id: uuid.UUID) -> dict[str, list[str]]:
    """Every target's problems together, by account id; an empty list means that target is fine."""
    require(ctx, Permission.POSTS_READ)
    with tenant_session(ctx) as session:
        post = _get(session, post_id)
        return _problems(session, post, _targets(session, [post.id]))


def schedule_post(
    ctx: Context, post_id: uuid.UUID, *, at: datetime | None = None, timezone: str | None = None
) -> PostDetail:
    """Queue the post for ``at`` (None: now), or hold it for an approver when the team's policy says so.

    A naive ``at`` is a wall-clock time in ``timezone`` (else the post's zone); it is stored in UTC.
    """
    require(ctx, Permission.POSTS_WRITE)
    with tenant_session(ctx) as session:
        return _schedule(session, ctx, *_locked(session, ctx, post_id), at, timezone)


def check_draft(
    ctx: Context,
    *,
    content: str,
    title: str | None = None,
    targets: Sequence[TargetSpec] = (),
    media_ids: Sequence[uuid.UUID] = (),
) -> dict[str, list[str]]:
    """``validate_post`` for a post not saved yet (the composer, as a person types); nothing is written."""
    require(ctx, Permission.POSTS_READ)
    try:
        require_storable(content=content, title=title, targets=targets)
    except UnstorableText as exc:  # shown where every other problem is: under each target
        return {str(spec.account_id): [exc.message] for spec in targets}
    with tenant_session(ctx) as session:
        post = Post(
            tenant_id=ctx.tenant_id,
            created_by=ctx.user_id or uuid.uuid4(),
            content=content,
            title=title,
            media_urls=[str(media_id) for media_id in media_ids],
        )
        accounts = session.exec(
            select(SocialAccount).where(col(SocialAccount.id).in_([spec.account_id for spec in targets]))
        ).all()
        platforms = {account.id: account.platform for account in accounts}
        rows = [
            PostPlatform(
                tenant_id=ctx.tenant_id,
                post_id=post.id,
                social_account_id=spec.account_id,
                platform=platforms[spec.account_id],
                custom_content=spec.custom_content,
                custom_media=[str(media_id) for media_id in spec.media_ids],
                options=dict(spec.options),
            )
            for spec in targets
            if spec.account_id in platforms
        ]
        problems = _problems(session, post, rows)
        session.rollback()  # the transient rows were never added; nothing to keep
    for spec in targets:
        problems.setdefault(str(spec.account_id), ["There is no such connected account."])
    return problems


def needs_approval(ctx: Context) -> bool:
    """Whether scheduling a post now would hold it for an approver (the role, and the team's policy)."""
    with tenant_session(ctx) as session:
        tenant = session.get(Tenant, ctx.tenant_id)
        assert tenant is not None
        return _needs_approval(ctx, tenant)


def unschedule_post(ctx: Context, post_id: uuid.UUID) -> PostDetail:
    """Back to a draft (to edit it), while no target has started; the planned time is kept for the calendar."""
    require(ctx, Permission.POSTS_WRITE)
    with tenant_session(ctx) as session:
        post, rows = _locked(session, ctx, post_id)
        if post.status is not PostStatus.SCHEDULED:
            raise Conflict(f"This post is {_label(post.status)}; only a scheduled post can go back to drafts.")
        if any(row.status is not PublishStatus.QUEUED for row in rows):
            raise Conflict("Publishing has already started for this post, so it can no longer go back to drafts.")
        before = _view(post, rows)
        post.status = PostStatus.DRAFT
        for row in rows:
            row.status, row.next_attempt_at = PublishStatus.PENDING, None
        _record(session, ctx, "post.unscheduled", post, rows, before)
        session.commit()
        return PostDetail(post, rows)


def reschedule_post(
    ctx: Context, post_id: uuid.UUID, *, at: datetime | None = None, timezone: str | None = None
) -> PostDetail:
    """``schedule_post`` for a post that is scheduled and not started."""
    require(ctx, Permission.POSTS_WRITE)
    with tenant_session(ctx) as session:
        post, rows = _locked(session, ctx, post_id)
        if post.status is not PostStatus.SCHEDULED:
            raise Conflict(f"This post is {_label(post.status)}; only a scheduled post can be rescheduled.")
        return _schedule(session, ctx, post, rows, at, timezone)


def approve_post(ctx: Context, post_id: uuid.UUID) -> PostDetail:
    require(ctx, Permission.POSTS_APPROVE)
    with tenant_session(ctx) as session:
        post, rows = _pending(session, ctx, post_id)
        if post.created_by == ctx.user_id and ctx.role not in (Role.OWNER, Role.ADMIN):
            raise NotPermitted("You cannot approve your own post; ask another approver.")
        before = _view(post, rows)
        _check(session, post, rows)  # it may have been edited since it was submitted
        now = utcnow()
        _queue(post, rows, max(post.scheduled_at or now, now))  # a time that passed while waiting: now
        post.approval_state, post.approved_by, post.approved_at = ApprovalState.APPROVED, ctx.user_id, now
        _record(session, ctx, "post.approved", post, rows, before)
        session.commit()
        return PostDetail(post, rows)


def reject_post(ctx: Context, post_id: uuid.UUID, reason: str) -> PostDetail:
    require(ctx, Permission.POSTS_APPROVE)
    require_storable(reason=reason)
    reason = reason.strip()
    if not reason:
        raise Invalid("Say why, so the author knows what to change.", details={"field": "reason"})
    with tenant_session(ctx) as session:
        post, rows = _pending(session, ctx, post_id)
        before = _view(post, rows)
        post.status, post.approval_state = PostStatus.DRAFT, ApprovalState.REJECTED
        _record(session, ctx, "post.rejected", post, rows, before, reason=reason)
        session.commit()
        return PostDetail(post, rows)


# --- stopping and retrying -------------------------------------------------------------------------------


def cancel_post(ctx: Context, post_id: uuid.UUID) -> PostDetail:
    """Stop every target not sent yet. What a platform has (or may have) cannot be undone: the rest is still
    stopped and committed, then a Conflict names the platforms that have it."""
    require(ctx, Permission.POSTS_WRITE)
    with tenant_session(ctx) as session:
        post, rows = _locked(session, ctx, post_id)
        if post.status in (PostStatus.DRAFT, PostStatus.CANCELLED):
            raise Conflict(f"This post is {_label(post.status)}: nothing is scheduled to cancel.")
        before = _view(post, rows)
        stopped = [row for row in rows if row.status in STOPPABLE]
        for row in stopped:
            row.status, row.next_attempt_at = PublishStatus.CANCELLED, None
        out = [row for row in rows if row.status in OUT]
        if not out:
            post.status = PostStatus.CANCELLED
        elif stopped and not any(row.status is PublishStatus.PUBLISHING for row in out):  # as publishing derives it
            published = any(row.status is PublishStatus.PUBLISHED for row in out)
            post.status = PostStatus.PARTIALLY_PUBLISHED if published else PostStatus.FAILED
        if stopped or not out:
            _record(session, ctx, "post.cancelled", post, rows, before)
        session.commit()
    if out:
        names = ", ".join(sorted({_title(row.platform) for row in stopped}))
        rest = f" Publishing to {names} was stopped." if stopped else ""
        raise Conflict(
            f"This post cannot be cancelled everywhere: {_out(out)}.{rest}",
            details={
                "platforms": {str(row.social_account_id): row.status.value for row in out},
                "cancelled": [str(row.social_account_id) for row in stopped],
            },
        )
    return PostDetail(post, rows)


def retry_target(
    ctx: Context, post_id: uuid.UUID, post_platform_id: uuid.UUID, *, confirm_not_published: bool = False
) -> PostDetail:
    """Queue a failed or cancelled target again now (after fixing it, or as it was). An unconfirmed one only once
    a person checked the platform. A post changed after its approval needs an approver to send it: the retry is
    that approval."""
    require(ctx, Permission.POSTS_PUBLISH)
    with tenant_session(ctx) as session:
        post, rows = _locked(session, ctx, post_id, author=False)
        row = _target(rows, post_platform_id)
        name = _title(row.platform)
        if row.status is PublishStatus.UNCONFIRMED and not confirm_not_published:
            raise Conflict(
                f"We could not confirm whether {name} published this post, so it is not sent again blindly. Check "
                f"the account on {name}; if the post is not there, retry with confirm_not_published set to true.",
                details={"field": "confirm_not_published"},
            )
        if row.status not in RETRYABLE:
            raise Conflict(f"Only a failed or cancelled target can be retried; the {name} one is {_label(row.status)}.")
        if post.status is PostStatus.PENDING_APPROVAL:
            raise Conflict("This post is waiting for approval: approve or reject it instead.")
        approving = post.approval_state is ApprovalState.PENDING  # changed since it was approved, or never was
        if approving and not _may_approve(ctx, post):
            raise NotPermitted(
                "This post changed after it was approved (or was never approved), so an approver must send it: "
                "ask another approver to retry it."
            )
        before = _view(post, rows)
        _check(session, post, [row])  # it may have been changed, or a file deleted, since it was scheduled
        now = utcnow()
        _requeue(row, now)
        if approving:
            post.approval_state, post.approved_by, post.approved_at = ApprovalState.APPROVED, ctx.user_id, now
        if post.status is not PostStatus.PUBLISHING:  # the pipeline settles the final status from the rows
            post.status = PostStatus.SCHEDULED
        _record(
            session,
            ctx,
            "post.retried",
            post,
            rows,
            before,
            target=str(row.id),
            confirmed=confirm_not_published,
            approved=approving,
        )
        session.commit()
        return PostDetail(post, rows)


# --- fixing a target that failed or was cancelled ------------------------------------------------------


def _target(rows: Sequence[PostPlatform], post_platform_id: uuid.UUID) -> PostPlatform:
    row = next((r for r in rows if r.id == post_platform_id), None)
    if row is None:
        raise NotFound("This post has no such target.")
    return row


def _may_approve(ctx: Context, post: Post) -> bool:
    """approve_post's rule: an approver, and not for their own post unless an owner or admin."""
    own = post.created_by == ctx.user_id and ctx.role not in (Role.OWNER, Role.ADMIN)
    return has_permission(ctx.role, Permission.POSTS_APPROVE) and not own


def _target_view(row: PostPlatform) -> dict[str, Any]:
    """The audit log's picture of one target's content."""
    return {
        "target": str(row.id),
        "platform": row.platform.value,
        "status": row.status.value,
        "custom_content": row.custom_content[:500] if row.custom_content is not None else None,
        "options": dict(row.options),
        "media": list(row.custom_media),
    }


def _change(session: Session, row: PostPlatform, change: TargetChange) -> None:
    if change.custom_content is not KEEP:
        row.custom_content = change.custom_content
    if change.options is not None:
        row.options = dict(change.options)
    if change.media_ids is not None:
        row.custom_media = media_items.check_attachable(session, change.media_ids, field="media_ids")


def _fixable(row: PostPlatform) -> None:
    if row.status not in FIXABLE:
        raise Conflict(
            f"Only a failed or cancelled target can be changed; the {_title(row.platform)} one is {_label(row.status)}."
        )


def check_target(ctx: Context, post_id: uuid.UUID, post_platform_id: uuid.UUID, change: TargetChange) -> list[str]:
    """What the target's platform would say about it with ``change`` made (as someone edits it); nothing is
    written."""
    require(ctx, Permission.POSTS_READ)
    with tenant_session(ctx) as session:
        post = _get(session, post_id)
        row = _target(_targets(session, [post.id]), post_platform_id)
        session.expunge_all()  # the change below is a what-if: it must never be flushed
        _change(session, row, change)
        problems = _problems(session, post, [row])[str(row.social_account_id)]
        session.rollback()
    return problems


def update_target(ctx: Context, post_id: uuid.UUID, post_platform_id: uuid.UUID, change: TargetChange) -> PostDetail:
    """Change a failed or cancelled target's text, platform fields or files, so that a retry can succeed; the
    other targets (published ones above all) are not touched. Refused, with nothing changed, while its platform
    would refuse it. When the team's policy would hold this person's post for an approver, the post needs one
    again before the target goes out (see ``retry_target``)."""
    require(ctx, Permission.POSTS_WRITE)
    with tenant_session(ctx) as session:
        post, rows = _locked(session, ctx, post_id)
        row = _target(rows, post_platform_id)
        _fixable(row)
        before = _target_view(row)
        _change(session, row, change)
        _check(session, post, [row])
        if _target_view(row) != before:
            tenant = session.get(Tenant, ctx.tenant_id)
            assert tenant is not None
            if _needs_approval(ctx, tenant):
                post.approval_state, post.approved_by, post.approved_at = ApprovalState.PENDING, None, None
            post.updated_at = utcnow()
            after = {**_target_view(row), "approval_state": post.approval_state.value}
            audit.record(
                session, ctx, "post.target_updated", entity_type="post", entity_id=post.id, before=before, after=after
            )
            _announce_after_commit(session, ctx, post)
        session.commit()
        return PostDetail(post, rows)


# --- reading ---------------------------------------------------------------------------------------------


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_posts(
    ctx: Context,
    *,
    status: PostStatus | None = None,
    platform: Platform | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[PostDetail], int]:
    """Newest first. ``since``/``until`` bound the scheduled time (the creation time for unscheduled posts)."""
    require(ctx, Permission.POSTS_READ)
    require_storable(text=text)
    when = func.coalesce(Post.scheduled_at, Post.created_at)
    conditions: list[Any] = []
    if status is not None:
        conditions.append(Post.status == status)
    if platform is not None:
        conditions.append(col(Post.id).in_(select(PostPlatform.post_id).where(PostPlatform.platform == platform)))
    if since is not None:
        conditions.append(when >= since)
    if until is not None:
        conditions.append(when < until)
    if text:
        pattern = f"%{_escape_like(text)}%"
        conditions.append(or_(*(col(c).ilike(pattern, escape="\\") for c in (Post.content, Post.title))))
    with tenant_session(ctx) as session:
        total = session.exec(select(func.count()).select_from(Post).where(*conditions)).one()
        query = select(Post).where(*conditions).order_by(col(Post.created_at).desc(), col(Post.id).desc())
        posts = list(session.exec(query.offset(offset).limit(limit)).all())
        rows = _targets(session, [post.id for post in posts]) if posts else []
    by_post: dict[uuid.UUID, list[PostPlatform]] = {post.id: [] for post in posts}
    for row in rows:
        by_post[row.post_id].append(row)
    return [PostDetail(post, by_post[post.id]) for post in posts], total


def get_post(ctx: Context, post_id: uuid.UUID) -> PostDetail:
    require(ctx, Permission.POSTS_READ)
    with tenant_session(ctx) as session:
        post = _get(session, post_id)
        return PostDetail(post, _targets(session, [post.id]))


def describe_post(ctx: Context, post_id: uuid.UUID) -> PostView:
    """``get_post`` with what each target sends (or sent): the text, the fields and the files its platform gets."""
    require(ctx, Permission.POSTS_READ)
    with tenant_session(ctx) as session:
        post = _get(session, post_id)
        rows = _targets(session, [post.id])
        wanted = {media_id for row in rows for media_id in media_items.target_media_ids(post, row)}
        found = session.exec(select(Media).where(col(Media.id).in_(wanted))).all() if wanted else []
    files = {row.id: row for row in found}
    views = []
    for row in rows:
        ids = media_items.target_media_ids(post, row)
        draft = draft_for(post, row)
        views.append(
            TargetView(
                row=row,
                text=draft.text,
                own_text=row.custom_content is not None,
                options=dict(draft.options),
                media=[files[i] for i in ids if i in files],
                own_media=bool(row.custom_media),
                missing_media=sum(i not in files for i in ids),
            )
        )
    return PostView(post, views)


@dataclass(frozen=True)
class Submission:
    """A post of one's own on its way through approval; a rejected one carries the approver's words."""

    post: Post
    targets: list[PostPlatform]
    rejected_by: uuid.UUID | None = None
    rejection_reason: str | None = None


def awaiting_approval(ctx: Context, *, limit: int = 20) -> tuple[list[PostDetail], int]:
    """Posts waiting for an approver that this person may approve (their own only if they are an owner or an
    admin, as ``approve_post`` rules), the most urgent first: "as soon as approved", then by planned time."""
    require(ctx, Permission.POSTS_APPROVE)
    conditions: list[Any] = [Post.status == PostStatus.PENDING_APPROVAL]
    if ctx.role not in (Role.OWNER, Role.ADMIN):
        conditions.append(Post.created_by != ctx.user_id)
    with tenant_session(ctx) as session:
        total = session.exec(select(func.count()).select_from(Post).where(*conditions)).one()
        query = select(Post).where(*conditions).order_by(col(Post.scheduled_at).asc().nulls_first(), Post.updated_at)
        found = list(session.exec(query.limit(limit)).all())
        rows = _targets(session, [post.id for post in found]) if found else []
    return [PostDetail(post, [r for r in rows if r.post_id == post.id]) for post in found], total


def my_submissions(ctx: Context, *, limit: int = 20) -> list[Submission]:
    """This person's posts waiting for approval or sent back (newest first), each rejection with its reason."""
    require(ctx, Permission.POSTS_WRITE)
    waiting = Post.status == PostStatus.PENDING_APPROVAL
    rejected = (Post.status == PostStatus.DRAFT) & (Post.approval_state == ApprovalState.REJECTED)
    with tenant_session(ctx) as session:
        query = (
            select(Post)
            .where(Post.created_by == ctx.user_id, or_(waiting, rejected))
            .order_by(col(Post.updated_at).desc(), col(Post.id))
            .limit(limit)
        )
        found = list(session.exec(query).all())
        rows = _targets(session, [post.id for post in found]) if found else []
        sent_back = [str(post.id) for post in found if post.approval_state is ApprovalState.REJECTED]
        # The reason lives only in the audit record of the rejection (reject_post): the latest one per post.
        entries = (
            session.exec(
                select(AuditLog)
                .where(
                    AuditLog.entity_type == "post",
                    AuditLog.action == "post.rejected",
                    col(AuditLog.entity_id).in_(sent_back),
                )
                .order_by(col(AuditLog.created_at).desc())
            ).all()
            if sent_back
            else []
        )
    latest: dict[str, AuditLog] = {}
    for entry in entries:
        latest.setdefault(entry.entity_id or "", entry)

    def submission(post: Post) -> Submission:
        targets = [row for row in rows if row.post_id == post.id]
        entry = latest.get(str(post.id))
        if entry is None:
            return Submission(post, targets)
        return Submission(post, targets, entry.actor_user_id, str((entry.after or {}).get("reason") or "") or None)

    return [submission(post) for post in found]
