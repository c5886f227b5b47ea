"""/media over HTTP: streamed multipart uploads, every refusal in the error shape with nothing stored, the library,
downloads, signed links for platforms, another team's files, and media on posts."""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import select

from socialhub.api.app import create_api
from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import Media, Platform, Role
from socialhub.services import media, media_items
from socialhub.settings import get_settings
from tests.api.conftest import Team
from tests.api.test_identity_api import assert_error, operations
from tests.factories import make_account
from tests.media import samples


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("S3_BUCKET", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def api(database: dict[str, str], data_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_api(), raise_server_exceptions=False) as client:
        yield client


def stored_files(data_dir: Path) -> list[Path]:
    root = data_dir / "media"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def media_rows(team: Team) -> list[Media]:
    with tenant_session(Context.system(team.tenant.id)) as session:
        return list(session.exec(select(Media)).all())


def upload(
    api: TestClient, team: Team, data: bytes, name: str = "photo.jpg", role: Role = Role.EDITOR, **fields: str
) -> httpx.Response:
    return api.post(
        "/api/v1/media", files={"file": (name, data, "image/jpeg")}, data=fields, headers=team[role].headers
    )


def noise_png(width: int, height: int) -> bytes:
    """A PNG that does not compress: its size is about width × height × 3 bytes."""
    import io

    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, format="PNG")
    return buffer.getvalue()


class TestUpload:
    def test_a_png_named_jpg_is_accepted_as_png(self, api: TestClient, team: Team, data_dir: Path) -> None:
        r = upload(api, team, samples.png((90, 60)), alt_text="Three drinks")
        assert r.status_code == 201, r.text
        body = r.json()
        assert (body["kind"], body["content_type"], body["width"], body["height"]) == ("image", "image/png", 90, 60)
        assert body["filename"] == "photo.jpg" and body["alt_text"] == "Three drinks"
        assert body["warnings"] == ["The name ends in .jpg, but the file is a PNG image; it is kept as image/png."]
        assert body["content_url"] == f"/api/v1/media/{body['id']}/content"
        assert len(stored_files(data_dir)) == 1

    @pytest.mark.parametrize(
        ("data", "status", "code", "words"),
        [
            (samples.ELF, 415, "unsupported_media_type", "its contents are a Linux program (ELF)"),
            (samples.EXE, 415, "unsupported_media_type", "its contents are a Windows program (EXE)"),
            (samples.HTML, 415, "unsupported_media_type", "its contents are an HTML page"),
            (samples.truncated(samples.png((300, 300))), 422, "corrupt_file", "damaged or incomplete"),
            (b"", 422, "empty_file", "is empty (0 bytes)"),
        ],
        ids=["elf", "exe", "html", "truncated", "empty"],
    )
    def test_refusals_are_clear_4xx_and_store_nothing(
        self, api: TestClient, team: Team, data_dir: Path, data: bytes, status: int, code: str, words: str
    ) -> None:
        error = assert_error(upload(api, team, data), status, code)
        assert words in error["message"] and "photo.jpg" in error["message"]
        assert media_rows(team) == [] and stored_files(data_dir) == []

    def test_an_oversized_file_is_413_and_stores_nothing(
        self, database: dict[str, str], team: Team, data_dir: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("MEDIA_MAX_UPLOAD_BYTES", "2048")
        get_settings.cache_clear()
        with TestClient(create_api(), raise_server_exceptions=False) as api:
            error = assert_error(upload(api, team, noise_png(40, 40)), 413, "payload_too_large")
        assert error["message"] == "The file is larger than the upload limit of 2 KB."
        assert error["details"] == {"limit_bytes": 2048}
        assert media_rows(team) == [] and stored_files(data_dir) == []

    def test_the_upload_route_takes_more_than_1_mib_and_every_other_route_does_not(
        self, api: TestClient, team: Team
    ) -> None:
        big = noise_png(700, 700)  # ~1.4 MB
        assert len(big) > 1024 * 1024
        assert upload(api, team, big, name="big.png").status_code == 201
        huge_json = {"content": "x" * (len(big))}
        assert_error(api.post("/api/v1/posts", json=huge_json, headers=team[Role.EDITOR].headers), 413)
        r = api.patch(
            f"/api/v1/media/{uuid.uuid4()}", json={"alt_text": "x" * len(big)}, headers=team[Role.EDITOR].headers
        )
        assert_error(r, 413, "payload_too_large")

    def test_the_stream_is_stopped_once_the_limit_is_crossed(
        self, database: dict[str, str], team: Team, data_dir: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("MEDIA_MAX_UPLOAD_BYTES", "1000")
        get_settings.cache_clear()
        pulled = 0
        boundary = "sh-test-boundary"

        async def body() -> AsyncIterator[bytes]:
            nonlocal pulled
            yield (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
                "Content-Type: image/png\r\n\r\n"
            ).encode() + samples.png()
            for _ in range(1000):  # 300 KB more than the limit allows, if it were read
                pulled += 1
                yield b"\0" * 300
            yield f"\r\n--{boundary}--\r\n".encode()

        async def post() -> httpx.Response:
            transport = httpx.ASGITransport(app=create_api())
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return await client.post(
                    "/api/v1/media",
                    content=body(),
                    headers={**team[Role.EDITOR].headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
                )

        response = asyncio.run(post())
        assert_error(response, 413, "payload_too_large")
        assert pulled < 10  # the rest of the body was never read
        assert media_rows(team) == [] and stored_files(data_dir) == []

    @pytest.mark.parametrize(
        ("kwargs", "status", "code"),
        [
            ({"json": {"file": "x"}}, 415, "unsupported_media_type"),
            ({"content": b"raw bytes", "headers": {"Content-Type": "image/png"}}, 415, "unsupported_media_type"),
            ({"files": {"alt_text": (None, "words but no file")}}, 422, "invalid"),
            ({"files": [("file", ("a.png", b"\x89PNG")), ("file", ("b.png", b"\x89PNG"))]}, 422, "invalid"),
            ({"files": {"file": ("a.png", b"\x89PNG")}, "data": {"caption": "hi"}}, 422, "invalid"),
            (
                {"content": b"--b\r\nnonsense", "headers": {"Content-Type": "multipart/form-data; boundary=b"}},
                400,
                "malformed_multipart",
            ),
        ],
        ids=["json", "raw", "no-file", "two-files", "unknown-field", "cut-off"],
    )
    def test_bad_multipart_is_4xx_in_the_error_shape(
        self, api: TestClient, team: Team, data_dir: Path, kwargs: dict[str, Any], status: int, code: str
    ) -> None:
        headers = {**team[Role.EDITOR].headers, **kwargs.pop("headers", {})}
        r = api.post("/api/v1/media", headers=headers, **kwargs)
        assert_error(r, status, code)
        assert media_rows(team) == [] and stored_files(data_dir) == []

    def test_over_the_quota_is_409_saying_what_is_used(
        self, api: TestClient, team: Team, data_dir: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        first = upload(api, team, samples.png()).json()
        monkeypatch.setenv("MEDIA_QUOTA_BYTES", str(first["size_bytes"] + 10))
        get_settings.cache_clear()
        error = assert_error(upload(api, team, samples.jpeg()), 409, "quota_exceeded")
        assert f"your team uses {first['size_bytes']} bytes of its {first['size_bytes'] + 10} bytes" in error["message"]
        assert len(media_rows(team)) == 1 and len(stored_files(data_dir)) == 1

    def test_a_viewer_cannot_upload(self, api: TestClient, team: Team, data_dir: Path) -> None:
        assert_error(upload(api, team, samples.png(), role=Role.VIEWER), 403, "not_permitted")
        assert stored_files(data_dir) == []


class TestLibrary:
    def test_list_get_alt_text_download_delete(self, api: TestClient, team: Team, data_dir: Path) -> None:
        headers = team[Role.EDITOR].headers
        png = upload(api, team, samples.png(), name="a.png").json()
        gif = upload(api, team, samples.animated_gif(), name="Grüße.gif").json()
        library = api.get("/api/v1/media", headers=team[Role.VIEWER].headers).json()
        assert [m["id"] for m in library["data"]] == [gif["id"], png["id"]] and library["count"] == 2
        assert library["used_bytes"] == png["size_bytes"] + gif["size_bytes"]
        assert library["quota_bytes"] == media.QUOTA_BY_PLAN[team.tenant.plan_tier]
        assert [m["kind"] for m in api.get("/api/v1/media?kind=gif", headers=headers).json()["data"]] == ["gif"]

        r = api.patch(f"/api/v1/media/{png['id']}", json={"alt_text": "A cup"}, headers=headers)
        assert r.status_code == 200 and r.json()["alt_text"] == "A cup"
        assert api.get(f"/api/v1/media/{png['id']}", headers=headers).json()["alt_text"] == "A cup"

        download = api.get(gif["content_url"], headers=team[Role.VIEWER].headers)
        assert download.status_code == 200 and download.content == samples.animated_gif()
        assert download.headers["content-type"] == "image/gif"
        assert download.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in download.headers["content-security-policy"]
        assert (
            download.headers["content-disposition"]
            == "inline; filename=\"Gr__e.gif\"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.gif"
        )

        assert api.delete(f"/api/v1/media/{png['id']}", headers=headers).status_code == 204
        assert_error(api.get(f"/api/v1/media/{png['id']}", headers=headers), 404, "not_found")
        assert len(stored_files(data_dir)) == 1

    def test_bad_queries_and_bodies_are_422(self, api: TestClient, team: Team) -> None:
        headers = team[Role.EDITOR].headers
        assert_error(api.get("/api/v1/media?kind=hologram", headers=headers), 422, "validation_error")
        assert_error(api.get("/api/v1/media?limit=0", headers=headers), 422, "validation_error")
        png = upload(api, team, samples.png()).json()
        for body in ({"alt_text": "a\x00b"}, {"alt_text": "x" * 5001}, {"alt": "x"}, {}):
            assert_error(api.patch(f"/api/v1/media/{png['id']}", json=body, headers=headers), 422)


class TestSignedLinks:
    def link(self, api: TestClient, team: Team, data: bytes, name: str) -> tuple[str, dict[str, Any]]:
        body = upload(api, team, data, name=name).json()
        [item] = media_items.items_for_publishing(Context.system(team.tenant.id), [uuid.UUID(body["id"])])
        assert item.url is not None
        url = urlsplit(item.url)
        assert item.url.startswith("http://localhost:3000/api/v1/media/public/")  # APP_URL + the route
        return f"{url.path}?{url.query}", body

    def test_a_platform_fetches_the_file_without_signing_in(self, api: TestClient, team: Team) -> None:
        path, _ = self.link(api, team, samples.jpeg(), "a.jpg")
        r = api.get(path)
        assert r.status_code == 200 and r.content == samples.jpeg()
        assert r.headers["content-type"] == "image/jpeg" and r.headers["x-content-type-options"] == "nosniff"

    def test_expired_tampered_and_swapped_links_are_refused(
        self, api: TestClient, team: Team, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path, _ = self.link(api, team, samples.jpeg(), "a.jpg")
        other_path, _ = self.link(api, team, samples.png(), "b.png")
        token = parse_qs(urlsplit(path).query)["token"][0]
        other_token = parse_qs(urlsplit(other_path).query)["token"][0]
        name, other_name = urlsplit(path).path.rsplit("/", 1)[1], urlsplit(other_path).path.rsplit("/", 1)[1]
        public = "/api/v1/media/public"
        for bad in (
            f"{public}/{other_name}?token={token}",  # one file's link used for another
            f"{public}/{name}?token={other_token}",
            f"{public}/{name}?token={token[:-2]}xx",
            f"{public}/{name}?token={token.split('.')[0]}",
            f"{public}/{name}?token=not-a-token",
        ):
            assert_error(api.get(bad), 404, "not_found")
        assert_error(api.get(f"{public}/{name}"), 422, "validation_error")
        import time

        real = time.time
        monkeypatch.setattr(time, "time", lambda: real() + get_settings().media_link_ttl_seconds + 5)
        error = assert_error(api.get(path), 403, "link_expired")
        assert error["message"] == "This file link has expired; ask for a new one."

    def test_a_deleted_files_link_is_dead(self, api: TestClient, team: Team) -> None:
        path, body = self.link(api, team, samples.jpeg(), "a.jpg")
        api.delete(f"/api/v1/media/{body['id']}", headers=team[Role.EDITOR].headers)
        assert_error(api.get(path), 404, "not_found")


class TestTenancy:
    def test_another_teams_file_is_404_on_every_route_and_untouched(
        self, api: TestClient, team: Team, other_team: Team, data_dir: Path
    ) -> None:
        foreign = upload(api, other_team, samples.png(), alt_text="Theirs").json()
        routes = [(m, p) for m, p, _ in operations(api) if "{media_id}" in p]
        assert {(m, p) for m, p in routes} == {
            ("GET", "/media/{media_id}"),
            ("PATCH", "/media/{media_id}"),
            ("DELETE", "/media/{media_id}"),
            ("GET", "/media/{media_id}/content"),
        }
        for method, path in routes:
            body = {"alt_text": "Mine now"} if method == "PATCH" else None
            url = "/api/v1" + path.format(media_id=foreign["id"])
            assert_error(api.request(method, url, json=body, headers=team[Role.OWNER].headers), 404, "not_found")
        assert api.get("/api/v1/media", headers=team[Role.OWNER].headers).json()["count"] == 0
        [row] = media_rows(other_team)
        assert row.alt_text == "Theirs" and len(stored_files(data_dir)) == 1

    def test_another_teams_file_cannot_be_attached_to_a_post(
        self, api: TestClient, team: Team, other_team: Team
    ) -> None:
        foreign = upload(api, other_team, samples.png()).json()["id"]
        account = make_account(team.tenant, platform=Platform.X)
        headers = team[Role.EDITOR].headers
        for body in (
            {"content": "Hi", "media_ids": [foreign]},
            {"content": "Hi", "targets": [{"account_id": str(account.id), "media_ids": [foreign]}]},
        ):
            error = assert_error(api.post("/api/v1/posts", json=body, headers=headers), 404, "not_found")
            assert error["message"] == "There is no such media file." and error["details"] == {"media_id": foreign}
        post = api.post("/api/v1/posts", json={"content": "Hi"}, headers=headers).json()
        r = api.patch(f"/api/v1/posts/{post['id']}", json={"media_ids": [foreign]}, headers=headers)
        assert_error(r, 404, "not_found")


class TestInPosts:
    def test_media_ids_round_trip_and_validation_names_each_platform(self, api: TestClient, team: Team) -> None:
        headers = team[Role.EDITOR].headers
        x, pinterest = (
            make_account(team.tenant, platform=Platform.X),
            make_account(team.tenant, platform=Platform.PINTEREST),
        )
        images = [upload(api, team, samples.png((20 + i, 20)), name=f"{i}.png").json()["id"] for i in range(5)]
        body = {
            "content": "Five",
            "media_ids": images,
            "targets": [
                {"account_id": str(x.id)},
                {"account_id": str(pinterest.id), "options": {"board_id": "1"}, "media_ids": images[:1]},
            ],
        }
        post = api.post("/api/v1/posts", json=body, headers=headers)
        assert post.status_code == 201, post.text
        assert post.json()["media_ids"] == images
        targets = {t["platform"]: t for t in post.json()["targets"]}
        assert targets["x"]["media_ids"] == [] and targets["pinterest"]["media_ids"] == images[:1]
        checked = api.post(f"/api/v1/posts/{post.json()['id']}/validate", headers=headers).json()
        assert checked["problems"][str(x.id)] == ["X allows at most 4 images per post; this one has 5."]
        assert checked["problems"][str(pinterest.id)] == []
        again = [images[0], images[0]]
        r = api.patch(f"/api/v1/posts/{post.json()['id']}", json={"media_ids": again}, headers=headers)
        assert_error(r, 422, "invalid")
        r = api.post("/api/v1/posts", json={"content": "Hi", "media_ids": ["nope"]}, headers=headers)
        assert_error(r, 422, "validation_error")

    def test_a_file_a_scheduled_post_uses_is_409_on_delete(self, api: TestClient, team: Team) -> None:
        headers = team[Role.EDITOR].headers
        x = make_account(team.tenant, platform=Platform.X)
        photo = upload(api, team, samples.png(), name="menu.png").json()["id"]
        body = {"content": "Menu", "media_ids": [photo], "targets": [{"account_id": str(x.id)}]}
        post = api.post("/api/v1/posts", json=body, headers=headers).json()
        assert api.post(f"/api/v1/posts/{post['id']}/schedule", headers=headers).status_code == 200
        error = assert_error(api.delete(f"/api/v1/media/{photo}", headers=headers), 409, "conflict")
        assert re.search(
            r"“menu\.png” is used by a post that is on its way out: “Menu” \(scheduled\)", error["message"]
        )


class TestS3Backend:
    def test_upload_download_and_delete_through_s3(
        self, database: dict[str, str], team: Team, data_dir: Path, moto_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import boto3

        bucket = f"api-{uuid.uuid4().hex[:12]}"
        s3 = boto3.client(
            "s3", endpoint_url=moto_url, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
        )
        s3.create_bucket(Bucket=bucket)
        for name, value in {"S3_BUCKET": bucket, "S3_ENDPOINT_URL": moto_url, "S3_ACCESS_KEY_ID": "k"}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("S3_SECRET_ACCESS_KEY", "s")
        get_settings.cache_clear()
        with TestClient(create_api(), raise_server_exceptions=False) as api:
            assert_error(upload(api, team, samples.HTML), 415, "unsupported_media_type")
            body = upload(api, team, samples.jpeg(), name="a.jpg").json()
            [key] = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
            assert key == f"{team.tenant.id}/{body['id']}.jpg"
            download = api.get(body["content_url"], headers=team[Role.VIEWER].headers)
            assert download.status_code == 200 and download.content == samples.jpeg()
            [item] = media_items.items_for_publishing(Context.system(team.tenant.id), [uuid.UUID(body["id"])])
            assert (
                item.url and item.url.startswith(f"{moto_url}/{bucket}/") and httpx.get(item.url).content == item.data
            )
            assert api.delete(f"/api/v1/media/{body['id']}", headers=team[Role.EDITOR].headers).status_code == 204
        assert "Contents" not in s3.list_objects_v2(Bucket=bucket) and stored_files(data_dir) == []
