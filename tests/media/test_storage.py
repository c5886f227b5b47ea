"""Both storage backends behind one interface: the local directory, and S3 through boto3 against moto's server
(``moto_url`` in tests/conftest.py)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from socialhub.media.errors import FileMissing, StorageError
from socialhub.media.local import LocalStorage
from socialhub.media.s3 import MULTIPART_BYTES, S3Storage
from socialhub.media.signing import verify
from socialhub.media.storage import Storage
from tests.web import free_port

SECRET = "test-secret-" + "x" * 32
BUCKET = "socialhub-test-media"
CREDENTIALS = {"access_key_id": "testing", "secret_access_key": "testing"}


def s3_storage(moto_url: str, bucket: str = BUCKET) -> S3Storage:
    storage = S3Storage(bucket, endpoint_url=moto_url, region="eu-west-1", **CREDENTIALS)
    with contextlib.suppress(storage.client.exceptions.BucketAlreadyOwnedByYou):
        storage.client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return storage


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "media", link_base="http://app.test/api/v1/media/public", link_secret=SECRET)
    return s3_storage(request.getfixturevalue("moto_url"))


def spooled(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "incoming.part"
    path.write_bytes(data)
    return path


class TestEitherBackend:
    def test_put_read_stream_and_delete(self, storage: Storage, tmp_path: Path) -> None:
        key = "tenant-1/file-1.png"
        storage.put(key, spooled(tmp_path, b"\x89PNG" + b"x" * 3000), content_type="image/png")
        assert storage.exists(key)
        assert storage.read(key) == b"\x89PNG" + b"x" * 3000
        assert b"".join(storage.chunks(key, size=1000)) == storage.read(key)
        storage.delete(key)
        assert not storage.exists(key)
        storage.delete(key)  # already gone: not an error

    def test_a_missing_file_says_so(self, storage: Storage) -> None:
        with pytest.raises(FileMissing):
            storage.read("tenant-1/never-stored.png")
        with pytest.raises(FileMissing):
            storage.chunks("tenant-1/never-stored.png")


class TestLocal:
    def test_the_spooled_file_is_moved_not_copied(self, tmp_path: Path) -> None:
        storage = LocalStorage(tmp_path / "media", link_base="http://app.test/m", link_secret=SECRET)
        source = spooled(tmp_path, b"data")
        storage.put("t/a.png", source, content_type="image/png")
        assert not source.exists() and (tmp_path / "media" / "t" / "a.png").read_bytes() == b"data"

    @pytest.mark.parametrize("key", ["../outside.png", "t/../../outside.png", "/etc/passwd", ""])
    def test_keys_cannot_leave_the_media_directory(self, tmp_path: Path, key: str) -> None:
        (tmp_path / "outside.png").write_bytes(b"secret")
        storage = LocalStorage(tmp_path / "media", link_base="http://app.test/m", link_secret=SECRET)
        with pytest.raises(FileMissing):
            storage.read(key)
        assert not storage.exists(key)

    def test_the_pull_url_is_a_signed_expiring_link_ending_in_the_files_name(self, tmp_path: Path) -> None:
        storage = LocalStorage(tmp_path, link_base="http://app.test/api/v1/media/public/", link_secret=SECRET)
        storage._clock = lambda: 1_000.0
        url = urlsplit(storage.pull_url("tenant/abc.png", content_type="image/png", expires_in=600))
        assert (url.netloc, url.path) == ("app.test", "/api/v1/media/public/abc.png")
        file = verify(parse_qs(url.query)["token"][0], secret=SECRET, now=1_500)
        assert (file.key, file.content_type, file.expires_at) == ("tenant/abc.png", "image/png", 1_600)


class TestS3:
    def test_a_large_file_goes_up_in_parts(self, moto_url: str, tmp_path: Path) -> None:
        storage = s3_storage(moto_url)
        data = bytes(range(256)) * (MULTIPART_BYTES // 256 + 4096)  # past the multipart threshold
        storage.put("tenant-1/big.mp4", spooled(tmp_path, data), content_type="video/mp4")
        head = storage.client.head_object(Bucket=BUCKET, Key="tenant-1/big.mp4")
        assert head["ContentLength"] == len(data) and head["ContentType"] == "video/mp4"
        assert "-" in head["ETag"]  # a multipart upload's ETag: "<md5 of the parts' md5s>-<number of parts>"
        assert storage.read("tenant-1/big.mp4") == data

    def test_the_presigned_url_serves_the_file_and_only_that_file(self, moto_url: str, tmp_path: Path) -> None:
        storage = s3_storage(moto_url)
        storage.put("tenant-1/a.jpg", spooled(tmp_path, b"jpeg bytes"), content_type="image/jpeg")
        url = storage.pull_url("tenant-1/a.jpg", content_type="image/jpeg", expires_in=300)
        assert url.startswith(moto_url) and "X-Amz-Signature=" in url
        response = httpx.get(url)
        assert response.status_code == 200 and response.content == b"jpeg bytes"
        assert response.headers["content-type"] == "image/jpeg"
        forged = url.replace("tenant-1/a.jpg", "tenant-1/b.jpg")
        assert httpx.get(forged).status_code == 403

    def test_boto3_errors_become_storage_errors(self, moto_url: str, tmp_path: Path) -> None:
        missing_bucket = S3Storage("no-such-bucket", endpoint_url=moto_url, region="eu-west-1", **CREDENTIALS)
        with pytest.raises(StorageError, match="could not save the file: NoSuchBucket"):
            missing_bucket.put("k", spooled(tmp_path, b"x"), content_type="image/png")
        unreachable = S3Storage(BUCKET, endpoint_url=f"http://127.0.0.1:{free_port()}", **CREDENTIALS)
        with pytest.raises(StorageError, match="could not read the file"):
            unreachable.read("k")
