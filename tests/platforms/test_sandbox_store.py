"""Sandbox mode keeps each platform's state in DATA_DIR: a restart of the sandbox server keeps connected accounts
(their tokens and refresh tokens), published posts and uploads; a damaged file is reported and started fresh."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from socialhub.launcher import sandbox_command
from socialhub.platforms.base import Draft, MediaItem, PlatformClient, PlatformConfig
from socialhub.platforms.registry import platform_class
from socialhub.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, create_sandbox
from socialhub.sandbox.store import StateStore, dump_state, load_state
from tests.conftest import Sandbox
from tests.platforms.conftest import connect
from tests.web import app_environment, free_port, running

PNG = b"\x89PNG\r\n\x1a\n" + b"\1" * 64


def client_for(base: str, platform: str) -> PlatformClient:
    cls = platform_class(platform)
    config = PlatformConfig(
        SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, cls.default_endpoints.rebased(f"{base}/{platform}")
    )
    client = cls(config)
    client.sleep = lambda _seconds: None  # type: ignore[method-assign]
    return client


def test_the_sandbox_server_keeps_accounts_and_posts_across_a_restart(tmp_path: Path, artifacts: Path) -> None:
    port = free_port()
    env = app_environment(DATA_DIR=str(tmp_path), SANDBOX_LATENCY_MS="0")
    log = artifacts / "sandbox-restart.log"
    image = MediaItem("image", "image/png", data=PNG, size_bytes=len(PNG), alt_text="A loaf")
    with running(sandbox_command(port), env=env, log=log, ready_path="/x/_sandbox/state", port=port) as base:
        x, linkedin = client_for(base, "x"), client_for(base, "linkedin")
        x_tokens, linkedin_tokens = connect(x, Sandbox(base, {})), connect(linkedin, Sandbox(base, {}))
        x_account = x.identity(x_tokens.access_token)[0]
        member = linkedin.identity(linkedin_tokens.access_token)[0]
        tweet = x.publish(x_tokens.access_token, x_account, Draft("Before the restart", (image,)))
        share = linkedin.publish(linkedin_tokens.access_token, member, Draft("Also before", (image,)))
    # Written atomically (no temporary file left), and only for the platforms that were used.
    assert sorted(p.name for p in (tmp_path / "sandbox").iterdir()) == ["linkedin.json", "x.json"]

    with running(sandbox_command(port), env=env, log=log, ready_path="/x/_sandbox/state", port=port) as base:
        x, linkedin = client_for(base, "x"), client_for(base, "linkedin")
        # The same sign-ins still work: no account has to be connected again.
        assert x.identity(x_tokens.access_token)[0].id == x_account.id
        assert linkedin.identity(linkedin_tokens.access_token)[0].id == member.id
        refreshed = x.refresh(x_tokens.refresh_token or "")  # X's rotating refresh token survived too
        assert refreshed.access_token != x_tokens.access_token
        # What was published is still there, for metrics and for its permalink page.
        assert tweet.post_id in x.fetch_metrics(refreshed.access_token, x_account, [tweet.post_id])
        for permalink, text in ((tweet.permalink, "Before the restart"), (share.permalink, "Also before")):
            page = httpx.get(permalink or "")
            assert page.status_code == 200 and text in page.text
    assert "could not" not in log.read_text()  # nothing failed to save or load


def test_state_saved_after_every_kind_of_request_loads_back_the_same(
    sandbox: Sandbox, make_client: Callable[..., PlatformClient]
) -> None:
    """Uploads, processing, pages, boards and windows of every platform are all JSON the store can keep."""
    video = MediaItem("video", "video/mp4", data=b"\0\0\0\x18ftypmp42" + b"v" * 90_000, filename="v.mp4")
    for platform, draft in (
        ("x", Draft("A video", (video,))),
        ("linkedin", Draft("An image", (MediaItem("image", "image/png", data=PNG, size_bytes=len(PNG)),))),
        ("facebook", Draft("A video", (video,), {"title": "Kitchen"})),
        ("reddit", Draft("", (MediaItem("image", "image/png", data=PNG),), {"subreddit": "sandbox", "title": "Pic"})),
        ("pinterest", Draft("A pin", (MediaItem("image", "image/png", data=PNG),), {"board_id": "549755885175"})),
    ):
        client = make_client(platform)
        client.sleep = lambda _seconds: None  # type: ignore[method-assign]
        token = connect(client, sandbox)
        client.publish(token.access_token, client.identity(token.access_token)[0], draft)
        saved = dump_state(sandbox.states[platform])
        fresh = type(sandbox.states[platform])(platform, sandbox.states[platform].rules, sandbox.states[platform].user)
        load_state(fresh, saved)
        assert dump_state(fresh) == saved
        assert fresh.tokens and all(t is fresh.tokens[t.access_token] for t in fresh.refresh_tokens.values())


def test_a_damaged_state_file_is_reported_set_aside_and_started_fresh(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "x.json").write_text('{"format": 1, "platform": "x", "tokens": [{"access_')
    (tmp_path / "reddit.json").write_bytes(b"\xff\xfe not text")
    with caplog.at_level(logging.WARNING, logger="socialhub.sandbox"):
        app, states = create_sandbox(["x", "reddit"], state_dir=tmp_path)
    assert states["x"].tokens == {} and states["reddit"].published == []
    assert len(list(tmp_path.glob("x.json.corrupt-*"))) == len(list(tmp_path.glob("reddit.json.corrupt-*"))) == 1
    assert "could not be read" in caplog.text and "starts fresh" in caplog.text
    with TestClient(app) as browser:  # and it serves, and saves again
        assert browser.get("/x/_sandbox/state").status_code == 200
    assert '"platform":"x"' in (tmp_path / "x.json").read_text()


def test_a_write_that_fails_leaves_the_last_saved_state_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app, states = create_sandbox(["x"], state_dir=tmp_path)
    store: StateStore = app.state.store
    states["x"].issue_token(["tweet.read"])
    store.save("x")
    store.flush()
    before = (tmp_path / "x.json").read_text()

    def no_room(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    states["x"].issue_token(["tweet.read"])
    monkeypatch.setattr(os, "replace", no_room)
    with caplog.at_level(logging.WARNING, logger="socialhub.sandbox"):
        store.save("x")
        store.flush()
    assert (tmp_path / "x.json").read_text() == before and "No space left" in caplog.text
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]  # no half-written temporary file left behind
    store.close()


def test_requests_are_saved_together_not_one_write_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[Path] = []
    original = StateStore._write
    monkeypatch.setattr(
        StateStore, "_write", lambda self, path, text: (writes.append(path), original(self, path, text))
    )
    app, _states = create_sandbox(["x"], state_dir=tmp_path)
    with TestClient(app) as browser:
        for _ in range(20):
            assert browser.get("/x/2/users/me").status_code == 401
    assert 1 <= len(writes) < 20 and (tmp_path / "x.json").exists()
