"""Request and response bodies of the /media routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from socialhub.api.errors import error_responses
from socialhub.api.schemas import Body, Text
from socialhub.media.sniff import ACCEPTED
from socialhub.models import Media, MediaKind
from socialhub.services.media import ALT_TEXT_LIMIT, MediaLibrary

AltText = Annotated[Text, Field(max_length=ALT_TEXT_LIMIT)]

# The multipart body of POST /media, for the OpenAPI document (the route parses the stream itself).
UPLOAD_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "The file. Its type is read from its bytes, not its name.",
                        "examples": ["(binary)"],
                    },
                    "alt_text": {
                        "type": "string",
                        "maxLength": ALT_TEXT_LIMIT,
                        "description": "What the image shows, for people using screen readers.",
                        "examples": ["Three iced drinks on a wooden counter"],
                    },
                },
            }
        }
    },
}
# A stored file is served with the type read from its bytes at upload: one of the types uploads accept.
FILE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file's bytes, with the Content-Type read from them at upload.",
        "content": {content_type: {"schema": {"type": "string", "format": "binary"}} for content_type in ACCEPTED},
    },
    **error_responses(503),
}


class MediaUpdate(Body):
    alt_text: AltText = Field(examples=["Three iced drinks on a wooden counter"], description='"" removes it.')


class MediaPublic(BaseModel):
    id: uuid.UUID
    kind: MediaKind
    filename: str
    content_type: str = Field(description="Read from the file's bytes, not its name.")
    size_bytes: int
    width: int | None
    height: int | None
    duration_seconds: float | None
    checksum_sha256: str
    alt_text: str
    warnings: list[str] = Field(description="What could not be checked, or was changed, in words for the person.")
    metadata: dict[str, Any] = Field(description="Codecs, frame counts and the like, where they are known.")
    uploaded_by: uuid.UUID
    created_at: datetime
    content_url: str = Field(description="Where a signed-in member downloads the file.")

    @classmethod
    def of(cls, row: Media) -> MediaPublic:
        metadata = dict(row.media_metadata)
        warnings = [str(w) for w in metadata.pop("warnings", [])]
        return cls(
            id=row.id,
            kind=row.kind,
            filename=row.filename,
            content_type=row.content_type,
            size_bytes=row.size_bytes,
            width=row.width,
            height=row.height,
            duration_seconds=float(row.duration_seconds) if row.duration_seconds is not None else None,
            checksum_sha256=row.checksum_sha256,
            alt_text=row.alt_text,
            warnings=warnings,
            metadata=metadata,
            uploaded_by=row.uploaded_by,
            created_at=row.created_at,
            content_url=f"/api/v1/media/{row.id}/content",
        )


class MediaLibraryPublic(BaseModel):
    data: list[MediaPublic]
    count: int
    used_bytes: int = Field(description="Storage the team's files take.")
    quota_bytes: int = Field(description="Storage the team's plan allows.")

    @classmethod
    def of(cls, library: MediaLibrary) -> MediaLibraryPublic:
        items = [MediaPublic.of(row) for row in library.items]
        return cls(data=items, count=library.count, used_bytes=library.used_bytes, quota_bytes=library.quota_bytes)
