"""Benchmark: sign-in and an authenticated GET through the real API, 50 concurrent clients.

    python bench/api_auth.py [--clients 50] [--seconds 15] [--workers 2]

Starts the API (uvicorn, the app factory, N worker processes) on a throwaway database (DATABASE_ADMIN_URL,
else an embedded PostgreSQL), with Redis for the rate limiter when REDIS_URL is set. The per-user rate limit
and the login throttle are raised for the run so that they are exercised (every request still goes through
them) but do not refuse: this measures throughput, not the limits. Prints requests/s and latency percentiles.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "benchmark password 123"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def hammer(make_request, clients: int, seconds: float) -> tuple[list[float], int, int]:  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client(n: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(timeout=30) as http:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await make_request(http, n)
                if response.status_code >= 400:
                    errors += 1
                latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    return latencies, errors, int(time.perf_counter() - started)


def report(name: str, latencies: list[float], errors: int, seconds: float) -> None:
    ms = [x * 1000 for x in latencies]
    print(
        f"{name:<22} {len(ms) / seconds:8.1f} req/s   p50 {statistics.median(ms):7.1f} ms   "
        f"p95 {percentile(ms, 0.95):7.1f} ms   p99 {percentile(ms, 0.99):7.1f} ms   "
        f"n={len(ms)} errors={errors}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="bench-"))
    os.environ["RATE_LIMIT_PER_MINUTE"] = "1000000"
    os.environ["LOGIN_ATTEMPTS_PER_15_MINUTES"] = "1000000"
    from sqlalchemy.engine import make_url

    from socialhub import migrations
    from socialhub.context import Context
    from socialhub.embedded_pg import start_embedded_server
    from socialhub.models import Role
    from socialhub.provision import APP_ROLE, OWNER_ROLE, RoleSpec, drop_database, provision_database
    from socialhub.services.tenants import create_tenant
    from socialhub.services.users import create_user
    from socialhub.settings import get_settings, normalise_database_url

    admin = normalise_database_url(os.environ.get("DATABASE_ADMIN_URL"))
    if not admin:
        admin = start_embedded_server(Path(os.environ["DATA_DIR"]) / "pg" / "18", cleanup_mode="delete").superuser_url
    name = f"socialhub_bench_{uuid.uuid4().hex[:8]}"
    provision_database(admin, database=name, owner=RoleSpec(OWNER_ROLE), app=RoleSpec(APP_ROLE))
    base = make_url(admin).set(database=name)
    os.environ["DATABASE_URL"] = base.set(username=APP_ROLE, password=None).render_as_string(hide_password=False)
    os.environ["MIGRATION_DATABASE_URL"] = base.set(username=OWNER_ROLE, password=None).render_as_string(
        hide_password=False
    )
    get_settings.cache_clear()
    migrations.upgrade()
    tenant = create_tenant(name="Bench")
    emails = [f"bench-{n}@example.com" for n in range(args.clients)]
    for email in emails:
        create_user(Context.system(tenant.id), email=email, password=PASSWORD, role=Role.EDITOR)

    port = 18000 + os.getpid() % 1000
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "socialhub.api.app:create_api",
            "--factory",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    url = f"http://127.0.0.1:{port}/api/v1"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        print(
            f"{args.clients} clients, {args.seconds:g}s each, {args.workers} API worker processes, "
            f"rate limiter on {'Redis' if get_settings().redis_url else 'process memory'}, {os.cpu_count()} cores"
        )

        async def login(http: httpx.AsyncClient, n: int) -> httpx.Response:
            return await http.post(f"{url}/auth/login", json={"email": emails[n], "password": PASSWORD})

        tokens = [
            httpx.post(f"{url}/auth/login", json={"email": e, "password": PASSWORD}).json()["access_token"]
            for e in emails
        ]

        async def me(http: httpx.AsyncClient, n: int) -> httpx.Response:
            return await http.get(f"{url}/auth/me", headers={"Authorization": f"Bearer {tokens[n]}"})

        report("POST /auth/login", *asyncio.run(hammer(login, args.clients, args.seconds)))
        report("GET /auth/me", *asyncio.run(hammer(me, args.clients, args.seconds)))
    finally:
        server.terminate()
        server.wait(timeout=20)
        drop_database(admin, name)


if __name__ == "__main__":
    main()
