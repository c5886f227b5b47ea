"""`python -m socialhub …`: run the app and administer it from a shell."""

from __future__ import annotations

import argparse
import getpass
import logging
import subprocess
import sys
import uuid
from collections.abc import Callable, Mapping, Sequence

from socialhub.context import Context
from socialhub.models import PlanTier, Role
from socialhub.services.errors import SocialHubError

Handler = Callable[[argparse.Namespace], int]


def _database() -> None:
    from socialhub.provision import ensure_database

    ensure_database()


def cmd_run(args: argparse.Namespace) -> int:
    from socialhub.launcher import run

    return run(dev=args.dev, port=args.port, host=args.host, worker=not args.no_worker, demo=not args.no_demo)


def cmd_migrate(args: argparse.Namespace) -> int:
    from socialhub import migrations

    _database()
    if args.down:
        migrations.downgrade(args.down)
    else:
        migrations.upgrade(args.revision)
    print(f"database migrated to {args.down or args.revision}")
    return 0


def cmd_create_tenant(args: argparse.Namespace) -> int:
    from socialhub.services.tenants import create_tenant

    _database()
    tenant = create_tenant(name=args.name, plan_tier=PlanTier(args.plan), timezone=args.timezone)
    print(tenant.id)
    return 0


def cmd_set_plan(args: argparse.Namespace) -> int:
    from socialhub.services.tenants import set_plan

    _database()
    change = set_plan(args.tenant, PlanTier(args.plan), operator=_operator())
    name, plan = change.tenant.name, change.tenant.plan_tier.value
    if change.changed:
        print(f"team '{name}' ({args.tenant}) moved from plan {change.before.value} to {plan}")
    else:
        print(f"team '{name}' ({args.tenant}) was already on plan {plan}; nothing changed")
    return 0


def _operator() -> str:
    """Who ran the command, for the audit log: the OS account (containers may have no name for it)."""
    try:
        return f"{getpass.getuser()} (python -m socialhub set-plan)"
    except (KeyError, OSError):
        return "python -m socialhub set-plan"


def cmd_create_user(args: argparse.Namespace) -> int:
    from socialhub.services.users import create_user

    _database()
    password = args.password
    if password is None and sys.stdin.isatty():
        password = getpass.getpass("Password (leave empty to invite later): ") or None
    user = create_user(
        Context.system(uuid.UUID(args.tenant)),
        email=args.email,
        password=password,
        role=Role(args.role),
        full_name=args.name,
    )
    print(user.id)
    return 0


def cmd_rotate_keys(_args: argparse.Namespace) -> int:
    from socialhub.services.secrets import rotate_keys

    _database()
    report = rotate_keys()
    print(
        f"re-encrypted {report.values_rotated} token(s) on {report.accounts} account(s) in "
        f"{report.tenants} team(s) under key '{report.active_key_id}'"
    )
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from socialhub.services import demo

    # httpx logs every request's full URL at INFO, and OAuth URLs carry codes, states and tokens.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    _database()
    if not args.activity:
        created = demo.seed_demo()
        print(f"demo team '{created.tenant.name}' ({created.tenant.id})")
        for role, user in created.users.items():
            print(f"  {role.value:<12} {user.email}")
        print(f"password for every demo user: {demo.DEMO_PASSWORD}")
    try:  # a moment for a sandbox that is starting beside the app (`run` starts this with --activity)
        demo.wait_for_sandbox(timeout=60 if args.activity else 1)
    except demo.SandboxUnavailable as exc:
        print(
            f"no accounts or posts yet: {exc}. They are added when `python -m socialhub run` starts "
            "(or run `python -m socialhub seed-demo --activity` while it runs)."
        )
        return 0 if not args.activity else 1
    activity = demo.seed_demo_activity()
    if activity is None:
        if args.activity:
            print("no demo team without accounts: nothing to add")
        return 0
    platforms = ", ".join(sorted(activity.accounts))
    sent = ", ".join(f"{name} {status.value}" for name, status in activity.outcomes.items())
    print(f"demo accounts connected through the sandbox: {platforms}; {len(activity.posts)} posts; sent: {sent}")
    return 0


def start_demo_activity(env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    """`seed-demo --activity` beside the app, with its environment: once the sandbox answers, the demo team gets
    its accounts and posts (if it has none yet). The launcher starts it; it ends on its own."""
    from socialhub.settings import PROJECT_ROOT

    return subprocess.Popen(
        [sys.executable, "-m", "socialhub", "seed-demo", "--activity"], env=dict(env), cwd=PROJECT_ROOT
    )


def cmd_db_provision(_args: argparse.Namespace) -> int:
    from socialhub.provision import provision_from_settings
    from socialhub.settings import get_settings

    provision_from_settings(get_settings())
    print("roles and database are in place; now run `python -m socialhub migrate`")
    return 0


def cmd_db_stop(_args: argparse.Namespace) -> int:
    from socialhub.embedded_pg import stop_embedded_server
    from socialhub.provision import PG_MAJOR
    from socialhub.settings import get_settings

    stopped = stop_embedded_server(get_settings().data_dir / "pg" / str(PG_MAJOR))
    print("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from huey.exceptions import ResultTimeout

    from socialhub.services.system import system_status

    _database()
    status = system_status()
    print(f"database  {status.database} ({'ok' if status.database_ok else 'UNREACHABLE'})")
    print(f"schema    {status.schema_revision or 'empty'} (newest {status.schema_head})")
    print(f"queue     {status.queue} ({'ok' if status.queue_ok else 'UNREACHABLE'})")
    healthy = status.database_ok and status.schema_current and status.queue_ok
    if status.queue_ok and args.worker_timeout > 0:
        from socialhub.worker.tasks import ping

        token = uuid.uuid4().hex
        try:
            answer = ping(token).get(blocking=True, timeout=args.worker_timeout)
            print(f"worker    answered from {answer['host']} (pid {answer['pid']})")
        except ResultTimeout:
            print(f"worker    NO ANSWER within {args.worker_timeout:g}s: is a consumer running?")
            healthy = False
    return 0 if healthy else 1


def cmd_worker(args: argparse.Namespace) -> int:
    import os

    from socialhub.launcher import child_environment, consumer_command

    _database()
    from socialhub.settings import get_settings

    cmd = consumer_command(args.workers or get_settings().worker_threads)
    os.execve(cmd[0], cmd, child_environment())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m socialhub", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Handler, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(handler=handler)
        return p

    p = add("run", cmd_run, "Start SocialHub: database, migrations, demo data, worker and web app.")
    p.add_argument("--port", type=int, default=3000)
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="Address to listen on (default: this machine only). 0.0.0.0 opens it to the local network, e.g. a "
        "phone; then set APP_URL to the address the phone uses.",
    )
    p.add_argument("--dev", action="store_true", help="Reflex dev mode (hot reload; backend on port+5000).")
    p.add_argument("--no-worker", action="store_true", help="Do not start the queue consumer.")
    p.add_argument("--no-demo", action="store_true", help="Do not create the demo team on an empty database.")

    p = add("migrate", cmd_migrate, "Apply the database migrations.")
    p.add_argument("revision", nargs="?", default="head")
    p.add_argument("--down", metavar="REVISION", help="Downgrade to REVISION instead (e.g. base).")

    p = add("create-tenant", cmd_create_tenant, "Create a team; prints its id.")
    p.add_argument("--name", required=True)
    p.add_argument("--plan", choices=[t.value for t in PlanTier], default=PlanTier.FREE.value)
    p.add_argument("--timezone", default="UTC")

    p = add("set-plan", cmd_set_plan, "Put a team on a plan (it sets the media quota); recorded in its audit log.")
    p.add_argument("--tenant", required=True, type=uuid.UUID, help="The team's id.")
    p.add_argument("--plan", required=True, choices=[t.value for t in PlanTier])

    p = add("create-user", cmd_create_user, "Create a user in a team; prints its id.")
    p.add_argument("--tenant", required=True, help="The team's id.")
    p.add_argument("--email", required=True)
    p.add_argument("--role", choices=[r.value for r in Role], default=Role.EDITOR.value)
    p.add_argument("--name", default="")
    p.add_argument("--password", help="Prompted for when omitted on a terminal.")

    add("rotate-keys", cmd_rotate_keys, "Re-encrypt every stored platform token under the newest vault key.")
    p = add(
        "seed-demo",
        cmd_seed_demo,
        "Create a demo team with a user of each role; its sandbox accounts and posts follow once the sandbox answers.",
    )
    p.add_argument(
        "--activity",
        action="store_true",
        help="Only add the accounts and posts to the existing demo team, waiting up to a minute for the sandbox.",
    )

    p = add("check", cmd_check, "Check the database, schema, queue, and that a worker takes tasks.")
    p.add_argument("--worker-timeout", type=float, default=15, help="Seconds to wait for a worker (0: skip).")

    p = add("worker", cmd_worker, "Run the queue consumer in the foreground.")
    p.add_argument("--workers", type=int, default=None, help="Worker threads (default: WORKER_THREADS).")

    db = sub.add_parser("db", help="Database provisioning.").add_subparsers(dest="db_command", required=True)
    p = db.add_parser(
        "provision",
        help="Create the roles and database named by DATABASE_URL and "
        "MIGRATION_DATABASE_URL, using DATABASE_ADMIN_URL.",
    )
    p.set_defaults(handler=cmd_db_provision)
    p = db.add_parser("stop", help="Stop the embedded PostgreSQL.")
    p.set_defaults(handler=cmd_db_stop)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except SocialHubError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
