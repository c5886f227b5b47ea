"""End to end with a real consumer: "publish now" through the API, the sweeper finds the due target,
the task publishes it to the X sandbox, and the post reads as published — once."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from socialhub.api.app import create_api
from socialhub.context import Context
from socialhub.models import Role
from socialhub.services.auth import start_session
from socialhub.settings import get_settings
from tests.conftest import Sandbox
from tests.factories import connect_sandbox_account, make_tenant, make_user
from tests.web import app_environment, stop

CALLBACK = "http://localhost:3000/accounts/callback"


@pytest.fixture
def consumer(
    database: dict[str, str], sandbox: Sandbox, redis_url: str, artifacts: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setenv("SANDBOX_BASE_URL", sandbox.url)
    get_settings.cache_clear()
    env = app_environment(REDIS_URL=redis_url, SANDBOX_BASE_URL=sandbox.url)
    log = (artifacts / "worker-publishing.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "socialhub", "worker", "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield
    finally:
        stop(process, grace=15)
        get_settings.cache_clear()


def test_publish_now_goes_out_through_the_worker_once(consumer: None, sandbox: Sandbox) -> None:
    sandbox.states["x"].reset()
    tenant = make_tenant()
    editor = make_user(tenant, role=Role.ADMIN)
    ctx = Context(tenant.id, editor.id, Role.ADMIN)
    account = connect_sandbox_account(ctx, "x")
    headers = {"Authorization": f"Bearer {start_session(Context.system(tenant.id), editor.id).access_token}"}

    with TestClient(create_api()) as api:
        text = f"Sourdough is out of the oven {uuid.uuid4().hex[:6]}"
        created = api.post(
            "/api/v1/posts", headers=headers, json={"content": text, "targets": [{"account_id": str(account.id)}]}
        )
        assert created.status_code == 201, created.text
        post_id = created.json()["id"]
        assert api.post(f"/api/v1/posts/{post_id}/schedule", headers=headers).status_code == 200

        deadline = time.monotonic() + 60
        while True:
            post = api.get(f"/api/v1/posts/{post_id}", headers=headers).json()
            if post["status"] in ("published", "failed", "partially_published"):
                break
            assert time.monotonic() < deadline, f"still {post['status']} after 60 s"
            time.sleep(0.5)

    assert post["status"] == "published", post
    target = post["targets"][0]
    assert target["status"] == "published" and target["permalink"].startswith(f"{sandbox.base('x')}/")  # its page
    published = sandbox.control("x", "GET", "state").json()["published"]
    assert [p["payload"]["text"] for p in published] == [text]
