"""Publishing one target of a post, exactly once or with a clear "check the platform".

Each ``post_platforms`` row is a state machine (DESIGN.md "Publishing"):

    queued / retry_wait ──claim──▶ publishing ──▶ published | retry_wait | failed | unconfirmed

* **Claim**: ``SELECT … FOR UPDATE SKIP LOCKED`` on a due row, then a lease (``lease_until``) and a
  ``lease_token``; every later write is conditional on that token, so a worker whose lease was taken
  over can never overwrite the new owner's result.
* **Arm, then call**: ``armed_at`` is committed just before the irreversible platform call. A row recovered
  from an expired lease without it was never sent and is simply published; with it, it is reconciled
  (the platform's handle or recent posts), and if the outcome cannot be known it becomes ``unconfirmed``
  — never a blind second post.
* **Errors by class** (platforms/errors.py): AUTH → refreshed once by ``with_access_token``, then
  ``failed`` and the account marked for reconnecting; RATE → wait until the platform's reset; TRANSIENT →
  exponential backoff with jitter, at most 3 retries (if the request may have been applied: reconcile
  instead); PERMANENT → ``failed`` with the platform's words; DUPLICATE → ``published``.
* The post's own status is derived from its rows.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis
import sqlalchemy as sa
from sqlmodel import Session, select

from socialhub.context import Context
from socialhub.db import system_session, tenant_session
from socialhub.models import (
    AnalyticsEvent,
    ErrorClass,
    Post,
    PostPlatform,
    PostStatus,
    PublishStatus,
    utcnow,
)
from socialhub.platforms.base import AccountIdentity, Draft, PlatformClient, PublishResult
from socialhub.platforms.errors import (
    AuthError,
    DuplicateIsSuccess,
    PermanentError,
    PlatformError,
    RateLimited,
    TransientError,
)
from socialhub.services import audit
from socialhub.services.social_accounts import PlatformRefused, with_access_token
from socialhub.settings import get_settings

log = logging.getLogger(__name__)

MAX_TRANSIENT_RETRIES = 3
BACKOFF_BASE = timedelta(seconds=30)
TERMINAL = {PublishStatus.PUBLISHED, PublishStatus.FAILED, PublishStatus.UNCONFIRMED, PublishStatus.CANCELLED}
CHECK_THE_PLATFORM = (
    "SocialHub lost track of this attempt, so it may or may not have been published. Check {platform}: if the "
    "post is there, nothing more is needed; if not, retry it from the post's page."
)


@dataclass(frozen=True)
class Claim:
    tenant_id: uuid.UUID
    target_id: uuid.UUID
    token: uuid.UUID
    recovered: bool  # taken over from a worker whose lease expired
    armed_at: datetime | None  # that worker had reached the platform call


# --- claiming ----------------------------------------------------------------------------------------------


def claim(tenant_id: uuid.UUID, target_id: uuid.UUID, *, now: datetime | None = None) -> Claim | None:
    """Take a due row (or one whose lease expired) for this worker; None if it is not due or taken."""
    now = now or utcnow()
    with tenant_session(Context.system(tenant_id)) as session:
        row = session.exec(
            select(PostPlatform).where(PostPlatform.id == target_id).with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        due = row.status in (PublishStatus.QUEUED, PublishStatus.RETRY_WAIT) and (
            row.next_attempt_at is None or row.next_attempt_at <= now
        )
        expired = row.status is PublishStatus.PUBLISHING and row.lease_until is not None and row.lease_until < now
        if not (due or expired):
            return None
        result = Claim(
            tenant_id, target_id, uuid.uuid4(), recovered=expired, armed_at=row.armed_at if expired else None
        )
        row.status = PublishStatus.PUBLISHING
        row.lease_token, row.lease_until = result.token, now + timedelta(seconds=get_settings().publish_lease_seconds)
        if due:
            row.retry_count += 1
            row.armed_at = None
        post = session.get(Post, row.post_id)
        if post is not None and post.status is PostStatus.SCHEDULED:
            post.status = PostStatus.PUBLISHING
        session.commit()
        return result


def _owned(session: Session, c: Claim) -> PostPlatform | None:
    """The row, if this claim still owns it (another worker may have taken over an expired lease)."""
    row = session.exec(select(PostPlatform).where(PostPlatform.id == c.target_id).with_for_update()).first()
    return row if row is not None and row.lease_token == c.token and row.status is PublishStatus.PUBLISHING else None


def _write(c: Claim, change: Callable[[Session, PostPlatform], None]) -> bool:
    with tenant_session(Context.system(c.tenant_id)) as session:
        row = _owned(session, c)
        if row is None:
            return False
        change(session, row)
        session.commit()
        return True


# --- the attempt -----------------------------------------------------------------------------------------


def draft_for(post: Post, row: PostPlatform) -> Draft:
    """What one target publishes: its custom text (or the post's), its options, the post title as default."""
    options = dict(row.options)
    if post.title and "title" not in options:
        options["title"] = post.title
    return Draft(text=row.custom_content if row.custom_content is not None else post.content, options=options)


def publish_target(tenant_id: uuid.UUID, target_id: uuid.UUID) -> PublishStatus | None:
    """The worker's job for one row. Returns the row's new status, or None when there was nothing to do."""
    c = claim(tenant_id, target_id)
    if c is None:
        return None
    ctx = Context.system(tenant_id)
    with tenant_session(ctx) as session:
        row = session.get(PostPlatform, target_id)
        assert row is not None
        post = session.get(Post, row.post_id)
        assert post is not None
    draft = draft_for(post, row)
    if row.custom_media or post.media_urls:
        return _fail(
            c,
            PermanentError(
                row.platform.value,
                "This post has media, which this version of SocialHub cannot publish yet.",
                code="media_unsupported",
                action="Remove the media or wait for media publishing.",
            ),
        )
    since = (c.armed_at or utcnow()) - timedelta(minutes=5)
    if c.recovered and c.armed_at is not None:
        return _reconcile(c, ctx, row, draft, since)

    def arm(session: Session, r: PostPlatform) -> None:
        r.armed_at = utcnow()

    if not _write(c, arm):
        return None

    def store_handle(handle: str) -> None:
        def keep(session: Session, r: PostPlatform) -> None:
            r.platform_handle = handle[:1024]

        _write(c, keep)

    def call(client: PlatformClient, token: str, identity: AccountIdentity) -> PublishResult:
        return client.publish(token, identity, draft, on_handle=store_handle)

    try:
        result = with_access_token(ctx, row.social_account_id, call)
    except DuplicateIsSuccess as exc:
        return _succeed(c, PublishResult(exc.post_id, exc.permalink), duplicate=True)
    except PlatformRefused as exc:  # the account must be reconnected; nothing was sent
        return _fail(c, exc.error)
    except AuthError as exc:
        return _fail(c, exc)
    except RateLimited as exc:
        return _retry_at(c, exc, exc.reset_at or utcnow() + timedelta(minutes=1), counts=False)
    except TransientError as exc:
        if exc.maybe_applied:
            return _reconcile(c, ctx, row, draft, since, cause=exc)
        return _backoff(c, exc)
    except PlatformError as exc:
        return _fail(c, exc)
    except Exception:
        log.exception("publishing %s crashed after arming", target_id)
        return _unconfirmed(c, row.platform.value, "internal error")
    return _succeed(c, result)


def _reconcile(
    c: Claim, ctx: Context, row: PostPlatform, draft: Draft, since: datetime, cause: PlatformError | None = None
) -> PublishStatus | None:
    """The attempt may have reached the platform: ask it, never send again blindly."""
    try:
        found = with_access_token(
            ctx,
            row.social_account_id,
            lambda client, token, identity: client.lookup_existing(token, identity, draft, since=since),
        )
    except (PlatformError, PlatformRefused) as exc:
        log.warning("reconciling %s failed: %s", c.target_id, exc)
        found = None
    if found is not None:
        return _succeed(c, found, reconciled=True)
    return _unconfirmed(c, row.platform.value, cause.code if cause else "lease_expired")


# --- outcomes ----------------------------------------------------------------------------------------------


def _succeed(
    c: Claim, result: PublishResult, *, duplicate: bool = False, reconciled: bool = False
) -> PublishStatus | None:
    def done(session: Session, row: PostPlatform) -> None:
        now = utcnow()
        row.status = PublishStatus.PUBLISHED
        row.platform_post_id, row.permalink, row.published_at = result.post_id, result.permalink, now
        row.error_class = ErrorClass.DUPLICATE if duplicate else None
        row.error_code = row.error_message = None
        row.lease_token = row.lease_until = None
        session.add(
            AnalyticsEvent(
                tenant_id=row.tenant_id,
                post_id=row.post_id,
                social_account_id=row.social_account_id,
                event_type="published",
                platform=row.platform,
                value=1,
                recorded_at=now,
            )
        )
        audit.record(
            session,
            Context.system(row.tenant_id),
            "post.published",
            entity_type="post_platform",
            entity_id=row.id,
            after={
                "platform": row.platform.value,
                "post_id": result.post_id,
                "permalink": result.permalink,
                "reconciled": reconciled,
            },
        )
        _derive_post_status(session, row.post_id)

    return _finish(c, done, PublishStatus.PUBLISHED)


def _fail(c: Claim, error: PlatformError) -> PublishStatus | None:
    def done(session: Session, row: PostPlatform) -> None:
        row.status = PublishStatus.FAILED
        row.error_class, row.error_code = ErrorClass(error.kind.value), (error.code or "")[:100] or None
        row.error_message = error.user_message
        row.lease_token = row.lease_until = None
        audit.record(
            session,
            Context.system(row.tenant_id),
            "post.publish_failed",
            entity_type="post_platform",
            entity_id=row.id,
            after={"platform": row.platform.value, "reason": error.user_message},
        )
        _derive_post_status(session, row.post_id)

    return _finish(c, done, PublishStatus.FAILED)


def _unconfirmed(c: Claim, platform: str, code: str | None) -> PublishStatus | None:
    from socialhub.platforms.errors import PLATFORM_TITLES

    def done(session: Session, row: PostPlatform) -> None:
        row.status = PublishStatus.UNCONFIRMED
        row.error_class, row.error_code = ErrorClass.TRANSIENT, code
        row.error_message = CHECK_THE_PLATFORM.format(platform=PLATFORM_TITLES.get(platform, platform))
        row.lease_token = row.lease_until = None
        _derive_post_status(session, row.post_id)

    return _finish(c, done, PublishStatus.UNCONFIRMED)


def _retry_at(c: Claim, error: PlatformError, when: datetime, *, counts: bool) -> PublishStatus | None:
    def wait(session: Session, row: PostPlatform) -> None:
        row.status = PublishStatus.RETRY_WAIT
        row.next_attempt_at = when
        if not counts:  # waiting for a platform's rate-limit reset is not a failed attempt
            row.retry_count = max(0, row.retry_count - 1)
        row.error_class, row.error_code = ErrorClass(error.kind.value), (error.code or "")[:100] or None
        row.error_message = error.user_message
        row.lease_token = row.lease_until = row.armed_at = None

    return _finish(c, wait, PublishStatus.RETRY_WAIT)


def backoff_delay(attempt: int, *, rng: random.Random | None = None) -> timedelta:
    """30 s, 60 s, 120 s … with ±20 % jitter, so a burst of failures does not retry in lockstep."""
    jitter = (rng or random).uniform(0.8, 1.2)
    return BACKOFF_BASE * (2 ** max(0, attempt - 1)) * jitter


def _backoff(c: Claim, error: TransientError) -> PublishStatus | None:
    with tenant_session(Context.system(c.tenant_id)) as session:
        row = session.get(PostPlatform, c.target_id)
        attempts = row.retry_count if row else 0
    if attempts > MAX_TRANSIENT_RETRIES:  # the first attempt plus three retries
        return _fail(c, error)
    return _retry_at(c, error, utcnow() + backoff_delay(attempts), counts=True)


def _finish(c: Claim, change: Callable[[Session, PostPlatform], None], status: PublishStatus) -> PublishStatus | None:
    if not _write(c, change):
        log.warning("lost the lease on %s before recording %s", c.target_id, status.value)
        return None
    announce(c.tenant_id, c.target_id, status)
    return status


def _derive_post_status(session: Session, post_id: uuid.UUID) -> None:
    """PUBLISHED, PARTIALLY_PUBLISHED or FAILED once every target is settled (the seed's flow)."""
    post = session.get(Post, post_id)
    if post is None:
        return
    session.flush()
    statuses = [r.status for r in session.exec(select(PostPlatform).where(PostPlatform.post_id == post_id)).all()]
    if not statuses or any(s not in TERMINAL for s in statuses):
        return
    published = sum(s is PublishStatus.PUBLISHED for s in statuses)
    if published == len(statuses):
        post.status = PostStatus.PUBLISHED
    elif published:
        post.status = PostStatus.PARTIALLY_PUBLISHED
    elif all(s is PublishStatus.CANCELLED for s in statuses):
        post.status = PostStatus.CANCELLED
    else:
        post.status = PostStatus.FAILED
    if published:
        post.published_at = post.published_at or utcnow()


def announce(tenant_id: uuid.UUID, target_id: uuid.UUID, status: PublishStatus) -> None:
    """Live update for dashboards (Redis pub/sub); without Redis the UI simply reloads."""
    url = get_settings().redis_url
    if not url:
        return
    try:
        client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        try:
            client.publish(
                f"socialhub:tenant:{tenant_id}:posts",
                json.dumps({"post_platform_id": str(target_id), "status": status.value}),
            )
        finally:
            client.close()
    except redis.RedisError:
        log.warning("could not announce %s", target_id)


# --- the sweeper --------------------------------------------------------------------------------------------


def due_targets(*, now: datetime | None = None, limit: int = 1000) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(tenant id, row id) of every row due now or whose lease expired, across tenants (ids only)."""
    with system_session() as session:
        rows = session.execute(
            sa.text("SELECT * FROM app_due_post_platforms(:now, :limit)"), {"now": now or utcnow(), "limit": limit}
        ).all()
    return [(r[0], r[1]) for r in rows]


def sweep(
    enqueue: Callable[[uuid.UUID, uuid.UUID], None],
    *,
    recently: dict[uuid.UUID, float] | None = None,
    now: datetime | None = None,
    quiet_seconds: float = 30.0,
) -> int:
    """Enqueue due work. ``recently`` (row → when it was last enqueued, kept by the caller between sweeps)
    keeps a row that is still waiting in the queue from being enqueued again every tick."""
    import time

    clock = time.monotonic()
    sent = 0
    for tenant_id, target_id in due_targets(now=now):
        if recently is not None and clock - recently.get(target_id, -1e9) < quiet_seconds:
            continue
        enqueue(tenant_id, target_id)
        if recently is not None:
            recently[target_id] = clock
        sent += 1
    if recently is not None:
        for key in [k for k, t in recently.items() if clock - t > quiet_seconds * 4]:
            del recently[key]
    return sent
