"""Media files as posts and platforms see them: the ids a post stores, and ``MediaItem``s for validation (facts
only, no bytes) and for publishing (bytes from storage and a pull URL)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import Session, col, select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.media import errors as media_errors
from socialhub.models import Media, Post, PostPlatform
from socialhub.platforms.base import MediaItem
from socialhub.services.errors import Invalid, NotFound
from socialhub.services.media_storage import storage, unavailable
from socialhub.settings import get_settings


class MediaGone(NotFound):
    """A post refers to a file that was deleted (or is no longer in storage)."""

    code = "media_missing"


def target_media_ids(post: Post, row: PostPlatform) -> list[uuid.UUID]:
    """A target's own media when it has any, else the post's."""
    return [uuid.UUID(str(value)) for value in (row.custom_media or post.media_urls)]


def check_attachable(session: Session, ids: Sequence[uuid.UUID], *, field: str) -> list[str]:
    """Ids as stored on a post (strings), once each, every one a file of this team."""
    if len(set(ids)) != len(ids):
        raise Invalid("Each file can be attached only once.", details={"field": field})
    found = set(session.exec(select(Media.id).where(col(Media.id).in_(ids))).all()) if ids else set()
    for media_id in ids:
        if media_id not in found:
            raise NotFound("There is no such media file.", details={"media_id": str(media_id)})
    return [str(media_id) for media_id in ids]


def stored_items(session: Session, ids: Sequence[uuid.UUID]) -> list[MediaItem | None]:
    """Items for validation: facts only, no bytes read (``stored`` says the bytes are there). None: deleted."""
    rows = _rows(session, ids)
    return [_item(rows[i]) if i in rows else None for i in ids]


def items_for_publishing(ctx: Context, ids: Sequence[uuid.UUID]) -> tuple[MediaItem, ...]:
    """Items with their bytes read from storage and a pull URL, for the platform call.

    ``MediaGone`` when a file was deleted since the post was scheduled; ``Unavailable`` when storage failed
    (worth retrying).
    """
    if not ids:
        return ()
    with tenant_session(ctx) as session:
        rows = _rows(session, ids)
    ttl = get_settings().media_link_ttl_seconds
    items = []
    for media_id in ids:
        row = rows.get(media_id)
        if row is None:
            raise MediaGone("A file attached to this post was deleted; attach it again or remove it from the post.")
        try:
            store = storage(row.storage_backend)
            data = store.read(row.storage_key)
            url = store.pull_url(row.storage_key, content_type=row.content_type, expires_in=ttl)
        except media_errors.FileMissing as exc:
            raise MediaGone(f"“{row.filename}” is no longer in storage; upload it again.") from exc
        except media_errors.StorageError as exc:
            raise unavailable(exc) from exc
        items.append(_item(row, data=data, url=url))
    return tuple(items)


def _rows(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Media]:
    if not ids:
        return {}
    return {row.id: row for row in session.exec(select(Media).where(col(Media.id).in_(ids))).all()}


def _item(row: Media, *, data: bytes | None = None, url: str | None = None) -> MediaItem:
    return MediaItem(
        kind=row.kind.value,
        content_type=row.content_type,
        data=data,
        url=url,
        size_bytes=row.size_bytes,
        width=row.width,
        height=row.height,
        duration_seconds=float(row.duration_seconds) if row.duration_seconds is not None else None,
        alt_text=row.alt_text,
        filename=row.filename or "media",
        stored=True,
    )
