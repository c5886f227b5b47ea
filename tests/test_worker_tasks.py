"""The publish task's glue: a row put back to wait is scheduled on the queue for the time it is due again."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from socialhub.models import PublishStatus, utcnow
from socialhub.worker import tasks
from socialhub.worker.huey import huey


def test_a_row_put_back_to_wait_is_scheduled_for_its_time(monkeypatch: pytest.MonkeyPatch) -> None:
    when = utcnow() + timedelta(seconds=90)
    tenant_id, target_id = uuid.uuid4(), uuid.uuid4()

    def put_back(tenant: uuid.UUID, target: uuid.UUID, *, requeue: Callable[[datetime], None]) -> PublishStatus:
        requeue(when)  # as publishing does after a rate limit, a backoff or a busy platform
        return PublishStatus.RETRY_WAIT

    monkeypatch.setattr(tasks.publishing, "publish_target", put_back)
    huey.flush()
    assert tasks.publish_post_platform.call_local(str(tenant_id), str(target_id)) is None  # no result kept
    [scheduled] = huey.pending()  # queued with its time; a worker moves it to the schedule until then
    assert scheduled.args == (str(tenant_id), str(target_id)) and scheduled.name == tasks.publish_post_platform.name
    assert abs((scheduled.eta - when.replace(tzinfo=None)).total_seconds()) < 2  # Huey keeps naive UTC times
    huey.flush()
