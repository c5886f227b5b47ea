"""Media end to end: uploaded through the media service, attached to a post, checked by each platform's rules,
and published through ``publishing.publish_target`` to the X and Pinterest sandboxes, where the bytes arrive."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import ErrorClass, Media, Post, PostPlatform, PostStatus, PublishStatus, Role, SocialAccount
from socialhub.sandbox.pinterest import BOARDS
from socialhub.services import media, media_storage, posts, publishing
from socialhub.services.errors import Invalid
from socialhub.services.posts import TargetSpec
from socialhub.settings import get_settings
from tests.conftest import Sandbox
from tests.factories import connect_sandbox_account, make_tenant, make_user
from tests.media import samples

BOARD = BOARDS[0]["id"]


@pytest.fixture
def editor(sandboxed: Sandbox, database: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Context:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PLATFORM_TIMEOUT_SECONDS", "5")
    get_settings.cache_clear()
    tenant = make_tenant()
    return Context(tenant.id, make_user(tenant, role=Role.ADMIN).id, Role.ADMIN)


def connect(ctx: Context, platform: str) -> SocialAccount:
    return connect_sandbox_account(ctx, platform)


def upload(ctx: Context, data: bytes, name: str, alt: str = "") -> Media:
    return media.upload_file(ctx, data, filename=name, alt_text=alt)


def publish_all(ctx: Context, post_id: uuid.UUID) -> dict[str, PublishStatus | None]:
    detail = posts.get_post(ctx, post_id)
    return {row.platform.value: publishing.publish_target(ctx.tenant_id, row.id) for row in detail.targets}


def target(ctx: Context, post_id: uuid.UUID, platform: str) -> PostPlatform:
    return next(row for row in posts.get_post(ctx, post_id).targets if row.platform.value == platform)


class TestValidation:
    def test_each_platform_judges_the_real_files(self, editor: Context) -> None:
        x, pinterest = connect(editor, "x"), connect(editor, "pinterest")
        images = [upload(editor, samples.png((40 + i, 40)), f"{i}.png") for i in range(5)]
        pdf = upload(editor, samples.pdf(), "menu.pdf")
        detail = posts.create_post(
            editor,
            content="Five pictures",
            targets=[TargetSpec(x.id), TargetSpec(pinterest.id, options={"board_id": BOARD}, media_ids=(pdf.id,))],
            media_ids=[m.id for m in images],
        )
        problems = posts.validate_post(editor, detail.post.id)
        assert problems[str(x.id)] == ["X allows at most 4 images per post; this one has 5."]
        assert "Pinterest takes images (JPEG or PNG) and videos only." in problems[str(pinterest.id)]
        with pytest.raises(Invalid, match="Fix these first"):
            posts.schedule_post(editor, detail.post.id)

        fixed = posts.update_post(
            editor,
            detail.post.id,
            media_ids=[m.id for m in images[:4]],
            targets=[TargetSpec(x.id), TargetSpec(pinterest.id, options={"board_id": BOARD})],
        )
        assert fixed.post.media_urls == [str(m.id) for m in images[:4]]
        problems = posts.validate_post(editor, detail.post.id)
        assert problems[str(x.id)] == []
        assert problems[str(pinterest.id)] == []  # a 4-image carousel of stored files

    def test_a_pin_needs_an_image_and_a_deleted_file_is_named(self, editor: Context) -> None:
        pinterest = connect(editor, "pinterest")
        detail = posts.create_post(
            editor, content="No picture", targets=[TargetSpec(pinterest.id, options={"board_id": BOARD})]
        )
        assert posts.validate_post(editor, detail.post.id)[str(pinterest.id)] == [
            "Pinterest pins need an image or a video."
        ]
        photo = upload(editor, samples.jpeg(), "a.jpg")
        posts.update_post(editor, detail.post.id, media_ids=[photo.id])
        media.delete_media(editor, photo.id)  # a draft does not hold it
        found = posts.validate_post(editor, detail.post.id)[str(pinterest.id)]
        assert "A file attached to this post was deleted; attach it again or remove it." in found


class TestPublishing:
    def test_an_image_post_reaches_x_and_pinterest_with_its_bytes(self, editor: Context, sandboxed: Sandbox) -> None:
        x, pinterest = connect(editor, "x"), connect(editor, "pinterest")
        data = samples.jpeg((320, 240))
        photo = upload(editor, data, "latte.jpg", alt="A latte with leaf art")
        detail = posts.create_post(
            editor,
            content="New on the menu",
            targets=[TargetSpec(x.id), TargetSpec(pinterest.id, options={"board_id": BOARD})],
            media_ids=[photo.id],
        )
        posts.schedule_post(editor, detail.post.id)

        assert publish_all(editor, detail.post.id) == {
            "x": PublishStatus.PUBLISHED,
            "pinterest": PublishStatus.PUBLISHED,
        }
        digest = hashlib.sha256(data).hexdigest()

        x_state = sandboxed.states["x"]
        [uploaded] = x_state.objects["media"].values()
        assert (uploaded["sha256"], uploaded["size"], uploaded["media_type"]) == (digest, len(data), "image/jpeg")
        assert uploaded["alt_text"] == "A latte with leaf art"
        [tweet] = x_state.published
        assert tweet.payload["media_ids"] == [uploaded["id"]] and tweet.payload["text"] == "New on the menu"

        [pin] = sandboxed.states["pinterest"].published
        assert pin.kind == "image" and sandboxed.states["pinterest"].objects["images"][pin.id] == digest
        assert pin.payload["board_id"] == BOARD and pin.payload["alt_text"] == "A latte with leaf art"
        assert posts.get_post(editor, detail.post.id).post.status is PostStatus.PUBLISHED

    def test_a_targets_own_files_replace_the_posts(self, editor: Context, sandboxed: Sandbox) -> None:
        x = connect(editor, "x")
        shared, own = upload(editor, samples.png(), "shared.png"), upload(editor, samples.animated_gif(), "own.gif")
        detail = posts.create_post(
            editor, content="Moving picture", targets=[TargetSpec(x.id, media_ids=(own.id,))], media_ids=[shared.id]
        )
        posts.schedule_post(editor, detail.post.id)
        assert publish_all(editor, detail.post.id) == {"x": PublishStatus.PUBLISHED}
        [uploaded] = sandboxed.states["x"].objects["media"].values()
        assert uploaded["category"] == "tweet_gif"  # the GIF went, chunked, as X wants GIFs

    def test_a_file_deleted_from_storage_fails_the_target_in_words(self, editor: Context, sandboxed: Sandbox) -> None:
        x = connect(editor, "x")
        photo = upload(editor, samples.png(), "gone.png")
        detail = posts.create_post(editor, content="Hi", targets=[TargetSpec(x.id)], media_ids=[photo.id])
        posts.schedule_post(editor, detail.post.id)
        media_storage.storage(photo.storage_backend).delete(photo.storage_key)  # lost behind SocialHub's back
        assert publish_all(editor, detail.post.id) == {"x": PublishStatus.FAILED}
        row = target(editor, detail.post.id, "x")
        assert row.error_class is ErrorClass.PERMANENT and row.error_code == "media_missing"
        assert "“gone.png” is no longer in storage" in (row.error_message or "")
        assert sandboxed.states["x"].published == [] and row.armed_at is None  # never reached the platform

    def test_storage_trouble_is_retried_later_not_failed(
        self, editor: Context, sandboxed: Sandbox, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        x = connect(editor, "x")
        photo = upload(editor, samples.png(), "a.png")
        detail = posts.create_post(editor, content="Hi", targets=[TargetSpec(x.id)], media_ids=[photo.id])
        posts.schedule_post(editor, detail.post.id)

        def broken(*args: object, **kwargs: object) -> bytes:
            from socialhub.media.errors import StorageError

            raise StorageError("The media storage (S3) could not read the file: SlowDown.")

        monkeypatch.setattr("socialhub.media.local.LocalStorage.read", broken)
        assert publish_all(editor, detail.post.id) == {"x": PublishStatus.RETRY_WAIT}
        row = target(editor, detail.post.id, "x")
        assert row.error_class is ErrorClass.TRANSIENT and row.error_code == "media_storage"
        assert row.next_attempt_at is not None and sandboxed.states["x"].published == []
        with tenant_session(editor) as session:
            assert session.get(Post, detail.post.id).status is PostStatus.PUBLISHING  # type: ignore[union-attr]
