"""The API's rate limit holds across several API processes because they share Redis."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from socialhub.models import Role
from tests.api.conftest import Team
from tests.web import app_environment, free_port, stop

LIMIT = 6


@pytest.fixture
def two_api_processes(redis_url: str, team: Team, artifacts: Path) -> Iterator[list[str]]:
    env = app_environment(REDIS_URL=redis_url, RATE_LIMIT_PER_MINUTE=str(LIMIT))
    processes, urls = [], []
    try:
        for n in range(2):
            port = free_port()
            log = (artifacts / f"api-process-{n}.log").open("wb")
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "socialhub.api.app:create_api",
                        "--factory",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--no-access-log",
                    ],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        for url in urls:
            while True:
                try:
                    if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "the API processes did not start"
                time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            stop(process, grace=10)


def test_one_users_limit_is_shared_by_two_processes(two_api_processes: list[str], team: Team) -> None:
    headers = team[Role.EDITOR].headers
    statuses = []
    for n in range(LIMIT + 4):
        r = httpx.get(f"{two_api_processes[n % 2]}/api/v1/auth/me", headers=headers)
        statuses.append(r.status_code)
        if r.status_code == 200:
            assert int(r.headers["X-RateLimit-Limit"]) == LIMIT
    assert statuses == [200] * LIMIT + [429] * 4
    assert int(r.headers["Retry-After"]) > 0 and r.json()["error"]["code"] == "rate_limited"
    # Another user has a bucket of their own, on either process.
    other = httpx.get(f"{two_api_processes[1]}/api/v1/auth/me", headers=team[Role.VIEWER].headers)
    assert other.status_code == 200
