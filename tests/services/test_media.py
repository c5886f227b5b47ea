"""The media library service on both backends: what is accepted, what is refused (leaving nothing behind),
quotas under concurrency, the library, deletes that would break a post, tenancy, and items for platforms."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from sqlmodel import select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import AuditLog, Media, MediaKind, PlanTier, Platform, Role, Tenant, User
from socialhub.services import media, media_items, media_storage
from socialhub.services.errors import (
    Conflict,
    NotFound,
    NotPermitted,
    QuotaExceeded,
    TooLarge,
    UnsupportedMediaType,
)
from socialhub.services.posts import TargetSpec, create_post, schedule_post
from socialhub.settings import get_settings
from tests.factories import make_account, make_tenant, make_user
from tests.media import samples


@dataclass
class Backend:
    name: str
    stored: Callable[[], list[str]]  # every key in storage, whatever the team


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("S3_BUCKET", raising=False)
    if request.param == "local":

        def stored() -> list[str]:
            root = tmp_path / "media"
            files = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
            return sorted(str(p.relative_to(root)) for p in files)  # .incoming included: nothing may linger

    else:
        bucket = f"media-{uuid.uuid4().hex[:12]}"
        url = request.getfixturevalue("moto_url")
        s3 = boto3.client(
            "s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t"
        )
        s3.create_bucket(Bucket=bucket)
        for name, value in {"S3_BUCKET": bucket, "S3_ENDPOINT_URL": url, "S3_ACCESS_KEY_ID": "t"}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("S3_SECRET_ACCESS_KEY", "t")

        def stored() -> list[str]:
            objects = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
            incoming = tmp_path / "media" / ".incoming"
            leftovers = [str(p) for p in incoming.iterdir()] if incoming.exists() else []
            return sorted([o["Key"] for o in objects] + leftovers)

    get_settings.cache_clear()
    yield Backend(request.param, stored)
    get_settings.cache_clear()


@pytest.fixture
def tenant(database: dict[str, str]) -> Tenant:
    return make_tenant()


def ctx_of(tenant: Tenant, role: Role = Role.EDITOR) -> Context:
    user: User = make_user(tenant, role=role)
    return Context(tenant.id, user.id, role)


@pytest.fixture
def editor(tenant: Tenant) -> Context:
    return ctx_of(tenant)


def rows(ctx: Context) -> list[Media]:
    with tenant_session(ctx) as session:
        return list(session.exec(select(Media)).all())


def set_env(monkeypatch: pytest.MonkeyPatch, **values: object) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, str(value))
    get_settings.cache_clear()


class TestUpload:
    def test_a_png_named_jpg_is_stored_as_a_png(self, backend: Backend, editor: Context) -> None:
        row = media.upload_file(editor, samples.png((120, 80)), filename="C:\\Users\\me\\photo.jpg", alt_text=" A cup ")
        assert (row.kind, row.content_type, row.width, row.height) == (MediaKind.IMAGE, "image/png", 120, 80)
        assert (row.filename, row.alt_text, row.storage_backend) == ("photo.jpg", "A cup", backend.name)
        assert row.storage_key == f"{editor.tenant_id}/{row.id}.png"
        assert row.media_metadata["warnings"] == [
            "The name ends in .jpg, but the file is a PNG image; it is kept as image/png."
        ]
        assert backend.stored() == [row.storage_key]
        assert media_storage.storage(backend.name).read(row.storage_key) == samples.png((120, 80))
        with tenant_session(editor) as session:
            entry = session.exec(select(AuditLog).where(AuditLog.action == "media.uploaded")).one()
        assert entry.entity_id == str(row.id) and entry.after["content_type"] == "image/png"

    def test_an_animated_gif_is_a_gif_and_a_video_without_ffprobe_is_flagged(
        self, backend: Backend, editor: Context, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        assert media.upload_file(editor, samples.animated_gif(), filename="loop.gif").kind is MediaKind.GIF
        monkeypatch.setattr("shutil.which", lambda name: None)
        video = media.upload_file(editor, samples.mp4_head(), filename="clip.mp4")
        assert video.kind is MediaKind.VIDEO and video.content_type == "video/mp4"
        assert video.media_metadata["warnings"] == ["cannot verify video: ffprobe is not installed"]

    @pytest.mark.parametrize(
        ("data", "error", "code", "words"),
        [
            (samples.ELF, UnsupportedMediaType, "unsupported_media_type", "its contents are a Linux program (ELF)"),
            (samples.HTML, UnsupportedMediaType, "unsupported_media_type", "its contents are an HTML page"),
            (samples.truncated(samples.jpeg((400, 300))), media.CorruptFile, "corrupt_file", "damaged or incomplete"),
            (b"", media.EmptyFile, "empty_file", "“photo.jpg” is empty (0 bytes)"),
        ],
        ids=["executable", "html", "truncated", "empty"],
    )
    def test_refusals_leave_no_row_and_no_file(
        self, backend: Backend, editor: Context, data: bytes, error: type[Exception], code: str, words: str
    ) -> None:
        with pytest.raises(error) as refused:
            media.upload_file(editor, data, filename="photo.jpg")
        assert refused.value.code == code and words in refused.value.message  # type: ignore[attr-defined]
        assert rows(editor) == [] and backend.stored() == []

    def test_an_oversized_file_is_stopped_as_it_arrives(
        self, backend: Backend, editor: Context, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        set_env(monkeypatch, MEDIA_MAX_UPLOAD_BYTES=1000)
        upload = media.start_upload(editor, filename="big.png")
        upload.write(samples.png().ljust(900, b"\0"))
        with pytest.raises(TooLarge, match="larger than the upload limit of 1000 bytes") as refused:
            upload.write(b"x" * 200)
        assert refused.value.status == 413 and refused.value.details == {"limit_bytes": 1000}
        assert rows(editor) == [] and backend.stored() == []

    def test_a_viewer_cannot_upload(self, backend: Backend, tenant: Tenant) -> None:
        with pytest.raises(NotPermitted):
            media.upload_file(ctx_of(tenant, Role.VIEWER), samples.png(), filename="a.png")


class TestQuota:
    def test_over_the_quota_is_refused_saying_how_much_is_used(
        self, backend: Backend, editor: Context, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        first = media.upload_file(editor, samples.png(), filename="a.png")
        set_env(monkeypatch, MEDIA_QUOTA_BYTES=first.size_bytes + 100)
        with pytest.raises(QuotaExceeded) as refused:
            media.upload_file(editor, samples.jpeg((200, 200)), filename="b.jpg")
        error = refused.value
        assert error.status == 409 and error.code == "quota_exceeded"
        assert f"your team uses {first.size_bytes} bytes of its {first.size_bytes + 100} bytes" in error.message
        assert error.details["used_bytes"] == first.size_bytes
        assert [r.id for r in rows(editor)] == [first.id] and backend.stored() == [first.storage_key]

    def test_concurrent_uploads_never_overshoot_the_quota(
        self, backend: Backend, editor: Context, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        files = [samples.png((50 + i, 50)) for i in range(6)]
        set_env(monkeypatch, MEDIA_QUOTA_BYTES=max(len(f) for f in files) * 2 + 10)  # room for two, not three
        barrier, outcomes = threading.Barrier(len(files)), []

        def upload(data: bytes) -> None:
            barrier.wait()
            try:
                outcomes.append(media.upload_file(editor, data, filename="a.png").id)
            except QuotaExceeded:
                outcomes.append(None)

        threads = [threading.Thread(target=upload, args=(data,)) for data in files]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        kept = [o for o in outcomes if o is not None]
        assert len(kept) == 2 and len(outcomes) == 6
        assert {r.id for r in rows(editor)} == set(kept)
        assert backend.stored() == sorted(r.storage_key for r in rows(editor))  # refused files were removed

    def test_the_quota_follows_the_plan(self, backend: Backend, database: dict[str, str]) -> None:
        ctx = ctx_of(make_tenant(plan_tier=PlanTier.PRO))
        assert media.list_media(ctx).quota_bytes == media.QUOTA_BY_PLAN[PlanTier.PRO] == 100 * 1024**3
        assert media.QUOTA_BY_PLAN[PlanTier.FREE] < media.QUOTA_BY_PLAN[PlanTier.STARTER]


class TestLibrary:
    def test_newest_first_filtered_paged_with_storage_used(self, backend: Backend, editor: Context) -> None:
        image = media.upload_file(editor, samples.png(), filename="a.png")
        gif = media.upload_file(editor, samples.animated_gif(), filename="b.gif")
        pdf = media.upload_file(editor, samples.pdf(), filename="c.pdf")
        library = media.list_media(editor)
        assert [r.id for r in library.items] == [pdf.id, gif.id, image.id] and library.count == 3
        assert library.used_bytes == image.size_bytes + gif.size_bytes + pdf.size_bytes
        assert [r.id for r in media.list_media(editor, kind=MediaKind.GIF).items] == [gif.id]
        page = media.list_media(editor, limit=1, offset=1)
        assert [r.id for r in page.items] == [gif.id] and page.count == 3

    def test_alt_text_is_set_by_editors_and_the_uploader_only(self, backend: Backend, tenant: Tenant) -> None:
        author, other = ctx_of(tenant, Role.CONTRIBUTOR), ctx_of(tenant, Role.CONTRIBUTOR)
        row = media.upload_file(author, samples.png(), filename="a.png")
        assert media.set_alt_text(author, row.id, "A latte").alt_text == "A latte"
        with pytest.raises(NotPermitted, match="only the files they uploaded"):
            media.set_alt_text(other, row.id, "Mine now")
        assert media.set_alt_text(ctx_of(tenant, Role.EDITOR), row.id, "").alt_text == ""

    def test_delete_removes_row_and_file(self, backend: Backend, editor: Context) -> None:
        row = media.upload_file(editor, samples.png(), filename="a.png")
        media.delete_media(editor, row.id)
        assert rows(editor) == [] and backend.stored() == []
        with pytest.raises(NotFound):
            media.get_media(editor, row.id)


@pytest.fixture
def x_account(tenant: Tenant):  # type: ignore[no-untyped-def]
    return make_account(tenant, platform=Platform.X)


class TestInPosts:
    def test_a_file_a_scheduled_post_uses_cannot_be_deleted(self, backend: Backend, editor: Context, x_account) -> None:  # type: ignore[no-untyped-def]
        row = media.upload_file(editor, samples.png(), filename="menu.png")
        post = create_post(editor, content="Spring menu", targets=[TargetSpec(x_account.id)], media_ids=[row.id])
        schedule_post(editor, post.post.id)
        with pytest.raises(Conflict) as refused:
            media.delete_media(editor, row.id)
        assert "“menu.png” is used by a post that is on its way out: “Spring menu” (scheduled)" in refused.value.message
        assert refused.value.details == {"posts": [str(post.post.id)]}
        assert len(rows(editor)) == 1 and backend.stored() == [row.storage_key]

    def test_a_targets_own_file_counts_too_and_drafts_do_not_hold_files(
        self, backend: Backend, editor: Context, x_account
    ) -> None:  # type: ignore[no-untyped-def]
        mine = media.upload_file(editor, samples.png(), filename="x-only.png")
        spare = media.upload_file(editor, samples.jpeg(), filename="spare.jpg")
        scheduled = create_post(editor, content="Hi", targets=[TargetSpec(x_account.id, media_ids=(mine.id,))])
        assert scheduled.targets[0].custom_media == [str(mine.id)]
        schedule_post(editor, scheduled.post.id)
        with pytest.raises(Conflict):
            media.delete_media(editor, mine.id)
        create_post(editor, content="Draft", targets=[TargetSpec(x_account.id)], media_ids=[spare.id])
        media.delete_media(editor, spare.id)  # a draft does not hold its files; its validation will say so

    def test_another_teams_file_is_not_found_anywhere(self, backend: Backend, editor: Context, x_account) -> None:  # type: ignore[no-untyped-def]
        foreign = media.upload_file(ctx_of(make_tenant()), samples.png(), filename="theirs.png")
        for call in (
            lambda: media.get_media(editor, foreign.id),
            lambda: media.set_alt_text(editor, foreign.id, "mine"),
            lambda: media.delete_media(editor, foreign.id),
            lambda: media.open_content(editor, foreign.id),
            lambda: create_post(editor, content="Hi", media_ids=[foreign.id]),
            lambda: create_post(editor, content="Hi", targets=[TargetSpec(x_account.id, media_ids=(foreign.id,))]),
        ):
            with pytest.raises(NotFound):
                call()
        with pytest.raises(media_items.MediaGone):  # a publish never reaches another team's file either
            media_items.items_for_publishing(editor, [foreign.id])
        assert media_storage.storage(backend.name).exists(foreign.storage_key)

    def test_items_for_publishing_carry_the_bytes_and_a_pull_url(self, backend: Backend, editor: Context) -> None:
        row = media.upload_file(editor, samples.jpeg((30, 20)), filename="a.jpg", alt_text="A cup")
        [item] = media_items.items_for_publishing(editor, [row.id])
        assert item.data == samples.jpeg((30, 20)) and item.stored and item.uploadable
        assert (item.kind, item.content_type, item.width, item.height, item.alt_text) == (
            "image",
            "image/jpeg",
            30,
            20,
            "A cup",
        )
        assert item.url and (f"{row.id}.jpg" in item.url)
        with tenant_session(editor) as session:
            [facts] = media_items.stored_items(session, [row.id])
        assert facts is not None and facts.data is None and facts.uploadable  # validation reads no bytes

    def test_a_file_gone_from_storage_is_reported_not_crashed_on(self, backend: Backend, editor: Context) -> None:
        row = media.upload_file(editor, samples.png(), filename="a.png")
        media_storage.storage(backend.name).delete(row.storage_key)
        with pytest.raises(media_items.MediaGone, match=r"“a\.png” is no longer in storage"):
            media_items.items_for_publishing(editor, [row.id])
        with pytest.raises(media_items.MediaGone):
            media.open_content(editor, row.id)
