"""The calendar page: a month or a week of posts in the team's time zone, and moving them.

The view and the day it is around live in the address (``/calendar?view=week&date=2026-11-23``), so the
back button and a shared link work; navigating is a redirect and ``load`` builds the page from the address.
The arithmetic is in ``ui.calendar_grid``; the posts and the rules for moving them in the services.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import reflex as rx

from socialhub.models import PostStatus
from socialhub.security.permissions import Permission
from socialhub.services import calendar as calendar_service
from socialhub.services import posts
from socialhub.services.calendar import CalendarPost
from socialhub.services.errors import SocialHubError
from socialhub.ui import routes
from socialhub.ui.calendar_grid import (
    MONTH_LIMIT,
    WEEK_LIMIT,
    Placed,
    View,
    by_hour,
    day_heading,
    describe,
    excerpt,
    month_weeks,
    moved_time,
    overflow,
    parse_day,
    parse_local_input,
    parse_slot,
    period_title,
    place,
    shift,
    slot_exists,
    slot_key,
    view_days,
    visible_range,
    zone_label,
)
from socialhub.ui.components.post_status import POST_STATUSES
from socialhub.ui.components.status import PLATFORM_LABELS
from socialhub.ui.states.auth import AuthState
from socialhub.ui.states.posts import follow_posts

TENTATIVE = frozenset({PostStatus.DRAFT, PostStatus.PENDING_APPROVAL})  # drawn with a dashed edge


@dataclasses.dataclass
class Mark:
    platform: str
    label: str  # "LinkedIn": the mark's tooltip and accessible name


@dataclasses.dataclass
class Chip:
    id: str
    time: str  # "09:30"
    text: str  # the first words
    full_text: str  # for the tooltip
    status: str
    status_label: str
    color: str  # the status's Radix scale
    tentative: bool
    marks: list[Mark]
    movable: bool
    href: str
    local_value: str  # "2026-12-01T09:30": the move form's starting value
    when: str  # "Tue 1 Dec, 09:30"


@dataclasses.dataclass
class DayCell:
    key: str  # the drop slot, "2026-11-23"
    number: str  # "23", or "1 Dec" on a month's first day
    short: str  # "23" always, for the phone's narrow cells
    heading: str  # "Mon 23 Nov"
    in_month: bool
    is_today: bool
    is_past: bool
    chips: list[Chip]  # what fits in the cell
    more: int  # how many did not fit
    all_chips: list[Chip]
    count: int
    dots: list[str]  # one colour per post (at most three), for the phone's compact month
    compose_href: str


@dataclasses.dataclass
class SlotCell:
    key: str  # the drop slot, "2026-11-23T09"
    heading: str  # "Mon 23 Nov, 09:00"
    exists: bool  # False for the hour the clocks skip
    is_today: bool
    is_past: bool  # the day, not the hour: today's earlier hours stay open for a "post now" in the composer
    chips: list[Chip]
    more: int
    all_chips: list[Chip]


@dataclasses.dataclass
class HourRow:
    label: str  # "09:00"
    anchor: str  # element id, to scroll the working day into view
    cells: list[SlotCell]


@dataclasses.dataclass
class DayHead:
    weekday: str
    number: str
    is_today: bool


NO_DAY = DayCell("", "", "", "", False, False, True, [], 0, [], 0, [], "")


def _chip(post: CalendarPost, placed: Placed[CalendarPost]) -> Chip:
    status = post.status.value
    text = (post.title or "").strip() or post.content
    return Chip(
        id=str(post.id),
        time=f"{placed.local:%H:%M}",
        text=excerpt(text) or "(no text)",
        full_text=excerpt(text, words=40, chars=240),
        status=status,
        status_label=POST_STATUSES[status][0],
        color=POST_STATUSES[status][1],
        tentative=post.status in TENTATIVE,
        marks=[Mark(p, PLATFORM_LABELS.get(p, p)) for p in post.platforms],
        movable=post.movable,
        href=routes.post(str(post.id)),
        local_value=f"{placed.local:%Y-%m-%dT%H:%M}",
        when=describe(placed.local),
    )


def _day_cell(day: date, placed: list[Placed[CalendarPost]], month: int, today: date) -> DayCell:
    chips = [_chip(p.item, p) for p in placed]
    shown, more = overflow(chips, MONTH_LIMIT)
    return DayCell(
        key=slot_key(day),
        number=f"{day.day} {day:%b}" if day.day == 1 else str(day.day),
        short=str(day.day),
        heading=day_heading(day),
        in_month=day.month == month,
        is_today=day == today,
        is_past=day < today,
        chips=shown,
        more=more,
        all_chips=chips,
        count=len(chips),
        dots=[chip.color for chip in chips[:3]],
        compose_href=routes.compose(day=day.isoformat()),
    )


def _hour_rows(
    days: list[date], placed: dict[date, list[Placed[CalendarPost]]], zone: ZoneInfo, today: date
) -> list[HourRow]:
    hourly = {day: by_hour(placed[day]) for day in days}
    rows = []
    for hour in range(24):
        cells = []
        for day in days:
            chips = [_chip(p.item, p) for p in hourly[day][hour]]
            shown, more = overflow(chips, WEEK_LIMIT)
            cells.append(
                SlotCell(
                    key=slot_key(day, hour),
                    heading=f"{day_heading(day)}, {hour:02d}:00",
                    exists=slot_exists(day, hour, zone),
                    is_today=day == today,
                    is_past=day < today,
                    chips=shown,
                    more=more,
                    all_chips=chips,
                )
            )
        rows.append(HourRow(f"{hour:02d}:00", f"hour-{hour}", cells))
    return rows


class CalendarState(AuthState):
    view: str = View.MONTH.value
    anchor: str = ""  # the day the view is around (ISO)
    title: str = ""
    zone: str = ""  # "Europe/Berlin (CET, UTC+01:00)", with any change of the clocks in view
    days: list[DayCell] = []  # the month, row by row, Monday first
    heads: list[DayHead] = []  # the week's columns
    hours: list[HourRow] = []  # the week's rows
    agenda: list[DayCell] = []  # the week as a list, for phones
    picked: str = ""  # the day a phone lists under the month
    following: bool = False  # a background task reloads the page as workers publish
    # Post id -> the wall-clock time it is shown at: what a drop moves from.
    _local: dict[str, str] = {}

    @rx.var
    def can_write(self) -> bool:
        return Permission.POSTS_WRITE.value in self.permissions

    @rx.var
    def picked_day(self) -> DayCell:
        return next((day for day in self.days if day.key == self.picked), NO_DAY)

    # --- building the page -----------------------------------------------------------------------------

    def _reload(self) -> None:
        ctx = self.context()
        if ctx is None:
            return
        zone = ZoneInfo(self.tenant_timezone)
        now = datetime.now(zone)
        today, view, anchor = now.date(), View(self.view), date.fromisoformat(self.anchor)
        days = view_days(view, anchor)
        since, until = visible_range(days, zone)
        found = calendar_service.calendar_posts(ctx, since=since, until=until)
        placed = place(((post, post.at) for post in found), days, zone)
        self._local = {str(p.item.id): p.local.isoformat() for day in placed.values() for p in day}
        self.title = period_title(view, anchor)
        self.zone = zone_label(zone, days)
        self.days, self.heads, self.hours, self.agenda = [], [], [], []
        if view is View.MONTH:
            self.days = [_day_cell(day, placed[day], anchor.month, today) for day in days]
            if self.picked not in {d.key for d in self.days}:
                self.picked = (today if today in placed and today.month == anchor.month else anchor).isoformat()
        else:
            self.agenda = [_day_cell(day, placed[day], day.month, today) for day in days]
            self.heads = [DayHead(f"{day:%a}", str(day.day), day == today) for day in days]
            self.hours = _hour_rows(days, placed, zone, today)

    @rx.event
    def load(self) -> rx.event.EventSpec | rx.event.EventHandler | None:
        redirect = self.require_session()
        if redirect is not None:
            return redirect
        params = self.router.url.query_parameters
        self.view = View.WEEK.value if params.get("view") == View.WEEK.value else View.MONTH.value
        today = datetime.now(ZoneInfo(self.tenant_timezone)).date()
        self.anchor = parse_day(params.get("date"), today).isoformat()
        self._reload()
        return None if self.following else CalendarState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        """Chips change colour as posts publish, without a reload (the posts pages do the same)."""
        await follow_posts(self)

    # --- navigating ------------------------------------------------------------------------------------

    @rx.event
    def go(self, steps: int) -> rx.event.EventSpec:
        anchor = shift(View(self.view), date.fromisoformat(self.anchor), steps)
        return rx.redirect(routes.calendar(self.view, anchor.isoformat()))

    @rx.event
    def go_today(self) -> rx.event.EventSpec:
        return rx.redirect(routes.calendar(self.view))

    @rx.event
    def show(self, view: str | list[str]) -> rx.event.EventSpec | None:
        view = view if isinstance(view, str) else view[0]  # the segmented control can hand over a list
        if view == self.view or view not in {v.value for v in View}:
            return None
        anchor = date.fromisoformat(self.anchor)
        if view == View.MONTH.value:
            return rx.redirect(routes.calendar(view, anchor.isoformat()))
        # Into a week: the picked day's if it is in this month, else the month's first week.
        picked = parse_day(self.picked, anchor)
        day = picked if picked.month == anchor.month else month_weeks(anchor.year, anchor.month)[0][-1]
        return rx.redirect(routes.calendar(view, day.isoformat()))

    @rx.event
    def pick(self, key: str) -> None:
        self.picked = key

    @rx.event
    def open_day(self, slot: str) -> rx.event.EventSpec | None:
        """A click on a day's (or an hour's) empty space: write a post for that day, if this person may."""
        if not self.can_write:
            return None
        try:
            day, _hour = parse_slot(slot)
        except ValueError:
            return None
        if day < datetime.now(ZoneInfo(self.tenant_timezone)).date():
            return None  # nothing can be scheduled there any more
        return rx.redirect(routes.compose(day=day.isoformat()))

    # --- moving ----------------------------------------------------------------------------------------

    @rx.event
    async def drop(self, post_id: str, slot: str) -> rx.event.EventSpec | None:
        """A chip dropped on a day (same time of day) or an hour (same minutes)."""
        shown = self._local.get(post_id)
        if not shown or not slot:
            return None  # not one of ours (a stale page, or something dragged in from elsewhere)
        try:
            day, hour = parse_slot(slot)
        except ValueError:
            return None
        current = datetime.fromisoformat(shown)
        target = moved_time(current, day, hour)
        if target == current:
            return None
        return await self._move(post_id, target)

    @rx.event
    async def move_to(self, form: dict[str, str]) -> rx.event.EventSpec | None:
        """The keyboard and phone way: a date and time typed into the chip's "Move to…" form."""
        try:
            target = parse_local_input(form.get("at", ""))
        except ValueError:
            return rx.toast.error("Pick a date and a time.")
        return await self._move(form.get("post_id", ""), target)

    async def _move(self, post_id: str, target: datetime) -> rx.event.EventSpec | None:
        ctx = self.context()
        if ctx is None:
            return rx.redirect(routes.login(routes.CALENDAR))
        try:
            detail = await asyncio.to_thread(
                posts.reschedule_post, ctx, uuid.UUID(post_id), at=target, timezone=self.tenant_timezone
            )
        except (SocialHubError, ValueError) as exc:
            self._reload()  # the chip stays (or goes back to) where the database has it
            return rx.toast.error(exc.message if isinstance(exc, SocialHubError) else "There is no such post.")
        self._reload()
        if detail.post.status is PostStatus.PENDING_APPROVAL:
            return rx.toast.success(f"Moved to {describe(target)}; it waits for an approval again.")
        return rx.toast.success(f"Rescheduled to {describe(target)}")
