"""Media in an S3 bucket through boto3: AWS, or any S3 API (MinIO, Cloudflare R2) through ``endpoint_url``.

Uploads stream from the spooled file with ``upload_fileobj``, which switches to a multipart upload above
``MULTIPART_BYTES``; pull URLs are presigned GETs. boto3's errors are translated here, at the edge.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, cast

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from socialhub.media.errors import FileMissing, StorageError
from socialhub.media.storage import Storage

MULTIPART_BYTES = 16 * 1024 * 1024
MISSING_CODES = {"NoSuchKey", "404", "NotFound"}


class S3Storage(Storage):
    backend = "s3"

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        addressing_style: str = "auto",
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        self.client = client or boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": addressing_style},
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=10,
                read_timeout=60,
            ),
        )
        self._transfer = TransferConfig(multipart_threshold=MULTIPART_BYTES, multipart_chunksize=MULTIPART_BYTES)

    def put(self, key: str, source: Path, *, content_type: str) -> None:
        with _translated("save"), source.open("rb") as file:
            self.client.upload_fileobj(
                file, self.bucket, key, ExtraArgs={"ContentType": content_type}, Config=self._transfer
            )

    def open(self, key: str) -> BinaryIO:
        with _translated("read"):
            return cast(BinaryIO, self.client.get_object(Bucket=self.bucket, Key=key)["Body"])

    def delete(self, key: str) -> None:
        with _translated("delete"):
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def exists(self, key: str) -> bool:
        try:
            with _translated("check"):
                self.client.head_object(Bucket=self.bucket, Key=key)
        except FileMissing:
            return False
        return True

    def pull_url(self, key: str, *, content_type: str, expires_in: int) -> str:
        with _translated("link"):
            return str(
                self.client.generate_presigned_url(
                    "get_object",
                    Params={"Bucket": self.bucket, "Key": key, "ResponseContentType": content_type},
                    ExpiresIn=expires_in,
                )
            )


@contextmanager
def _translated(action: str) -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in MISSING_CODES:
            raise FileMissing("The file is no longer in storage.") from exc
        raise StorageError(f"The media storage (S3) could not {action} the file: {code or 'error'}.") from exc
    except (BotoCoreError, OSError) as exc:
        raise StorageError(f"The media storage (S3) could not {action} the file: {exc}.") from exc
