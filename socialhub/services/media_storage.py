"""Which storage backend holds media: S3 when ``S3_BUCKET`` is set, else the local directory; and what a storage
failure means to a person."""

from __future__ import annotations

from socialhub.media.errors import StorageError
from socialhub.media.local import LocalStorage
from socialhub.media.s3 import S3Storage
from socialhub.media.storage import Storage
from socialhub.services.errors import Unavailable
from socialhub.settings import get_settings

PUBLIC_PATH = "/api/v1/media/public"  # the API route that serves signed links to local files

_s3: dict[tuple[str | None, ...], S3Storage] = {}  # boto3 clients are thread-safe and slow to build: one each


def storage(backend: str | None = None) -> Storage:
    """The backend new files go to (S3 when S3_BUCKET is set), or the one a stored file names."""
    settings = get_settings()
    backend = backend or ("s3" if settings.s3_bucket else "local")
    if backend == "local":
        base = settings.media_public_url or settings.app_url.rstrip("/") + PUBLIC_PATH
        return LocalStorage(settings.data_dir / "media", link_base=base, link_secret=settings.media_link_secret)
    if not settings.s3_bucket:
        raise Unavailable("This file is stored in S3, but S3_BUCKET is not set; ask your administrator.")
    key = (
        settings.s3_bucket,
        settings.s3_endpoint_url,
        settings.s3_region,
        settings.s3_access_key_id,
        settings.s3_secret_access_key,
        settings.s3_addressing_style,
    )
    if key not in _s3:
        _s3[key] = S3Storage(
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
            addressing_style=settings.s3_addressing_style,
        )
    return _s3[key]


def unavailable(exc: StorageError) -> Unavailable:
    return Unavailable(f"{exc.message} Try again in a moment.")


def view_url(backend: str, key: str, *, content_type: str, expires_in: int = 3600) -> str:
    """A link for the signed-in person's own browser (thumbnails, previews): same-site for local files — the
    platforms' ``MEDIA_PUBLIC_URL`` may be another host — and presigned for S3."""
    if backend == "local":
        settings = get_settings()
        local = LocalStorage(settings.data_dir / "media", link_base=PUBLIC_PATH, link_secret=settings.media_link_secret)
        return local.pull_url(key, content_type=content_type, expires_in=expires_in)
    return storage(backend).pull_url(key, content_type=content_type, expires_in=expires_in)
