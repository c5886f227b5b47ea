"""The media library: uploads checked from their bytes, stored per team within its quota, and handed to platforms.

An upload arrives in pieces (``start_upload`` → ``Upload.write`` …) into a temporary file that is hashed and
counted as it grows, so it never sits whole in memory and stops the moment it passes the size limit. Then
``finish_upload`` sniffs the type from the bytes, reads the file through (Pillow, ffprobe), stores it, and
inserts the row under the team's row lock, so two uploads at once can never both squeeze under the quota.
Whatever fails, nothing is left behind: no row, no stored file. Files in posts and on their way to platforms:
``media_items.py``; which backend holds them: ``media_storage.py``.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath, PureWindowsPath
from types import TracebackType
from typing import BinaryIO

from sqlmodel import Session, col, func, or_, select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.media import errors as media_errors
from socialhub.media.probe import probe
from socialhub.media.signing import SignedFile, verify
from socialhub.media.sizes import in_words
from socialhub.media.sniff import name_mismatch, sniff
from socialhub.media.spool import Spool
from socialhub.media.storage import Storage
from socialhub.models import Media, MediaKind, PlanTier, Post, PostPlatform, PostStatus, Tenant
from socialhub.security.permissions import Permission, has_permission
from socialhub.services import audit
from socialhub.services.access import require
from socialhub.services.errors import (
    Conflict,
    Invalid,
    NotFound,
    NotPermitted,
    QuotaExceeded,
    TooLarge,
    Unavailable,
    UnsupportedMediaType,
)
from socialhub.services.media_items import MediaGone
from socialhub.services.media_storage import storage, unavailable
from socialhub.services.text import require_storable
from socialhub.settings import get_settings

log = logging.getLogger(__name__)

# Storage per team by plan; MEDIA_QUOTA_BYTES, when set, replaces it for every team.
QUOTA_BY_PLAN: dict[PlanTier, int] = {
    PlanTier.FREE: 1 * 1024**3,
    PlanTier.STARTER: 10 * 1024**3,
    PlanTier.PRO: 100 * 1024**3,
    PlanTier.ENTERPRISE: 1024**4,
}
ALT_TEXT_LIMIT = 5000  # above every platform's own (LinkedIn's 4,086): validation names the real one
FILENAME_LIMIT = 255
# Posts on their way out: the files they use must stay until they are sent.
BUSY = (PostStatus.PENDING_APPROVAL, PostStatus.SCHEDULED, PostStatus.PUBLISHING)


class EmptyFile(Invalid):
    code = "empty_file"


class CorruptFile(Invalid):
    code = "corrupt_file"


class LinkExpired(NotPermitted):
    code = "link_expired"


@dataclass(frozen=True)
class MediaLibrary:
    items: list[Media]
    count: int
    used_bytes: int
    quota_bytes: int


# --- quota -------------------------------------------------------------------------------------------------


def quota_for(tenant: Tenant) -> int:
    override = get_settings().media_quota_bytes
    return override if override is not None else QUOTA_BY_PLAN[tenant.plan_tier]


def _used_bytes(session: Session) -> int:
    return int(session.exec(select(func.coalesce(func.sum(Media.size_bytes), 0))).one())


# --- uploading ---------------------------------------------------------------------------------------------


class Upload:
    """One upload in progress: ``write`` its pieces as they arrive, then ``finish_upload``; ``discard`` always."""

    def __init__(self, ctx: Context, filename: str) -> None:
        self.ctx = ctx
        self.filename = clean_filename(filename)
        incoming = get_settings().data_dir / "media" / ".incoming"
        self._spool = Spool(incoming, limit=get_settings().media_max_upload_bytes, filename=self.filename)

    @property
    def size(self) -> int:
        return self._spool.size

    def write(self, chunk: bytes) -> None:
        try:
            self._spool.write(chunk)
        except media_errors.TooLarge as exc:
            raise TooLarge(exc.message, details={"limit_bytes": exc.limit}) from exc

    def discard(self) -> None:
        self._spool.discard()

    def __enter__(self) -> Upload:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.discard()


def start_upload(ctx: Context, *, filename: str) -> Upload:
    require(ctx, Permission.MEDIA_WRITE)
    return Upload(ctx, filename)


def upload_file(ctx: Context, source: BinaryIO | bytes, *, filename: str, alt_text: str = "") -> Media:
    """Upload a whole file at once (the UI, the CLI, tests): the same checks as a streamed upload."""
    with start_upload(ctx, filename=filename) as upload:
        if isinstance(source, bytes):
            upload.write(source)
        else:
            while chunk := source.read(1024 * 1024):
                upload.write(chunk)
        return finish_upload(upload, alt_text=alt_text)


def finish_upload(upload: Upload, *, alt_text: str = "") -> Media:
    """Check the arrived file, store it and record it; refusals leave nothing stored and no row."""
    ctx, spool, name = upload.ctx, upload._spool, upload.filename
    assert ctx.user_id is not None, "an upload is always someone's"
    spool.finish()
    alt_text = clean_alt_text(alt_text)
    if spool.size == 0:
        raise EmptyFile(f"“{name}” is empty (0 bytes): there is nothing to upload.")
    try:
        found = sniff(spool.head, name)
        probed = probe(spool.path, found, filename=name)
    except media_errors.UnsupportedType as exc:
        raise UnsupportedMediaType(exc.message, details={"detected": exc.detected}) from exc
    except media_errors.CorruptFile as exc:
        raise CorruptFile(exc.message) from exc
    warnings = list(probed.warnings)
    if note := name_mismatch(name, found):
        warnings.append(note)
    with tenant_session(ctx) as session:  # a cheap early refusal, before a large file travels to S3
        _check_quota(session, ctx, spool.size)
    media_id = uuid.uuid4()
    key = f"{ctx.tenant_id}/{media_id}{found.extension}"
    store = storage()
    try:
        store.put(key, spool.path, content_type=found.content_type)
    except media_errors.StorageError as exc:
        raise unavailable(exc) from exc
    try:
        with tenant_session(ctx) as session:
            _check_quota(session, ctx, spool.size, lock=True)  # the check that counts, under the team's lock
            row = Media(
                id=media_id,
                tenant_id=ctx.tenant_id,
                uploaded_by=ctx.user_id,
                kind=MediaKind(probed.kind),
                storage_backend=store.backend,
                storage_key=key,
                filename=name,
                content_type=found.content_type,
                size_bytes=spool.size,
                width=probed.width,
                height=probed.height,
                duration_seconds=Decimal(str(probed.duration_seconds)) if probed.duration_seconds else None,
                checksum_sha256=spool.sha256,
                alt_text=alt_text,
                media_metadata={**probed.metadata, "warnings": warnings},
            )
            session.add(row)
            audit.record(session, ctx, "media.uploaded", entity_type="media", entity_id=media_id, after=_view(row))
            session.commit()
            return row
    except BaseException:
        _forget(store, key)
        raise


def _check_quota(session: Session, ctx: Context, size: int, *, lock: bool = False) -> None:
    query = select(Tenant).where(Tenant.id == ctx.tenant_id)
    tenant = session.exec(query.with_for_update() if lock else query).one()
    quota, used = quota_for(tenant), _used_bytes(session)
    if used + size > quota:
        raise QuotaExceeded(
            f"This file ({in_words(size)}) does not fit: your team uses {in_words(used)} of its "
            f"{in_words(quota)} of media storage. Delete files you no longer need, or move to a larger plan.",
            details={"used_bytes": used, "quota_bytes": quota, "file_bytes": size},
        )


def _forget(store: Storage, key: str) -> None:
    try:
        store.delete(key)
    except media_errors.StorageError:
        log.warning("could not remove %s from %s storage after a failed upload", key, store.backend)


def clean_filename(filename: str) -> str:
    """The name alone (browsers may send a whole Windows path), printable, at most 255 characters."""
    name = PureWindowsPath(PurePath(filename or "").name).name
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C").strip()
    if len(name) > FILENAME_LIMIT:
        stem, suffix = PurePath(name).stem, PurePath(name).suffix[:20]
        name = stem[: FILENAME_LIMIT - len(suffix)] + suffix
    return name or "upload"


def clean_alt_text(alt_text: str) -> str:
    alt_text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", alt_text or "").strip()
    require_storable(alt_text=alt_text)  # control characters are dropped; half a character cannot be
    if len(alt_text) > ALT_TEXT_LIMIT:
        raise Invalid(f"Alt text can have at most {ALT_TEXT_LIMIT:,} characters.", details={"field": "alt_text"})
    return alt_text


def _view(row: Media) -> dict[str, object]:
    """The audit log's picture of a file."""
    return {
        "filename": row.filename,
        "kind": row.kind.value,
        "content_type": row.content_type,
        "size_bytes": row.size_bytes,
        "alt_text": row.alt_text[:200],
    }


# --- the library -------------------------------------------------------------------------------------------


def _get(session: Session, media_id: uuid.UUID, *, lock: bool = False) -> Media:
    query = select(Media).where(Media.id == media_id)  # another team's id is simply not visible (RLS)
    row = session.exec(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound("There is no such media file.")
    return row


def _may_change(ctx: Context, row: Media) -> None:
    if row.uploaded_by != ctx.user_id and not has_permission(ctx.role, Permission.POSTS_PUBLISH):
        raise NotPermitted("Contributors can change only the files they uploaded.")


def list_media(ctx: Context, *, kind: MediaKind | None = None, limit: int = 50, offset: int = 0) -> MediaLibrary:
    """Newest first, with the team's storage use and quota."""
    require(ctx, Permission.MEDIA_READ)
    conditions = [Media.kind == kind] if kind is not None else []
    with tenant_session(ctx) as session:
        total = session.exec(select(func.count()).select_from(Media).where(*conditions)).one()
        query = select(Media).where(*conditions).order_by(col(Media.created_at).desc(), col(Media.id).desc())
        items = list(session.exec(query.offset(offset).limit(limit)).all())
        tenant = session.get(Tenant, ctx.tenant_id)
        assert tenant is not None
        return MediaLibrary(items, total, _used_bytes(session), quota_for(tenant))


def get_media(ctx: Context, media_id: uuid.UUID) -> Media:
    require(ctx, Permission.MEDIA_READ)
    with tenant_session(ctx) as session:
        return _get(session, media_id)


def set_alt_text(ctx: Context, media_id: uuid.UUID, alt_text: str) -> Media:
    require(ctx, Permission.MEDIA_WRITE)
    alt_text = clean_alt_text(alt_text)
    with tenant_session(ctx) as session:
        row = _get(session, media_id, lock=True)
        _may_change(ctx, row)
        if row.alt_text != alt_text:
            before = _view(row)
            row.alt_text = alt_text
            audit.record(
                session, ctx, "media.updated", entity_type="media", entity_id=row.id, before=before, after=_view(row)
            )
        session.commit()
        return row


def delete_media(ctx: Context, media_id: uuid.UUID) -> None:
    """Delete the row, then the file. Refused while a post waiting to go out (or going out) uses it."""
    require(ctx, Permission.MEDIA_WRITE)
    with tenant_session(ctx) as session:
        row = _get(session, media_id, lock=True)
        _may_change(ctx, row)
        busy = _busy_posts(session, media_id)
        if busy:
            names = ", ".join(f"“{p.title or _excerpt(p.content)}” ({p.status.value.replace('_', ' ')})" for p in busy)
            raise Conflict(
                f"“{row.filename}” is used by a post that is on its way out: {names}. Remove it from the post, "
                "or cancel the post, then delete it.",
                details={"posts": [str(p.id) for p in busy]},
            )
        audit.record(session, ctx, "media.deleted", entity_type="media", entity_id=row.id, before=_view(row))
        session.delete(row)
        session.commit()
    # After the commit: a failed delete leaves an unreferenced file (logged), never a row without its file.
    try:
        _forget(storage(row.storage_backend), row.storage_key)
    except Unavailable:
        log.warning("media %s deleted, but its storage backend %s is not configured", row.id, row.storage_backend)


def _busy_posts(session: Session, media_id: uuid.UUID) -> list[Post]:
    ref = [str(media_id)]
    custom = select(PostPlatform.post_id).where(col(PostPlatform.custom_media).contains(ref))
    query = select(Post).where(
        col(Post.status).in_(BUSY), or_(col(Post.media_urls).contains(ref), col(Post.id).in_(custom))
    )
    return list(session.exec(query.order_by(col(Post.created_at)).limit(5)).all())


def _excerpt(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


# --- reading the bytes -------------------------------------------------------------------------------------


def open_content(ctx: Context, media_id: uuid.UUID) -> tuple[Media, Iterator[bytes]]:
    """The file's row and its bytes piece by piece, for a signed-in download."""
    require(ctx, Permission.MEDIA_READ)
    with tenant_session(ctx) as session:
        row = _get(session, media_id)
    try:
        return row, storage(row.storage_backend).chunks(row.storage_key)
    except media_errors.FileMissing as exc:
        raise MediaGone(f"“{row.filename}” is no longer in storage.") from exc
    except media_errors.StorageError as exc:
        raise unavailable(exc) from exc


def open_link(token: str, name: str) -> tuple[SignedFile, Iterator[bytes]]:
    """The file behind a signed link (local storage), for platforms that pull media; no sign-in, no team."""
    try:
        file = verify(token, secret=get_settings().media_link_secret, now=time.time())
    except media_errors.LinkExpired as exc:
        raise LinkExpired(exc.message) from exc
    except media_errors.BadLink as exc:
        raise NotFound("There is no file at this link.") from exc
    if PurePath(file.key).name != name:
        raise NotFound("There is no file at this link.")
    try:
        return file, storage("local").chunks(file.key)
    except media_errors.FileMissing as exc:
        raise NotFound("There is no file at this link.") from exc
    except media_errors.StorageError as exc:
        raise unavailable(exc) from exc
