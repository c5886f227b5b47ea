"""Benchmark: a burst of due post-platform jobs through real Huey consumers against the Sandbox.

    python bench/publish_burst.py [--jobs 10000] [--queue redis|embedded] [--db server|embedded]
        [--consumers 2] [--threads 16] [--latency-ms 50] [--spread 60] [--platforms x,linkedin,reddit] [--profile]

Builds a throwaway database (provisioned and migrated like the test suite's; dropped at the end) on
DATABASE_ADMIN_URL (or DATABASE_URL; else, or with --db embedded, an embedded PostgreSQL), starts the Sandbox as
its own process answering every request after --latency-ms, connects one account per platform in each of
--tenants teams through the real OAuth flow, then starts the consumers exactly as `python -m socialhub worker`
does (--queue redis: RedisHuey on REDIS_URL, whose queue keys are deleted, so give it a Redis database of its
own; --queue embedded: SqliteHuey in a temporary directory, the platform gate in process memory). Only then are
the jobs inserted: text posts with one target per platform, due times spread evenly over --spread seconds
starting a few seconds ahead (--spread 0: all due at the same instant, which measures capacity).

Prints total time (first due → last published), throughput, start lateness (armed_at − due: when the platform
call started) p50/p99/max, duplicates (per post, counted by the Sandbox), lost (rows not published), PostgreSQL
transactions per job (pg_stat_database), and with --profile the consumers' hottest functions (cProfile on every
worker thread; slower, so its timings are not the benchmark's figures).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CALLBACK = "http://localhost:3000/accounts/callback"
OPTIONS = {"reddit": {"subreddit": "sandbox"}, "pinterest": {"board_id": "1"}}
UNLIMITED = 1_000_000_000
TERMINAL = ("published", "failed", "unconfirmed", "cancelled")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- the pieces: database, sandbox, accounts, jobs, consumers ----------------------------------------------------


def provision(args: argparse.Namespace, data_dir: Path) -> tuple[str, str]:
    """(admin URL of the bench database, its name); DATABASE_URL and MIGRATION_DATABASE_URL point at it."""
    from sqlalchemy.engine import make_url

    from socialhub import migrations
    from socialhub.provision import APP_ROLE, OWNER_ROLE, RoleSpec, provision_database
    from socialhub.settings import get_settings, normalise_database_url

    admin = None if args.db == "embedded" else os.environ.get("DATABASE_ADMIN_URL") or os.environ.get("DATABASE_URL")
    admin = normalise_database_url(admin)
    if not admin:
        from socialhub.embedded_pg import start_embedded_server

        admin = start_embedded_server(data_dir / "pg" / "18", cleanup_mode="delete").superuser_url
    name = f"socialhub_bench_{uuid.uuid4().hex[:8]}"
    provision_database(admin, database=name, owner=RoleSpec(OWNER_ROLE), app=RoleSpec(APP_ROLE))
    base = make_url(admin).set(database=name)
    os.environ["DATABASE_URL"] = base.set(username=APP_ROLE, password=None).render_as_string(hide_password=False)
    os.environ["MIGRATION_DATABASE_URL"] = base.set(username=OWNER_ROLE, password=None).render_as_string(
        hide_password=False
    )
    os.environ.pop("DATABASE_ADMIN_URL", None)
    get_settings.cache_clear()
    migrations.upgrade()
    return admin, name


def start_sandbox(port: int, latency_ms: int, log: Path) -> subprocess.Popen[bytes]:
    from socialhub.launcher import sandbox_command

    env = {**os.environ, "SANDBOX_LATENCY_MS": str(latency_ms)}
    process = subprocess.Popen(
        sandbox_command(port), cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/x/_sandbox/state").status_code == 200:
                break
        time.sleep(0.1)
    # One sandbox user per platform stands behind every connected account, so lift the per-user limits: this
    # measures the pipeline, not the platforms' quotas (the gate's lockouts are tested elsewhere).
    httpx.post(f"{url}/x/_sandbox/rate-limits", json={"endpoint": "POST /2/tweets", "limit": UNLIMITED})
    httpx.post(f"{url}/linkedin/_sandbox/knobs", json={"config": {"daily_post_limit": UNLIMITED}})
    httpx.post(f"{url}/reddit/_sandbox/knobs", json={"window_limit": UNLIMITED})
    httpx.post(f"{url}/facebook/_sandbox/knobs", json={"call_limit": UNLIMITED})
    return process


def connect_accounts(tenants: int, platforms: list[str]) -> list[tuple[uuid.UUID, uuid.UUID, str, uuid.UUID]]:
    """(tenant, account, platform, author) for every tenant × platform, connected through the real OAuth flow."""
    from socialhub.context import Context
    from socialhub.models import Role
    from socialhub.services import account_connect
    from socialhub.services.tenants import create_tenant
    from socialhub.services.users import create_user

    accounts = []
    for n in range(tenants):
        tenant = create_tenant(name=f"Bench {n}")
        admin = create_user(
            Context.system(tenant.id), email=f"bench-{n}@example.com", password="benchmark password", role=Role.ADMIN
        )
        ctx = Context(tenant.id, admin.id, Role.ADMIN)
        for platform in platforms:
            url, _ = account_connect.start_connect(ctx, platform, redirect_uri=CALLBACK)
            query = parse_qs(urlsplit(httpx.get(url).headers["location"]).query)
            result = account_connect.complete_connect(
                ctx, state=query["state"][0], code=query["code"][0], redirect_uri=CALLBACK
            )
            connected = result.accounts
            if not connected:  # a multi-account platform (LinkedIn, Facebook): pick the first it offers
                chosen = [result.candidates[0].id]
                connected = account_connect.select_accounts(ctx, state=str(result.state), account_ids=chosen)
            accounts.append((tenant.id, connected[0].id, platform, admin.id))
    return accounts


def insert_jobs(
    accounts: list[tuple[uuid.UUID, uuid.UUID, str, uuid.UUID]], jobs: int, start: datetime, spread: float
) -> dict[uuid.UUID, datetime]:
    """One text post per tenant in turn, a target on each of its accounts; returns row id → due time."""
    from socialhub.context import Context
    from socialhub.db import tenant_session
    from socialhub.models import Post, PostPlatform, PostStatus, PublishStatus
    from socialhub.models.enums import Platform

    by_tenant: dict[uuid.UUID, list[tuple[uuid.UUID, str, uuid.UUID]]] = {}
    for tenant_id, account_id, platform, author in accounts:
        by_tenant.setdefault(tenant_id, []).append((account_id, platform, author))
    per_post = len(next(iter(by_tenant.values())))
    posts = jobs // per_post
    due: dict[uuid.UUID, datetime] = {}
    rows: dict[uuid.UUID, list[Any]] = {t: [] for t in by_tenant}
    tenant_ids = list(by_tenant)
    for n in range(posts):
        tenant_id = tenant_ids[n % len(tenant_ids)]
        when = start + timedelta(seconds=spread * n / max(1, posts))
        post = Post(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            created_by=by_tenant[tenant_id][0][2],
            status=PostStatus.SCHEDULED,
            scheduled_at=when,
            title=f"Burst {n}",
            content=f"Burst post {n} {uuid.uuid4().hex[:10]}",
        )
        rows[tenant_id].append(post)
        for account_id, platform, _ in by_tenant[tenant_id]:
            target = PostPlatform(
                id=uuid.uuid4(),
                tenant_id=tenant_id,
                post_id=post.id,
                social_account_id=account_id,
                platform=Platform(platform),
                status=PublishStatus.QUEUED,
                next_attempt_at=when,
                options=OPTIONS.get(platform, {}),
            )
            rows[tenant_id].append(target)
            due[target.id] = when
    for tenant_id, objects in rows.items():
        with tenant_session(Context.system(tenant_id)) as session:
            session.add_all([o for o in objects if isinstance(o, Post)])
            session.flush()
            session.add_all([o for o in objects if isinstance(o, PostPlatform)])
            session.commit()
    return due


def start_consumers(args: argparse.Namespace, env: dict[str, str], log: Path, prof_dir: Path) -> list[Any]:
    from socialhub.launcher import consumer_command

    processes = []
    for n in range(args.consumers):
        cmd = consumer_command(args.threads)
        if args.profile:  # the same consumer, with every worker thread under cProfile
            cmd = [sys.executable, __file__, "--profiled-consumer", str(prof_dir / f"consumer-{n}.prof"), *cmd[1:]]
        processes.append(
            subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
            )
        )
    return processes


def clear_queue(redis_url: str | None) -> None:
    """The run's queue, schedule, results, gate and sweeper keys in its Redis database (nothing else there)."""
    if not redis_url:
        return
    import redis

    client = redis.Redis.from_url(redis_url)
    for pattern in ("huey.*socialhub*", "socialhub:gate*", "socialhub:publish.sweeper"):
        for key in client.scan_iter(pattern):
            client.delete(key)


def stop(processes: list[subprocess.Popen[bytes]], grace: float = 30) -> None:
    for p in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGINT)
    deadline = time.monotonic() + grace
    for p in processes:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def profiled_consumer(output: str, argv: list[str]) -> None:
    """Run huey_consumer with a cProfile per thread; on exit, all of them merged into ``output``."""
    import atexit
    import cProfile
    import pstats
    import runpy
    import threading

    profiles: list[cProfile.Profile] = []

    def start_profile(*_args: object) -> None:
        # Each new thread's first call lands here; enable() then replaces this hook for that thread only.
        # CPU time of this thread: with many threads on two cores, wall time mostly measures waiting for the GIL.
        profile = (
            cProfile.Profile(time.thread_time)
            if os.environ.get("BENCH_PROFILE_CLOCK") != "wall"
            else cProfile.Profile()
        )
        profiles.append(profile)
        profile.enable()

    def dump() -> None:
        live = [p for p in profiles if p.getstats()]
        if live:
            stats = pstats.Stats(live[0])
            for p in live[1:]:
                stats.add(p)
            stats.dump_stats(output)

    threading.setprofile(start_profile)
    atexit.register(dump)
    sys.argv = ["huey_consumer", *argv[2:]]  # after "-m huey.bin.huey_consumer"
    runpy.run_module("huey.bin.huey_consumer", run_name="__main__")


# --- figures -------------------------------------------------------------------------------------------------------


def admin_connect(admin: str, name: str) -> Any:
    import psycopg
    from sqlalchemy.engine import make_url

    from socialhub.provision import libpq_conninfo

    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    return psycopg.connect(libpq_conninfo(url), autocommit=True)


def transactions(conn: Any, name: str) -> int:
    conn.execute("SELECT pg_stat_clear_snapshot()")
    row = conn.execute(
        "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s", (name,)
    ).fetchone()
    return int(row[0])


def cpu_snapshot(conn: Any, name: str, consumers: list[Any], sandbox: Any, redis_url: str | None) -> dict[str, float]:
    """CPU seconds used so far by each part: consumers, the bench database's backends, the sandbox, Redis."""
    import psutil

    def used(pid: int) -> float:
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            return times.user + times.system
        return 0.0

    backends = conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (name,)
    ).fetchall()
    figures = {
        "consumers": sum(used(p.pid) for p in consumers),
        "postgresql": sum(used(pid) for (pid,) in backends),  # 0 when the server is not on this machine
        "sandbox": used(sandbox.pid),
    }
    if redis_url:
        import redis

        info = redis.Redis.from_url(redis_url).info("cpu")
        figures["redis (whole server)"] = float(info["used_cpu_user"]) + float(info["used_cpu_sys"])
    return figures


def report(
    args: argparse.Namespace,
    conn: Any,
    name: str,
    due: dict[uuid.UUID, datetime],
    sandbox: str,
    xacts: int,
    cpu: dict[str, float],
) -> None:
    rows = conn.execute("SELECT id, status, armed_at, published_at, retry_count FROM post_platforms").fetchall()
    status = Counter(r[1] for r in rows)
    published = [r for r in rows if r[1] == "published"]
    first_due = min(due.values())
    last_done = max((r[3] for r in published), default=first_due)
    total = (last_done - first_due).total_seconds()
    late = [(r[2] - due[r[0]]).total_seconds() for r in published if r[2] is not None]
    texts: Counter[str] = Counter()
    peaks = {}
    for platform in args.platforms:
        state = httpx.get(f"{sandbox}/{platform}/_sandbox/state", timeout=60).json()
        peaks[platform] = state["peak_in_flight"]
        for p in state["published"]:
            payload = p["payload"]
            texts[f"{platform}:{payload.get('text') or payload.get('commentary') or payload.get('title')}"] += 1
    duplicates = sum(n - 1 for n in texts.values() if n > 1)
    jobs = len(rows)
    spread = f"due over {args.spread:g} s" if args.spread else "all due at once"
    print(
        f"\n{jobs} jobs ({', '.join(args.platforms)}; {spread}), queue {args.queue}, database {args.db}, "
        f"{args.consumers} consumer(s) × {args.threads} threads, sandbox latency {args.latency_ms} ms, "
        f"{os.cpu_count()} cores{' — PROFILED' if args.profile else ''}"
    )
    print(f"  total time       {total:8.1f} s   (first due → last published)")
    print(f"  throughput       {len(published) / total if total else 0:8.1f} jobs/s")
    if late:
        print(
            f"  start lateness   p50 {statistics.median(late):6.2f} s   p99 {percentile(late, 0.99):6.2f} s   "
            f"max {max(late):6.2f} s   (armed_at − due)"
        )
    print(f"  published        {len(published)}   at the platforms {sum(texts.values())}")
    print(f"  duplicates       {duplicates}")
    print(f"  lost             {jobs - len(published)}   {dict(status)}")
    print(f"  deferred/retried {sum(1 for r in rows if r[4] != 1)} rows whose attempts != 1")
    print(f"  peak in flight   {peaks} (requests a platform was answering at once, counted by the Sandbox)")
    posts = dict(conn.execute("SELECT status, count(*) FROM posts GROUP BY 1").fetchall())
    print(f"  posts            {posts}")
    print(f"  transactions     {xacts / max(1, jobs):.2f} per job (pg_stat_database, all of the run's sessions)")
    per_job = {part: seconds * 1000 / max(1, jobs) for part, seconds in cpu.items()}
    total_ms = sum(per_job.values())
    print(
        "  CPU per job      "
        + "   ".join(f"{part} {ms:.2f} ms" for part, ms in per_job.items())
        + f"   = {total_ms:.2f} ms, so {os.cpu_count()} cores could do ~{1000 * (os.cpu_count() or 1) / total_ms:.0f}"
        " jobs/s at most"
    )


def print_profile(prof_dir: Path, limit: int = 30) -> None:
    import pstats

    files = sorted(str(p) for p in prof_dir.glob("*.prof"))
    if not files:
        print("  (no profile written)")
        return
    stats = pstats.Stats(*files)
    stats.sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(limit)


# --- the run -------------------------------------------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--profiled-consumer":
        profiled_consumer(sys.argv[2], sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--platforms", default="x,linkedin,reddit")
    parser.add_argument("--tenants", type=int, default=10)
    parser.add_argument("--queue", choices=("redis", "embedded"), default="redis")
    parser.add_argument("--db", choices=("server", "embedded"), default="server")
    parser.add_argument("--consumers", type=int, default=None, help="consumer processes (redis: 2, embedded: 1)")
    parser.add_argument("--threads", type=int, default=16, help="worker threads per consumer")
    parser.add_argument("--pool", type=int, default=None, help="DATABASE_POOL_SIZE (default: threads)")
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--spread", type=float, default=60.0, help="seconds the due times are spread over")
    parser.add_argument("--lead", type=float, default=None, help="seconds between the insert and the first due")
    parser.add_argument("--timeout", type=float, default=None, help="give up this long after the last due time")
    parser.add_argument("--concurrency", help='PLATFORM_CONCURRENCY for the consumers, e.g. {"x": 4}')
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--profile-clock", choices=("cpu", "wall"), default="cpu", help="what --profile measures")
    args = parser.parse_args()
    args.platforms = args.platforms.split(",")
    args.consumers = args.consumers or (2 if args.queue == "redis" else 1)

    data_dir = Path(tempfile.mkdtemp(prefix="bench-publish-"))
    os.environ["DATA_DIR"] = str(data_dir)
    os.environ.setdefault("LOG_LEVEL", "INFO")
    redis_url = os.environ.get("REDIS_URL") if args.queue == "redis" else None
    if args.queue == "redis" and not redis_url:
        parser.error("--queue redis needs REDIS_URL (a Redis database the run may clear its queue keys in)")
    if not redis_url:
        os.environ.pop("REDIS_URL", None)
    sandbox_port = 19000 + os.getpid() % 1000
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    os.environ["SANDBOX_BASE_URL"] = sandbox_url
    from socialhub.settings import get_settings

    get_settings.cache_clear()
    log = data_dir / "bench.log"
    print(f"logs in {log}")
    admin, name = provision(args, data_dir)
    sandbox = start_sandbox(sandbox_port, args.latency_ms, log)
    consumers: list[subprocess.Popen[bytes]] = []
    try:
        clear_queue(redis_url)
        accounts = connect_accounts(args.tenants, args.platforms)
        from socialhub.launcher import child_environment

        env = child_environment()
        env["DATABASE_POOL_SIZE"] = str(args.pool or args.threads)
        if args.concurrency:
            env["PLATFORM_CONCURRENCY"] = args.concurrency
        env["BENCH_PROFILE_CLOCK"] = args.profile_clock
        consumers = start_consumers(args, env, log, data_dir)
        conn = admin_connect(admin, name)
        lead = args.lead if args.lead is not None else 5 + args.jobs / 2000
        start = datetime.now(UTC) + timedelta(seconds=lead)
        due = insert_jobs(accounts, args.jobs, start, args.spread)
        if datetime.now(UTC) > start:
            print(f"warning: inserting took longer than the lead of {lead:g} s; lateness includes it")
        xacts_before = transactions(conn, name)
        cpu_before = cpu_snapshot(conn, name, consumers, sandbox, redis_url)
        monitor_xacts = 0
        deadline = time.monotonic() + lead + args.spread + (args.timeout or 120 + args.jobs / 50)
        last_print, done = 0.0, 0
        while time.monotonic() < deadline:
            counts = dict(conn.execute("SELECT status, count(*) FROM post_platforms GROUP BY 1").fetchall())
            monitor_xacts += 1
            done = sum(counts.get(s, 0) for s in TERMINAL)
            if time.monotonic() - last_print > 5:
                print(f"  {datetime.now(UTC):%H:%M:%S} {counts}", flush=True)
                last_print = time.monotonic()
            if done == len(due) or any(p.poll() is not None for p in consumers):
                break
            time.sleep(0.5)
        cpu_after = cpu_snapshot(conn, name, consumers, sandbox, redis_url)
        cpu = {part: cpu_after[part] - cpu_before.get(part, 0.0) for part in cpu_after}
        stop(consumers)
        time.sleep(1.5)  # statistics reach pg_stat_database within a second of a session going idle
        xacts = transactions(conn, name) - xacts_before - monitor_xacts - 3
        report(args, conn, name, due, sandbox_url, xacts, cpu)
        conn.close()
        if args.profile:
            print_profile(data_dir)
    finally:
        stop(consumers)
        clear_queue(redis_url)
        sandbox.terminate()
        sandbox.wait()
        from socialhub.db import dispose_engine
        from socialhub.provision import drop_database

        dispose_engine()
        drop_database(admin, name)


if __name__ == "__main__":
    main()
