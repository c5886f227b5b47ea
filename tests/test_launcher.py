"""`python -m socialhub run` supervises what it starts: a killed consumer or sandbox comes back with backoff while
the web app keeps answering, a web app that had been serving comes back too, and Ctrl-C still stops everything.

First the supervisor on small stand-in processes with a clock of the test's own, then the real launcher.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import psutil
import pytest

from socialhub import launcher
from socialhub.cli import build_parser
from socialhub.supervisor import Service, Supervisor, answers, describe_exit, restart_delay
from tests.conftest import provisioned_database
from tests.web import app_environment, free_port, listening_addresses, start, stop, wait_for

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]
# A process that starts a grandchild in its own process group, like Reflex starting granian and bun.
PARENT_OF_SLEEPER = [
    sys.executable,
    "-c",
    "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']); "
    "time.sleep(600)",
]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def kill(process: subprocess.Popen[bytes] | None) -> None:
    assert process is not None
    process.kill()
    process.wait()


def group_members(pid: int) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) == pid and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (ProcessLookupError, psutil.NoSuchProcess):
            continue
    return found


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[tuple[Supervisor, Clock, dict[str, bool]]]:
    clock, ready = Clock(), {"web": False}
    supervisor = Supervisor(
        [
            Service("queue consumer", SLEEPER),
            Service("web app", SLEEPER, ready_url="web", ready_message="open it", restart_after_ready_only=True),
        ],
        env=dict(os.environ),
        cwd=tmp_path,
        clock=clock,
        probe=lambda url: ready[url],
    )
    supervisor.start()
    yield supervisor, clock, ready
    supervisor.stop()


def test_restart_delays_double_up_to_a_cap() -> None:
    assert [restart_delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_exits_are_described_in_words() -> None:
    assert describe_exit(-9) == "signal SIGKILL"
    assert describe_exit(3) == "code 3"


def test_a_killed_consumer_is_started_again_with_backoff_and_the_web_app_keeps_running(
    supervised: tuple[Supervisor, Clock, dict[str, bool]], caplog: pytest.LogCaptureFixture
) -> None:
    supervisor, clock, _ = supervised
    consumer, web = supervisor.children
    web_pid = web.process.pid  # type: ignore[union-attr]
    caplog.set_level(logging.INFO, logger="socialhub.launcher")
    delays = []
    for _ in range(3):  # dying again within a minute of starting: each wait is twice the last
        first_pid = consumer.process.pid  # type: ignore[union-attr]
        kill(consumer.process)
        assert supervisor.step() is None
        assert consumer.process is None and consumer.restart_at is not None
        delays.append(consumer.restart_at - clock.now)
        clock.now = consumer.restart_at - 0.1
        assert supervisor.step() is None and consumer.process is None  # not before its time
        clock.now += 0.1
        assert supervisor.step() is None
        assert consumer.process is not None and consumer.process.pid != first_pid
        clock.now += 5
    assert delays == [1, 2, 4]
    assert web.process is not None and web.process.pid == web_pid and web.process.poll() is None
    messages = [r.getMessage() for r in caplog.records]
    assert "queue consumer exited with signal SIGKILL; starting it again in 1 s (the web app keeps running)" in messages
    assert any(m.startswith("queue consumer started again (pid ") for m in messages)

    clock.now += 120  # up for two minutes: the next death starts the backoff from the bottom again
    kill(consumer.process)
    supervisor.step()
    assert consumer.restart_at == clock.now + 1


def test_a_web_app_that_dies_before_it_ever_answered_stops_everything(
    supervised: tuple[Supervisor, Clock, dict[str, bool]], caplog: pytest.LogCaptureFixture
) -> None:
    supervisor, _, _ = supervised
    web = supervisor.children[1]
    web.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
    web.process.wait()  # type: ignore[union-attr]
    with caplog.at_level(logging.ERROR, logger="socialhub.launcher"):
        assert supervisor.step() == -signal.SIGTERM
    assert "web app exited with signal SIGTERM before it ever answered; stopping SocialHub" in caplog.text


def test_a_web_app_that_had_been_serving_is_started_again(
    supervised: tuple[Supervisor, Clock, dict[str, bool]], caplog: pytest.LogCaptureFixture
) -> None:
    supervisor, clock, ready = supervised
    web = supervisor.children[1]
    caplog.set_level(logging.INFO, logger="socialhub.launcher")
    ready["web"] = True
    supervisor.step()
    assert web.ready and "open it" in caplog.text
    kill(web.process)
    assert supervisor.step() is None
    assert "web app exited with signal SIGKILL; starting it again in 1 s (until it answers again" in caplog.text
    clock.now += 1
    supervisor.step()
    assert web.process is not None and web.process.poll() is None and web.ready is False


def test_what_is_left_of_a_dead_child_s_group_is_stopped_before_it_starts_again(tmp_path: Path) -> None:
    supervisor = Supervisor([Service("sandbox", PARENT_OF_SLEEPER)], env=dict(os.environ), cwd=tmp_path)
    supervisor.start()
    try:
        [child] = supervisor.children
        leader = child.process.pid  # type: ignore[union-attr]
        deadline = time.monotonic() + 10
        while len(group_members(leader)) < 2:
            assert time.monotonic() < deadline, "the grandchild did not start"
            time.sleep(0.05)
        kill(child.process)
        supervisor.step()
        assert group_members(leader) == []
    finally:
        supervisor.stop()


def test_stop_leaves_no_process_of_any_child_behind(tmp_path: Path) -> None:
    supervisor = Supervisor(
        [Service("a", PARENT_OF_SLEEPER), Service("b", SLEEPER)], env=dict(os.environ), cwd=tmp_path
    )
    supervisor.start()
    leaders = [c.process.pid for c in supervisor.children]  # type: ignore[union-attr]
    time.sleep(0.5)  # the grandchild starts
    supervisor.stop()
    assert [group_members(pid) for pid in leaders] == [[], []]


def test_the_readiness_probe_goes_straight_to_the_app_whatever_proxy_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")  # nothing listens there
        assert answers(f"http://127.0.0.1:{server.server_port}/")
        assert not answers(f"http://127.0.0.1:{free_port()}/")
    finally:
        server.shutdown()


def test_the_web_app_and_sandbox_listen_on_127_0_0_1_unless_asked() -> None:
    args = build_parser().parse_args(["run"])
    assert args.host == "127.0.0.1"
    assert build_parser().parse_args(["run", "--host", "0.0.0.0"]).host == "0.0.0.0"
    web = launcher.web_command(dev=False, port=3000)
    assert web[web.index("--backend-host") + 1] == "127.0.0.1"
    dev = launcher.web_command(dev=True, port=3000, host="0.0.0.0")
    assert dev[dev.index("--backend-port") + 1] == "8000" and dev[dev.index("--backend-host") + 1] == "0.0.0.0"
    sandbox = launcher.sandbox_command(3001)
    assert sandbox[sandbox.index("--host") + 1] == "127.0.0.1"


def test_the_log_says_how_to_open_it_and_how_to_reach_it_from_a_phone(monkeypatch: pytest.MonkeyPatch) -> None:
    local = launcher.reach_hint(host="127.0.0.1", port=3000, app_url="http://localhost:3000")
    assert local == "SocialHub listens on 127.0.0.1:3000 (this machine only); open http://localhost:3000"
    monkeypatch.setattr(launcher, "lan_address", lambda: "192.168.1.20")
    phone = launcher.reach_hint(host="0.0.0.0", port=3000, app_url="http://localhost:3000")
    assert "on a phone on the same network open http://192.168.1.20:3000" in phone
    assert "start with APP_URL=http://192.168.1.20:3000 SANDBOX_BASE_URL=http://192.168.1.20:3001" in phone
    ready = launcher.reach_hint(host="0.0.0.0", port=3000, app_url="http://192.168.1.20:3000")
    assert ready == "SocialHub listens on 0.0.0.0:3000; on a phone on the same network open http://192.168.1.20:3000"
    unreachable = launcher.reach_hint(host="127.0.0.1", port=3000, app_url="https://social.example.com")
    assert "add --host 0.0.0.0" in unreachable


# --- the real launcher ---------------------------------------------------------------------------------------


@dataclass
class Launched:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    env: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def find_child(self, marker: str) -> psutil.Process | None:
        """The launcher's running child whose command line contains ``marker``, if there is one now."""
        for proc in psutil.Process(self.process.pid).children():
            try:
                if marker in " ".join(proc.cmdline()) and proc.status() != psutil.STATUS_ZOMBIE:
                    return proc
            except psutil.NoSuchProcess:
                continue
        return None

    def child(self, marker: str) -> psutil.Process:
        """The launcher's child whose command line contains ``marker``, once it runs."""
        deadline = time.monotonic() + 60
        while (found := self.find_child(marker)) is None:
            assert time.monotonic() < deadline, f"no child running {marker!r}"
            time.sleep(0.2)
        return found

    def wait_for_log(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log.read_text(errors="replace"):
            assert time.monotonic() < deadline, f"{text!r} never appeared in {self.log}"
            time.sleep(0.2)


@pytest.fixture(scope="module")
def launched(admin_url: str, artifacts: Path) -> Iterator[Launched]:
    # A database of its own: the launcher's consumer sweeps every team, and the session database holds other
    # tests' rows (accounts with made-up tokens) that it would try to publish.
    with provisioned_database(admin_url) as urls:
        yield from _launch(urls, artifacts)


def _launch(urls: dict[str, str], artifacts: Path) -> Iterator[Launched]:
    port = free_port()
    while any(listening_addresses(p) for p in (port, port + 1)):
        port = free_port()
    env = app_environment(
        APP_URL=None,
        SANDBOX_BASE_URL=None,
        DATABASE_URL=urls["app"],
        MIGRATION_DATABASE_URL=urls["owner"],
        REDIS_URL=None,  # the embedded default: a SQLite queue in DATA_DIR
        REFLEX_WEB_WORKDIR=".web-launcher-test",  # its own front end: the session's app serves .web/ meanwhile
        GRANIAN_WORKERS="1",
    )
    log = artifacts / "launcher-run.log"
    process = start([sys.executable, "-m", "socialhub", "run", "--no-demo", "--port", str(port)], env=env, log=log)
    launched = Launched(process, port, log, env)
    try:
        wait_for(f"{launched.url}/api/v1/ready", process, log, timeout=420)
        launched.wait_for_log("SocialHub listens on 127.0.0.1")
        yield launched
    finally:
        if process.poll() is None:
            stop(process)


def answered_throughout(url: str, until: Callable[[], bool]) -> list[int]:
    """Status codes of ``url``, asked every 0.2 s (at least once) until ``until()`` is true."""
    codes = []
    deadline = time.monotonic() + 90
    while True:
        try:
            codes.append(httpx.get(url, timeout=5).status_code)
        except httpx.HTTPError:
            codes.append(-1)
        if until():
            return codes
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_kill_9_the_consumer_it_comes_back_and_the_web_app_keeps_answering(launched: Launched) -> None:
    consumer = launched.child("huey_consumer")
    consumer.kill()

    def consumer_back() -> bool:
        found = launched.find_child("huey_consumer")
        return found is not None and found.pid != consumer.pid

    codes = answered_throughout(f"{launched.url}/api/v1/health", until=consumer_back)
    assert set(codes) == {200}
    launched.wait_for_log("queue consumer exited with signal SIGKILL; starting it again in 1 s")
    launched.wait_for_log("queue consumer started again (pid ")
    # The new consumer takes work from the same queue.
    check = subprocess.run(
        [sys.executable, "-m", "socialhub", "check", "--worker-timeout", "60"],
        env=launched.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "worker    answered from" in check.stdout


def test_kill_9_the_sandbox_it_comes_back(launched: Launched) -> None:
    sandbox = launched.child("socialhub.sandbox.server")
    sandbox.kill()
    launched.wait_for_log("platform sandbox exited with signal SIGKILL; starting it again")
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{launched.port + 1}/x/_sandbox/state").status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the sandbox did not come back"
        time.sleep(0.2)
    assert httpx.get(f"{launched.url}/api/v1/health").status_code == 200


def test_kill_9_the_web_app_after_it_served_it_comes_back(launched: Launched) -> None:
    web = launched.child("reflex")
    web.kill()
    launched.wait_for_log("web app exited with signal SIGKILL; starting it again in 1 s")
    wait_for(f"{launched.url}/api/v1/ready", launched.process, launched.log, timeout=420)
    assert launched.child("reflex").pid != web.pid


def test_ctrl_c_stops_everything_and_leaves_no_process(launched: Launched) -> None:
    tree = psutil.Process(launched.process.pid).children(recursive=True)
    assert len(tree) >= 3  # consumer, sandbox, Reflex and its server
    launched.process.send_signal(signal.SIGINT)  # what a terminal's Ctrl-C sends the launcher
    assert launched.process.wait(timeout=60) == 0
    _gone, alive = psutil.wait_procs(tree, timeout=30)
    assert alive == [], [p.cmdline() for p in alive]
    assert listening_addresses(launched.port) == set() and listening_addresses(launched.port + 1) == set()
    text = launched.log.read_text(errors="replace")
    assert "stopping…" in text and "Traceback" not in text
