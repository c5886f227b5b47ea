"""/media: the team's media library — upload (streamed multipart), list, read, alt text, delete, download —
and the signed links platforms pull local files from."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from socialhub.api.deps import CurrentIdentity, needs
from socialhub.api.errors import error_responses
from socialhub.api.media_schemas import FILE_RESPONSE, UPLOAD_BODY, MediaLibraryPublic, MediaPublic, MediaUpdate
from socialhub.api.media_upload import receive_upload
from socialhub.models import MediaKind
from socialhub.security.permissions import Permission
from socialhub.services import media

router = APIRouter(prefix="/media", tags=["media"])
# User files are served back as data, never as a page: no sniffing, no scripts, no plugins.
SAFE_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"}


def _with_body(options: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    return {**options, "openapi_extra": {**options["openapi_extra"], "requestBody": body}}


def _inline(filename: str) -> str:
    fallback = filename.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


@router.get(
    "/public/{name}",
    response_class=StreamingResponse,
    responses={**FILE_RESPONSE, **error_responses(403)},
    summary="A stored file by its expiring signed link, for platforms that fetch media (no sign-in).",
)
def public_file(name: str, token: Annotated[str, Query(min_length=1, max_length=4096)]) -> StreamingResponse:
    file, chunks = media.open_link(token, name)
    return StreamingResponse(chunks, media_type=file.content_type, headers=SAFE_HEADERS)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=MediaPublic,
    responses=error_responses(400, 409, 415, 503),
    summary="Upload a file (multipart: file, alt_text). Its type is read from its bytes.",
    **_with_body(needs(Permission.MEDIA_WRITE), UPLOAD_BODY),
)
async def upload_media(request: Request, identity: CurrentIdentity) -> MediaPublic:
    upload, alt_text = await receive_upload(request, identity.context)
    with upload:  # checking and storing block: off the event loop
        row = await run_in_threadpool(media.finish_upload, upload, alt_text=alt_text)
    return MediaPublic.of(row)


@router.get(
    "",
    response_model=MediaLibraryPublic,
    summary="The media library, newest first, with storage used and the quota.",
    **needs(Permission.MEDIA_READ),
)
def list_media(
    identity: CurrentIdentity,
    kind: MediaKind | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> MediaLibraryPublic:
    return MediaLibraryPublic.of(media.list_media(identity.context, kind=kind, limit=limit, offset=offset))


@router.get("/{media_id}", response_model=MediaPublic, summary="One file's details.", **needs(Permission.MEDIA_READ))
def get_media(media_id: uuid.UUID, identity: CurrentIdentity) -> MediaPublic:
    return MediaPublic.of(media.get_media(identity.context, media_id))


@router.patch("/{media_id}", response_model=MediaPublic, summary="Set the alt text.", **needs(Permission.MEDIA_WRITE))
def update_media(media_id: uuid.UUID, body: MediaUpdate, identity: CurrentIdentity) -> MediaPublic:
    return MediaPublic.of(media.set_alt_text(identity.context, media_id, body.alt_text))


@router.delete(
    "/{media_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(409, 503),
    summary="Delete a file no post on its way out uses.",
    **needs(Permission.MEDIA_WRITE),
)
def delete_media(media_id: uuid.UUID, identity: CurrentIdentity) -> None:
    media.delete_media(identity.context, media_id)


@router.get(
    "/{media_id}/content",
    response_class=StreamingResponse,
    responses=FILE_RESPONSE,
    summary="Download the file.",
    **needs(Permission.MEDIA_READ),
)
def download_media(media_id: uuid.UUID, identity: CurrentIdentity) -> StreamingResponse:
    row, chunks = media.open_content(identity.context, media_id)
    headers = {**SAFE_HEADERS, "Content-Length": str(row.size_bytes), "Content-Disposition": _inline(row.filename)}
    return StreamingResponse(chunks, media_type=row.content_type, headers=headers)
