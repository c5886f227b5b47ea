"""kill -9 the consumer again and again during a burst: every target ends published exactly once or
`unconfirmed` (with a check-the-platform message) — 0 lost, 0 duplicates, counted by the X sandbox."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import func, select

from socialhub.context import Context
from socialhub.db import tenant_session
from socialhub.models import Post, PostPlatform, PostStatus, PublishStatus, Role, utcnow
from socialhub.services import account_connect
from socialhub.settings import get_settings
from tests.conftest import Sandbox
from tests.factories import make_tenant, make_user
from tests.web import app_environment

BURST = 300
KILLS = 6
CALLBACK = "http://localhost:3000/accounts/callback"
UNSETTLED = (PublishStatus.QUEUED, PublishStatus.RETRY_WAIT, PublishStatus.PUBLISHING)


def start_consumer(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "socialhub", "worker", "--workers", "4"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def counts(tenant_id: uuid.UUID) -> Counter[PublishStatus]:
    with tenant_session(Context.system(tenant_id)) as session:
        rows = session.exec(select(PostPlatform.status, func.count()).group_by(PostPlatform.status)).all()
    return Counter({status: n for status, n in rows})


def test_kill_9_during_a_burst_loses_nothing_and_posts_nothing_twice(
    database: dict[str, str], sandbox: Sandbox, redis_url: str, artifacts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDBOX_BASE_URL", sandbox.url)
    get_settings.cache_clear()
    sandbox.states["x"].reset()
    for endpoint in ("POST /2/tweets", "GET /2/users/{id}/tweets", "GET /2/users/me"):
        sandbox.control("x", "POST", "rate-limits", json={"endpoint": endpoint, "limit": 100_000}).raise_for_status()
    tenant = make_tenant()
    admin = make_user(tenant, role=Role.ADMIN)
    ctx = Context(tenant.id, admin.id, Role.ADMIN)
    url, _ = account_connect.start_connect(ctx, "x", redirect_uri=CALLBACK)
    query = parse_qs(urlsplit(httpx.get(url, follow_redirects=False).headers["location"]).query)
    account = account_connect.complete_connect(
        ctx, state=query["state"][0], code=query["code"][0], redirect_uri=CALLBACK
    ).accounts[0]
    with tenant_session(Context.system(tenant.id)) as session:
        for n in range(BURST):
            post = Post(
                tenant_id=tenant.id,
                created_by=admin.id,
                status=PostStatus.SCHEDULED,
                content=f"Burst post {n:04d} {uuid.uuid4().hex[:6]}",
            )
            session.add(post)
            session.flush()
            session.add(
                PostPlatform(
                    tenant_id=tenant.id,
                    post_id=post.id,
                    social_account_id=account.id,
                    platform=account.platform,
                    status=PublishStatus.QUEUED,
                    next_attempt_at=utcnow(),
                )
            )
        session.commit()

    env = app_environment(
        REDIS_URL=redis_url, SANDBOX_BASE_URL=sandbox.url, PUBLISH_LEASE_SECONDS="3", PLATFORM_TIMEOUT_SECONDS="3"
    )
    log = artifacts / "reliability-kill.log"
    log.write_text("")
    rng = random.Random(9)
    started = time.monotonic()
    for _ in range(KILLS):  # a consumer works for a moment, then dies without warning
        consumer = start_consumer(env, log)
        time.sleep(rng.uniform(1.0, 2.5))
        os.killpg(consumer.pid, signal.SIGKILL)
        consumer.wait()
    progress_at_last_kill = counts(tenant.id)[PublishStatus.PUBLISHED]

    consumer = start_consumer(env, log)  # the survivor finishes the job
    try:
        deadline = time.monotonic() + 180
        while any(counts(tenant.id)[s] for s in UNSETTLED):
            assert time.monotonic() < deadline, f"not settled: {counts(tenant.id)}"
            time.sleep(0.5)
    finally:
        os.killpg(consumer.pid, signal.SIGINT)
        consumer.wait(timeout=30)
    elapsed = time.monotonic() - started

    final = counts(tenant.id)
    sent = [p["payload"]["text"] for p in sandbox.control("x", "GET", "state").json()["published"]]
    duplicates = [text for text, n in Counter(sent).items() if n > 1]
    with tenant_session(Context.system(tenant.id)) as session:
        rows = session.exec(select(PostPlatform, Post).where(PostPlatform.post_id == Post.id)).all()
    published_texts = {post.content for row, post in rows if row.status is PublishStatus.PUBLISHED}
    unconfirmed_but_sent = sum(
        1 for row, post in rows if row.status is PublishStatus.UNCONFIRMED and post.content in set(sent)
    )
    lost = [post.content for row, post in rows if row.status is PublishStatus.PUBLISHED and post.content not in sent]
    figures = {
        "burst": BURST,
        "kills": KILLS,
        "elapsed_s": round(elapsed, 1),
        "published_before_last_kill": progress_at_last_kill,
        "final": {k.value: v for k, v in final.items()},
        "sent_to_platform": len(sent),
        "duplicates": len(duplicates),
        "unconfirmed_that_reached_the_platform": unconfirmed_but_sent,
        "published_rows_missing_at_platform": len(lost),
    }
    (artifacts / "reliability-kill.txt").write_text(f"{figures}\n")
    assert progress_at_last_kill > 0  # the kills really interrupted work in progress
    assert duplicates == []  # nothing posted twice
    assert lost == []  # every row that says published is at the platform
    assert final[PublishStatus.PUBLISHED] + final[PublishStatus.UNCONFIRMED] == BURST  # nothing lost or failed
    assert published_texts <= set(sent)
