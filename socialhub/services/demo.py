"""Demo data, so a first run shows the product as it is used instead of an empty screen.

Two steps. ``seed_demo`` creates the team and a member of each role. ``seed_demo_activity`` then uses the
product the way those members would, once the platform sandbox answers: it connects sandbox accounts through
each platform's OAuth flow (the sandbox's consent page approves at once), writes posts for them (drafts, a
planned draft, scheduled posts, a contributor's post waiting for approval), and publishes two of them through
the real publishing pipeline — one goes out everywhere with its permalinks, and in the other Reddit refuses
its Reddit target in its own words (a link post in a subreddit that only takes text), ready to be fixed and
sent again from the post's page. Nothing is written to the tables directly.
"""

from __future__ import annotations

import io
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
from sqlmodel import select

from socialhub.context import Context
from socialhub.db import lookup_ids, tenant_session
from socialhub.models import PlanTier, PostPlatform, PublishStatus, Role, SocialAccount, Tenant, User
from socialhub.services import account_connect, media, posts, publishing, social_accounts
from socialhub.services.posts import TargetSpec
from socialhub.services.tenants import create_tenant
from socialhub.services.users import create_user, list_users
from socialhub.settings import get_settings

log = logging.getLogger(__name__)

DEMO_TENANT_NAME = "Demo Coffee Roasters"
DEMO_DOMAIN = "demo.socialhub.test"
# Printed by the CLI and shown in the README; the demo tenant is for local trials only.
DEMO_PASSWORD = "demo-password-123"
DEMO_ZONE = "Europe/Berlin"
DEMO_PLATFORMS = ("x", "linkedin", "facebook", "reddit", "pinterest")
CALLBACK_PATH = "/accounts/callback"  # the web app's OAuth return page (ui/routes.py ACCOUNTS_CALLBACK)
SETTLE_SECONDS = 60.0  # how long to wait for a target a running worker took first


@dataclass(frozen=True)
class DemoTenant:
    tenant: Tenant
    users: dict[Role, User]


@dataclass(frozen=True)
class DemoActivity:
    accounts: dict[str, SocialAccount]  # by platform
    posts: dict[str, uuid.UUID]  # by what each shows: "published", "refused", "scheduled", …
    outcomes: dict[str, PublishStatus]  # of each target sent, "<post>:<platform>"


class SandboxUnavailable(RuntimeError):
    pass


def seed_demo(*, name: str = DEMO_TENANT_NAME, domain: str = DEMO_DOMAIN) -> DemoTenant:
    """The demo team and one member of each role (``seed_demo_activity`` adds its accounts and posts)."""
    tenant = create_tenant(name=name, plan_tier=PlanTier.PRO, timezone=DEMO_ZONE, ai_budget_limit=Decimal("25"))
    users = {
        role: create_user(
            Context.system(tenant.id),
            email=f"{role.value}@{domain}",
            password=DEMO_PASSWORD,
            role=role,
            full_name=f"Demo {role.value.title()}",
        )
        for role in Role
    }
    return DemoTenant(tenant, users)


# --- the activity ----------------------------------------------------------------------------------------------


def wait_for_sandbox(base_url: str | None = None, *, timeout: float = 60.0) -> str:
    """The sandbox's address once it answers (the launcher starts it beside the app, so it may still be starting)."""
    base = (base_url or get_settings().sandbox_base_url).rstrip("/")
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base}/x/_sandbox/state", timeout=2).status_code == 200:
                return base
        except httpx.HTTPError:
            pass
        if time.monotonic() >= deadline:
            raise SandboxUnavailable(f"the platform sandbox at {base} did not answer within {timeout:g} s")
        time.sleep(0.5)


def demo_members(domain: str = DEMO_DOMAIN) -> dict[Role, Context] | None:
    """A signed-in context per role of the demo team on ``domain``, found by its owner's address; None: no team."""
    found = lookup_ids("app_login_lookup", f"owner@{domain}")
    if found is None:
        return None
    tenant_id = found[0]
    by_email = {user.email: user for user in list_users(Context.system(tenant_id))}
    members = {}
    for role in Role:
        user = by_email.get(f"{role.value}@{domain}")
        if user is not None:
            members[role] = Context(tenant_id, user.id, user.role)
    return members if Role.OWNER in members and len(members) == len(Role) else None


def has_activity(ctx: Context) -> bool:
    """The team has connected an account before (demo activity, or its people's own)."""
    with tenant_session(ctx) as session:
        return session.exec(select(SocialAccount.id).limit(1)).first() is not None


def seed_demo_activity(*, domain: str = DEMO_DOMAIN) -> DemoActivity | None:
    """Accounts and posts for the demo team, through the product's own flows; None when there is no demo team or
    it already has accounts (this runs on every start of the app, and does its work once)."""
    members = demo_members(domain)
    if members is None or has_activity(members[Role.OWNER]):
        return None
    accounts = {platform: _connect(members[Role.ADMIN], platform) for platform in DEMO_PLATFORMS}
    writing = _Writing(members, accounts)
    return DemoActivity(accounts, writing.write_all(), writing.outcomes)


def _consent(url: str) -> tuple[str, str]:
    """The person's browser at the platform's consent page (the sandbox's approves at once): (code, state)."""
    response = httpx.get(url, follow_redirects=False, timeout=10)
    location = response.headers.get("location", "")
    query = parse_qs(urlsplit(location).query)
    if response.status_code not in (302, 303) or "code" not in query:
        raise SandboxUnavailable(f"the sandbox's consent page answered {response.status_code}: {response.text[:200]}")
    return query["code"][0], query["state"][0]


def _connect(ctx: Context, platform: str) -> SocialAccount:
    callback = get_settings().app_url.rstrip("/") + CALLBACK_PATH
    url, _ = account_connect.start_connect(ctx, platform, redirect_uri=callback)
    code, state = _consent(url)
    result = account_connect.complete_connect(ctx, state=state, code=code, redirect_uri=callback)
    if result.accounts:
        return result.accounts[0]
    # Pages and organisations: the person picks one (a page or an organisation, where there is one).
    chosen = next((c for c in result.candidates if c.kind != "user"), result.candidates[0])
    assert result.state is not None
    return account_connect.select_accounts(ctx, state=result.state, account_ids=[chosen.id])[0]


def _roastery_photo() -> bytes:
    """A small generated picture for the published post (no image files ship with the code)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1000, 1000), (92, 58, 33))
    draw = ImageDraw.Draw(image)
    for ring in range(9):
        inset = 60 + ring * 45
        draw.ellipse((inset, inset, 1000 - inset, 1000 - inset), outline=(200, 150, 90 + ring * 15), width=14)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class _Writing:
    """The demo team's posts, each written, scheduled and sent by the member who would."""

    def __init__(self, members: dict[Role, Context], accounts: dict[str, SocialAccount]) -> None:
        self.members, self.accounts = members, accounts
        self.outcomes: dict[str, PublishStatus] = {}
        self.zone = ZoneInfo(DEMO_ZONE)

    def _target(self, platform: str, **kwargs: object) -> TargetSpec:
        return TargetSpec(self.accounts[platform].id, **kwargs)  # type: ignore[arg-type]

    def _day(self, days: int, hour: int) -> datetime:
        start = datetime.now(self.zone).replace(hour=hour, minute=0, second=0, microsecond=0)
        return start + timedelta(days=days)

    def _board(self) -> str:
        boards = social_accounts.option_choices(self.members[Role.EDITOR], self.accounts["pinterest"].id, "board_id")
        return boards[0][0]

    def write_all(self) -> dict[str, uuid.UUID]:
        editor, admin = self.members[Role.EDITOR], self.members[Role.ADMIN]
        contributor = self.members[Role.CONTRIBUTOR]
        photo = media.upload_file(editor, _roastery_photo(), filename="autumn-blend.png", alt_text="Coffee beans")
        board = self._board()
        made: dict[str, uuid.UUID] = {}

        made["published"] = self._send(
            editor,
            "published",
            title="Autumn Blend is back",
            content="Our Autumn Blend is back: notes of baked apple and hazelnut, roasted this week in small "
            "batches. In all three shops from today, and online. ☕🍂",
            targets=[
                self._target(
                    "x",
                    custom_content="Autumn Blend is back ☕🍂 Baked apple, hazelnut. In the shops today.",
                    media_ids=[photo.id],
                ),
                self._target("linkedin"),
                self._target("facebook", options={"link": "https://example.com/autumn-blend"}),
                self._target("pinterest", options={"board_id": board, "title": "Autumn Blend"}, media_ids=[photo.id]),
            ],
        )
        made["refused"] = self._send(
            editor,
            "refused",
            title="How we roast",
            content="How we roast: a short guide to the five minutes that decide how your coffee tastes.",
            targets=[
                self._target("x"),
                # r/textonly takes text posts only; Reddit refuses this link post in its own words.
                self._target(
                    "reddit",
                    options={"subreddit": "textonly", "title": "How we roast", "link": "https://example.com/roasting"},
                ),
            ],
        )
        made["scheduled"] = self._create(
            editor,
            title="Roastery open day",
            content="Come and see how we roast: open day this Saturday, 10:00–16:00, free tastings for everyone.",
            targets=[self._target("linkedin"), self._target("facebook"), self._target("x")],
            at=self._day(2, 9),
        )
        made["scheduled_reddit"] = self._create(
            admin,
            title="We roast coffee for a living: ask us anything",
            content="We are a small roastery in Berlin. Ask us anything about beans, roasting or brewing at home.",
            targets=[self._target("reddit", options={"subreddit": "sandbox"})],
            at=self._day(5, 18),
        )
        made["pending"] = self._create(
            contributor,
            title="Barista tip #12",
            content="Tip: rinse your paper filter with hot water before brewing — no papery taste.",
            targets=[self._target("x"), self._target("facebook")],
            at=self._day(1, 8),
        )
        made["planned"] = self._create(
            editor,
            title="Winter menu",
            content="Winter menu ideas: spiced oat latte, cardamom cold brew, and the return of the hazelnut cake.",
            targets=[self._target("pinterest", options={"board_id": board}, media_ids=[photo.id]), self._target("x")],
            at=self._day(9, 10),
            back_to_draft=True,
        )
        made["draft"] = self._create(
            editor,
            title=None,
            content="Draft: our new decaf is processed with water only. Tasting notes to come.",
            targets=[self._target("x"), self._target("linkedin")],
        )
        return made

    def _create(
        self,
        ctx: Context,
        *,
        title: str | None,
        content: str,
        targets: list[TargetSpec],
        at: datetime | None = None,
        back_to_draft: bool = False,
    ) -> uuid.UUID:
        post_id = posts.create_post(ctx, content=content, title=title, targets=targets).post.id
        if at is not None:
            posts.schedule_post(ctx, post_id, at=at)
            if back_to_draft:  # a draft with a planned time: the calendar shows it
                posts.unschedule_post(ctx, post_id)
        return post_id

    def _send(self, ctx: Context, name: str, *, title: str, content: str, targets: list[TargetSpec]) -> uuid.UUID:
        """Publish now, through the pipeline: each target as a worker would take it."""
        post_id = self._create(ctx, title=title, content=content, targets=targets)
        for row in posts.schedule_post(ctx, post_id).targets:
            status = publishing.publish_target(ctx.tenant_id, row.id) or self._settled(ctx, row.id)
            self.outcomes[f"{name}:{row.platform.value}"] = status
        return post_id

    def _settled(self, ctx: Context, target_id: uuid.UUID) -> PublishStatus:
        """A running worker took the target first (the same pipeline): wait until it has an outcome."""
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            with tenant_session(ctx) as session:
                row = session.get(PostPlatform, target_id)
                assert row is not None
                status = row.status
            if status in publishing.TERMINAL or time.monotonic() >= deadline:
                return status
            time.sleep(0.5)
