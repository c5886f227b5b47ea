"""Publishing one target of a post, exactly once or with a clear "check the platform".

Each ``post_platforms`` row is a state machine (DESIGN.md "Publishing"):

    queued / retry_wait ──claim──▶ publishing ──▶ published | retry_wait | failed | unconfirmed

* **Claim**: ``SELECT … FOR UPDATE SKIP LOCKED`` on a due row, then a lease (``lease_until``) and a
  ``lease_token``; every later write is conditional on that token, so a worker whose lease was taken
  over can never overwrite the new owner's result.
* **Arm, then call**: ``armed_at`` is committed just before the irreversible platform call (again at the
  platform's ``on_handle``, when uploads came first), and the lease is stretched past the moment a request of
  the attempt could still land. Arming is conditional on the lease token, so a worker that lost the row sends
  nothing more. A row recovered from an expired lease without ``armed_at`` was never sent and is simply
  published; with it, it is reconciled (see ``_reconcile``): found → published; not found where the platform's
  lookup is authoritative (``PlatformClient.lookup_authority``) and nothing of the attempt can still land →
  published now, still exactly once; otherwise ``unconfirmed`` — never a blind second post.
* **Errors by class** (platforms/errors.py): AUTH → refreshed once by ``with_access_token``, then
  ``failed`` and the account marked for reconnecting; RATE → wait until the platform's reset; TRANSIENT →
  exponential backoff with jitter, at most 3 retries (if the request may have been applied: reconcile
  instead); PERMANENT → ``failed`` with the platform's words; DUPLICATE → ``published``.
* The post's own status is derived from its rows.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col, select

from socialhub.context import Context
from socialhub.db import system_session, tenant_session
from socialhub.models import (
    ErrorClass,
    Platform,
    Post,
    PostPlatform,
    PostStatus,
    PublishStatus,
    SocialAccount,
    utcnow,
)
from socialhub.platforms.base import AccountIdentity, Draft, MediaItem, PlatformClient, PublishResult
from socialhub.platforms.errors import (
    PLATFORM_TITLES,
    AuthError,
    DuplicateIsSuccess,
    PermanentError,
    PlatformError,
    RateLimited,
    TransientError,
)
from socialhub.platforms.registry import platform_class
from socialhub.services import audit, live, media_items, platform_gate
from socialhub.services.errors import Unavailable
from socialhub.services.social_accounts import PlatformRefused, with_access_token
from socialhub.settings import get_settings

log = logging.getLogger(__name__)

MAX_TRANSIENT_RETRIES = 3
BACKOFF_BASE = timedelta(seconds=30)
# The longest one request can stay in flight on our side: httpx's timeout bounds each phase (waiting for a pooled
# connection, connecting, writing, reading) separately, so up to four timeouts pass before it gives up.
REQUEST_PHASES = 4
# A lookup that fails (rate limit, outage, a listing too long to read) is tried again this often, for this long
# after the attempt's requests settled; then the target is unconfirmed.
LOOKUP_RETRY = timedelta(seconds=30)
LOOKUP_PATIENCE = timedelta(minutes=30)
TERMINAL = {PublishStatus.PUBLISHED, PublishStatus.FAILED, PublishStatus.UNCONFIRMED, PublishStatus.CANCELLED}
Requeue = Callable[[datetime], None]
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
    reason: str = "lease_expired"  # why the row is being reconciled, for an unconfirmed row's error code


class _LeaseLost(Exception):
    """Arming found the row taken over by another worker: this attempt must send nothing more."""


# The statements every publish runs, as plain SQL: an ORM-enabled UPDATE or INSERT costs about 0.4 ms of CPU in
# SQLAlchemy, ten times the statement itself, and they run for every target (bench/publish_burst.py --profile).
# They go through the tenant session like any other statement, so row-level security applies. A write that must
# only happen while this claim owns the row carries ``_OWNED``: the same check ``_owned`` makes.
_OWNED = "id = :id AND lease_token = :token AND status = 'publishing'"
# A due row's claim is a new attempt (counted, not armed yet); taking over an expired lease is the same attempt.
_CLAIM = sa.text(
    "UPDATE post_platforms SET status = 'publishing', lease_token = :token, lease_until = :lease_until, "
    "retry_count = retry_count + :attempt, armed_at = CASE WHEN :attempt = 1 THEN NULL ELSE armed_at END, "
    "updated_at = :now WHERE id = :id"
)
_POST_PUBLISHING = sa.text(
    "UPDATE posts SET status = 'publishing', updated_at = :now WHERE id = :post_id AND status = 'scheduled'"
)
# Arming also stretches the lease past the moment a request of this attempt could still land (``_landed_by``), so
# no one takes the row over while the request may be in flight; at ``on_handle`` it keeps the handle too.
_ARM = sa.text(
    "UPDATE post_platforms SET armed_at = :now, lease_until = GREATEST(lease_until, :landed_by), "
    f"platform_handle = COALESCE(:handle, platform_handle), updated_at = :now WHERE {_OWNED}"
)
# The earlier attempt is proven never to have landed: what follows is a new attempt, not yet armed.
_RESTART = sa.text(
    f"UPDATE post_platforms SET retry_count = retry_count + 1, armed_at = NULL, updated_at = :now WHERE {_OWNED} "
    "RETURNING id"
)
_RECORD_PUBLISHED = sa.text(
    "UPDATE post_platforms SET status = 'published', platform_post_id = :post_id, permalink = :permalink, "
    "published_at = :now, error_class = :error_class, error_code = NULL, error_message = NULL, "
    f"lease_token = NULL, lease_until = NULL, updated_at = :now WHERE {_OWNED} "
    "RETURNING post_id, social_account_id, platform"
)
_PUBLISHED_EVENT = sa.text(
    "INSERT INTO analytics_events (tenant_id, post_id, social_account_id, event_type, platform, value, recorded_at) "
    "VALUES (:tenant_id, :post_id, :account_id, 'published', :platform, 1, :now)"
)
# FOR NO KEY UPDATE, not FOR UPDATE: the analytics and audit rows just inserted hold KEY SHARE locks on the post
# (their foreign keys), which FOR UPDATE would wait on, and two siblings would deadlock.
_LOCK_POST = sa.text("SELECT id FROM posts WHERE id = :post_id FOR NO KEY UPDATE")
_TARGET_STATUSES = sa.text("SELECT status FROM post_platforms WHERE post_id = :post_id")
_SET_POST_STATUS = sa.text(
    "UPDATE posts SET status = :status, updated_at = :now, "
    "published_at = CASE WHEN CAST(:published AS boolean) THEN coalesce(published_at, :now) ELSE published_at END "
    "WHERE id = :post_id"
)


# --- claiming ----------------------------------------------------------------------------------------------


def claim(tenant_id: uuid.UUID, target_id: uuid.UUID, *, now: datetime | None = None) -> Claim | None:
    """Take a due row (or one whose lease expired) for this worker; None if it is not due or taken."""
    taken = _take(tenant_id, target_id, now=now)
    return taken[0] if taken else None


class Taken(NamedTuple):
    claim: Claim
    row: PostPlatform
    post: Post
    account: SocialAccount | None  # read with the claim, so the platform call needs no read of its own


def _take(tenant_id: uuid.UUID, target_id: uuid.UUID, *, now: datetime | None = None) -> Taken | None:
    """``claim``, also returning the row, its post and its account as committed (one transaction, not three)."""
    now = now or utcnow()
    with tenant_session(Context.system(tenant_id)) as session:
        # One round trip for all three; only the target row is locked (and skipped when another worker has it).
        found = session.exec(
            select(PostPlatform, Post, SocialAccount)
            .join(Post, col(Post.id) == PostPlatform.post_id)
            .join(SocialAccount, col(SocialAccount.id) == PostPlatform.social_account_id)
            .where(PostPlatform.id == target_id)
            .with_for_update(of=PostPlatform, skip_locked=True)  # type: ignore[arg-type]
        ).first()
        if found is None:
            return None
        row, post, account = found
        due = row.status in (PublishStatus.QUEUED, PublishStatus.RETRY_WAIT) and (
            row.next_attempt_at is None or row.next_attempt_at <= now
        )
        expired = row.status is PublishStatus.PUBLISHING and row.lease_until is not None and row.lease_until < now
        if not (due or expired):
            return None
        # A row held for a later look (``_hold``) has no lease token and says in its error code why it is held.
        reason = (row.error_code or "lease_expired") if expired and row.lease_token is None else "lease_expired"
        result = Claim(
            tenant_id,
            target_id,
            uuid.uuid4(),
            recovered=expired,
            armed_at=row.armed_at if expired else None,
            reason=reason,
        )
        lease_until = now + timedelta(seconds=get_settings().publish_lease_seconds)
        session.expunge_all()  # plain values from here: the writes are two statements, not an ORM flush
        params = {"id": target_id, "token": result.token, "lease_until": lease_until, "attempt": int(due), "now": now}
        session.execute(_CLAIM, params)
        if post.status is PostStatus.SCHEDULED:
            session.execute(_POST_PUBLISHING, {"post_id": post.id, "now": now})
            post.status = PostStatus.PUBLISHING
        session.commit()
    row.status, row.lease_token, row.lease_until = PublishStatus.PUBLISHING, result.token, lease_until
    if due:
        row.retry_count, row.armed_at = row.retry_count + 1, None
    return Taken(result, row, post, account)


def _owned(session: Session, c: Claim) -> PostPlatform | None:
    """The row, if this claim still owns it (another worker may have taken over an expired lease)."""
    row = session.exec(select(PostPlatform).where(PostPlatform.id == c.target_id).with_for_update()).first()
    return row if row is not None and row.lease_token == c.token and row.status is PublishStatus.PUBLISHING else None


def _landed_by(armed_at: datetime, client_class: type[PlatformClient]) -> datetime:
    """When no request of an attempt armed at ``armed_at`` can still land: the request's own timeout (every phase
    of it), then the platform's settling delay for creating the post and showing it in its listing."""
    in_flight = REQUEST_PHASES * get_settings().platform_timeout_seconds
    return armed_at + timedelta(seconds=in_flight + client_class.lookup_authority.settle_seconds)


def _arm(c: Claim, client_class: type[PlatformClient], handle: str | None = None) -> datetime:
    """Commit ``armed_at`` just before the irreversible call, if this claim still owns the row (one statement);
    raises ``_LeaseLost`` if it does not, so nothing is sent. Returns the moment armed."""
    now = utcnow()
    params = {
        "now": now,
        "landed_by": _landed_by(now, client_class),
        "handle": handle[:1024] if handle is not None else None,
        "id": c.target_id,
        "token": c.token,
    }
    with tenant_session(Context.system(c.tenant_id)) as session:
        armed = session.execute(_ARM, params)
        session.commit()
    if armed.rowcount != 1:  # type: ignore[attr-defined]
        raise _LeaseLost(c.target_id)
    return now


def _write(c: Claim, change: Callable[[Session, PostPlatform], None]) -> bool:
    with tenant_session(Context.system(c.tenant_id)) as session:
        row = _owned(session, c)
        if row is None:
            return False
        change(session, row)
        session.commit()
        return True


# --- the attempt -----------------------------------------------------------------------------------------


def draft_for(post: Post, row: PostPlatform, media_items: Sequence[MediaItem] = ()) -> Draft:
    """What one target publishes: its custom text (or the post's), its media (``media_items.target_media_ids``),
    its options, the post title as default."""
    options = dict(row.options)
    if post.title and "title" not in options:
        options["title"] = post.title
    text = row.custom_content if row.custom_content is not None else post.content
    return Draft(text=text, media=tuple(media_items), options=options)


def publish_target(
    tenant_id: uuid.UUID, target_id: uuid.UUID, *, requeue: Requeue | None = None
) -> PublishStatus | None:
    """The worker's job for one row. Returns the row's new status, or None when there was nothing to do.

    ``requeue(when)`` is called when the row is put back to wait (a rate limit, a backoff, every slot of the
    platform taken), so the caller's queue brings it back on time; the sweeper stays the safety net.
    """
    taken = _take(tenant_id, target_id)
    if taken is None:
        return None
    c, row, post, account = taken
    ctx = Context.system(tenant_id)
    try:  # the files' bytes (for upload APIs) and pull URLs (for the platforms that fetch them)
        items = media_items.items_for_publishing(ctx, media_items.target_media_ids(post, row))
    except media_items.MediaGone as exc:
        error = PermanentError(row.platform.value, exc.message, code="media_missing", action="Edit the post's media.")
        return _fail(c, error)
    except Unavailable as exc:  # storage failed before anything was sent: retried like a platform hiccup
        return _backoff(c, TransientError(row.platform.value, exc.message, code="media_storage"), requeue)
    draft = draft_for(post, row, items)
    since = (c.armed_at or utcnow()) - timedelta(minutes=5)
    # The platform's shared limits come before arming: a row turned away here was never sent, stays un-armed,
    # and no attempt is counted.
    gate = platform_gate.get_gate()
    admitted = gate.admit(row.platform.value, str(row.social_account_id))
    if isinstance(admitted, platform_gate.Wait):
        return _wait(c, row, admitted, requeue)
    try:
        return _attempt(c, ctx, row, account, draft, since, gate, requeue)
    finally:
        gate.release(admitted)


def _attempt(
    c: Claim,
    ctx: Context,
    row: PostPlatform,
    account: SocialAccount | None,
    draft: Draft,
    since: datetime,
    gate: platform_gate.PlatformGate,
    requeue: Requeue | None,
) -> PublishStatus | None:
    """Arm, call the platform once, record what it said (the caller holds one of the platform's slots)."""
    target_id = c.target_id
    if c.recovered and c.armed_at is not None:
        verdict = _reconcile(c, ctx, row, draft, since, c.armed_at, requeue)
        if not isinstance(verdict, _Absent):
            return verdict
        if not _restart(c):
            return None

    armed: list[datetime] = []  # when this attempt last armed (the platform may be called twice: AUTH → refresh)

    def call(client: PlatformClient, token: str, identity: AccountIdentity) -> PublishResult:
        def rearm(handle: str) -> None:  # uploads are done: the irreversible request follows at once
            armed.append(_arm(c, type(client), handle))

        armed.append(_arm(c, type(client)))
        return client.publish(token, identity, draft, on_handle=rearm)

    try:
        result = with_access_token(ctx, row.social_account_id, call, preloaded=account)
    except _LeaseLost:
        log.warning("lost the lease on %s before calling %s; the new owner decides", target_id, row.platform.value)
        return None
    except DuplicateIsSuccess as exc:
        return _succeed(c, PublishResult(exc.post_id, exc.permalink), duplicate=True)
    except PlatformRefused as exc:  # the account must be reconnected; nothing was sent
        return _fail(c, exc.error)
    except AuthError as exc:
        return _fail(c, exc)
    except RateLimited as exc:
        until = exc.reset_at or utcnow() + timedelta(minutes=1)
        # Shared, so the other workers' rows for this account (or platform) wait without calling it.
        gate.lock_out(row.platform.value, str(row.social_account_id), until, app_wide=exc.app_wide)
        return _retry_at(c, exc, until, counts=False, requeue=requeue)
    except TransientError as exc:
        if exc.maybe_applied and armed:
            verdict = _reconcile(c, ctx, row, draft, since, armed[-1], requeue, cause=exc)
            if not isinstance(verdict, _Absent):
                return verdict
        return _backoff(c, exc, requeue)  # not applied, or proven not to have been: a retry like any other
    except PlatformError as exc:
        return _fail(c, exc)
    except Exception:
        if not armed:  # nothing was sent: a retry, and after three a failure, rather than a loop
            log.exception("publishing %s crashed before calling %s", target_id, row.platform.value)
            problem = TransientError(row.platform.value, "SocialHub had an internal problem.", code="internal_error")
            return _backoff(c, problem, requeue)
        log.exception("publishing %s crashed after arming", target_id)
        return _unconfirmed(c, row.platform.value, "internal error")
    return _succeed(c, result)


class _Absent:
    """``_reconcile``'s verdict when the earlier attempt is proven never to have landed."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()


def _reconcile(
    c: Claim,
    ctx: Context,
    row: PostPlatform,
    draft: Draft,
    since: datetime,
    armed_at: datetime,
    requeue: Requeue | None,
    cause: PlatformError | None = None,
) -> PublishStatus | _Absent | None:
    """The attempt armed at ``armed_at`` may have reached the platform: ask it, never send again blindly.

    * found → published (with the platform's post);
    * not found while a request of the attempt may still land (``_landed_by``) → held, and looked up again then;
    * not found after that, where the platform's lookup is authoritative for this draft → ``ABSENT``: the caller
      publishes, still exactly once, since nothing of the earlier attempt can appear any more;
    * not found after that elsewhere → ``unconfirmed``: a person must check;
    * the lookup itself failed (rate limit, outage, a listing it could not read to the end) → proves nothing:
      held and tried again later, for ``LOOKUP_PATIENCE``, then ``unconfirmed``. Never published on a failed look.
    """
    platform = row.platform.value
    client_class = platform_class(platform)
    landed_by = _landed_by(armed_at, client_class)
    reason = (cause.code or "maybe_applied") if cause else c.reason
    try:
        found = with_access_token(
            ctx,
            row.social_account_id,
            lambda client, token, identity: client.lookup_existing(token, identity, draft, since=since),
        )
    except (PlatformError, PlatformRefused) as exc:
        error = exc.error if isinstance(exc, PlatformRefused) else exc
        log.warning("looking up %s on %s failed: %s", c.target_id, platform, error)
        again = error.reset_at if isinstance(error, RateLimited) and error.reset_at else utcnow() + LOOKUP_RETRY
        if again > landed_by + LOOKUP_PATIENCE:
            return _unconfirmed(c, platform, reason)
        return _hold(c, max(again, utcnow() + timedelta(seconds=1)), reason, requeue)
    if found is not None:
        return _succeed(c, found, reconciled=True)
    if utcnow() < landed_by:
        return _hold(c, landed_by, reason, requeue)
    if not client_class.proves_absence(draft):
        return _unconfirmed(c, platform, reason)
    if row.retry_count > MAX_TRANSIENT_RETRIES:  # interrupted again and again: stop, rather than loop for ever
        title = PLATFORM_TITLES.get(platform, platform)
        attempts = f"SocialHub's last {row.retry_count} attempts to publish this were interrupted"
        explanation = f"{attempts}; none of them reached {title}."
        return _fail(c, TransientError(platform, explanation, code="interrupted", action="Retry it from the post."))
    log.info("no trace of %s's earlier attempt on %s after it settled: publishing it now", c.target_id, platform)
    return ABSENT


def _restart(c: Claim) -> bool:
    """Make the claim whose earlier attempt was proven absent a new attempt (counted); False if it was lost."""
    with tenant_session(Context.system(c.tenant_id)) as session:
        restarted = session.execute(_RESTART, {"id": c.target_id, "token": c.token, "now": utcnow()}).first()
        session.commit()
    if restarted is None:
        log.warning("lost the lease on %s before publishing it again", c.target_id)
    return restarted is not None


def _hold(c: Claim, until: datetime, reason: str, requeue: Requeue | None) -> PublishStatus | None:
    """Keep an armed row as it is, leased to no one until ``until``, when the sweeper (or ``requeue``) brings it
    back to be looked up again; ``reason`` stays in its error code for that claim."""

    def hold(session: Session, r: PostPlatform) -> None:
        r.lease_token, r.lease_until, r.error_code = None, until, reason[:100]

    return _requeued(PublishStatus.PUBLISHING if _write(c, hold) else None, until, requeue)


# --- outcomes ----------------------------------------------------------------------------------------------


def _succeed(
    c: Claim, result: PublishResult, *, duplicate: bool = False, reconciled: bool = False
) -> PublishStatus | None:
    """Record the platform's post. This runs for every publish, so it is a few plain statements: one conditional
    UPDATE (its lease-token condition is ``_owned``'s ownership check) returning what the records need, the
    analytics event and the audit entry, then the post's status."""
    now = utcnow()
    with tenant_session(Context.system(c.tenant_id)) as session:
        owned = session.execute(
            _RECORD_PUBLISHED,
            {
                "id": c.target_id,
                "token": c.token,
                "now": now,
                "post_id": result.post_id,
                "permalink": result.permalink,
                "error_class": ErrorClass.DUPLICATE.value if duplicate else None,
            },
        ).first()
        if owned is None:
            log.warning("lost the lease on %s before recording %s", c.target_id, PublishStatus.PUBLISHED.value)
            return None
        post_id, account_id, platform = owned
        session.execute(
            _PUBLISHED_EVENT,
            {"tenant_id": c.tenant_id, "post_id": post_id, "account_id": account_id, "platform": platform, "now": now},
        )
        audit.record(
            session,
            Context.system(c.tenant_id),
            "post.published",
            entity_type="post_platform",
            entity_id=c.target_id,
            after={
                "platform": Platform(platform).value,
                "post_id": result.post_id,
                "permalink": result.permalink,
                "reconciled": reconciled,
            },
        )
        _derive_post_status(session, post_id)
        session.commit()
    announce(c.tenant_id, c.target_id, PublishStatus.PUBLISHED)
    return PublishStatus.PUBLISHED


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
    def done(session: Session, row: PostPlatform) -> None:
        row.status = PublishStatus.UNCONFIRMED
        row.error_class, row.error_code = ErrorClass.TRANSIENT, code
        row.error_message = CHECK_THE_PLATFORM.format(platform=PLATFORM_TITLES.get(platform, platform))
        row.lease_token = row.lease_until = None
        _derive_post_status(session, row.post_id)

    return _finish(c, done, PublishStatus.UNCONFIRMED)


def _retry_at(
    c: Claim, error: PlatformError, when: datetime, *, counts: bool, requeue: Requeue | None = None
) -> PublishStatus | None:
    def wait(session: Session, row: PostPlatform) -> None:
        row.status = PublishStatus.RETRY_WAIT
        row.next_attempt_at = when
        if not counts:  # waiting for a platform's rate-limit reset is not a failed attempt
            row.retry_count = max(0, row.retry_count - 1)
        row.error_class, row.error_code = ErrorClass(error.kind.value), (error.code or "")[:100] or None
        row.error_message = error.user_message
        row.lease_token = row.lease_until = row.armed_at = None

    return _requeued(_finish(c, wait, PublishStatus.RETRY_WAIT), when, requeue)


def _wait(c: Claim, row: PostPlatform, wait: platform_gate.Wait, requeue: Requeue | None) -> PublishStatus | None:
    """The gate said not now. Nothing was sent, so the row goes back as it was and returns at ``wait.until``."""
    if c.armed_at is not None:
        # Taken over from a worker that may have reached the platform: only a lookup may settle it, so it stays
        # armed and held until then.
        return _hold(c, wait.until, c.reason, requeue)
    if wait.reason == "rate_limited":
        whose = "from any account" if wait.app_wide else "from this account"
        error = RateLimited(
            row.platform.value,
            f"{PLATFORM_TITLES.get(row.platform.value, row.platform.value)} asked SocialHub to wait before "
            f"calling it again {whose}.",
            code="rate_limit_lockout",
            reset_at=wait.until,
        )
        return _retry_at(c, error, wait.until, counts=False, requeue=requeue)

    def later(session: Session, r: PostPlatform) -> None:  # every slot taken: not an attempt, not an error
        r.status = PublishStatus.RETRY_WAIT if r.error_class is not None else PublishStatus.QUEUED
        r.next_attempt_at = wait.until
        r.retry_count = max(0, r.retry_count - 1)
        r.lease_token = r.lease_until = r.armed_at = None

    return _requeued(_finish(c, later, PublishStatus.QUEUED), wait.until, requeue)


def _requeued(status: PublishStatus | None, when: datetime, requeue: Requeue | None) -> PublishStatus | None:
    if status is not None and requeue is not None:
        requeue(when)
    return status


def backoff_delay(attempt: int, *, rng: random.Random | None = None) -> timedelta:
    """30 s, 60 s, 120 s … with ±20 % jitter, so a burst of failures does not retry in lockstep."""
    jitter = (rng or random).uniform(0.8, 1.2)
    return BACKOFF_BASE * (2 ** max(0, attempt - 1)) * jitter


def _backoff(c: Claim, error: TransientError, requeue: Requeue | None = None) -> PublishStatus | None:
    with tenant_session(Context.system(c.tenant_id)) as session:
        row = session.get(PostPlatform, c.target_id)
        attempts = row.retry_count if row else 0
    if attempts > MAX_TRANSIENT_RETRIES:  # the first attempt plus three retries
        return _fail(c, error)
    return _retry_at(c, error, utcnow() + backoff_delay(attempts), counts=True, requeue=requeue)


def _finish(c: Claim, change: Callable[[Session, PostPlatform], None], status: PublishStatus) -> PublishStatus | None:
    if not _write(c, change):
        log.warning("lost the lease on %s before recording %s", c.target_id, status.value)
        return None
    announce(c.tenant_id, c.target_id, status)
    return status


def _derive_post_status(session: Session, post_id: uuid.UUID) -> None:
    """PUBLISHED, PARTIALLY_PUBLISHED or FAILED once every target is settled (the seed's flow).

    A post's targets settle in parallel, so the post is locked before its targets are read: of two finishing
    at the same moment, the second waits for the first to commit and then sees both settled. Read without the
    lock, each could still see the other publishing, and the post would stay "publishing" for good.
    """
    session.flush()  # this target's own new status first
    if session.execute(_LOCK_POST, {"post_id": post_id}).first() is None:
        return
    statuses = [PublishStatus(s) for (s,) in session.execute(_TARGET_STATUSES, {"post_id": post_id})]
    if not statuses or any(s not in TERMINAL for s in statuses):
        return
    published = sum(s is PublishStatus.PUBLISHED for s in statuses)
    if published == len(statuses):
        status = PostStatus.PUBLISHED
    elif published:
        status = PostStatus.PARTIALLY_PUBLISHED
    elif all(s is PublishStatus.CANCELLED for s in statuses):
        status = PostStatus.CANCELLED
    else:
        status = PostStatus.FAILED
    params = {"post_id": post_id, "status": status.value, "published": bool(published), "now": utcnow()}
    session.execute(_SET_POST_STATUS, params)


def announce(tenant_id: uuid.UUID, target_id: uuid.UUID, status: PublishStatus) -> None:
    """Live update for open pages (services/live.py); without Redis they look again on their own."""
    live.announce_posts(tenant_id, post_platform_id=str(target_id), status=status.value)


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
