"""The calendar's arithmetic, kept apart from Reflex so it can be tested without a browser.

Grids of days (weeks start on Monday), the UTC range a view covers, where posts land in a team's time zone,
and what a drop means as a new wall-clock time. Every "local" datetime here is naive and means wall-clock
time in the team's zone: that is what ``posts.reschedule_post`` takes, and it applies the zone's rules
(daylight saving included) itself.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

T = TypeVar("T")

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_LIMIT = 3  # chips a month cell shows before "+N more"
WEEK_LIMIT = 2  # chips an hour slot shows before "+N more"


class View(StrEnum):
    MONTH = "month"
    WEEK = "week"


# --- days ------------------------------------------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_weeks(year: int, month: int) -> list[list[date]]:
    """Whole Monday-to-Sunday weeks covering the month: four to six of them, days of the neighbours included."""
    first = date(year, month, 1)
    last = first.replace(day=calendar.monthrange(year, month)[1])
    start, weeks = monday_of(first), []
    while start <= last:
        weeks.append([start + timedelta(days=i) for i in range(7)])
        start += timedelta(days=7)
    return weeks


def week_days(day: date) -> list[date]:
    start = monday_of(day)
    return [start + timedelta(days=i) for i in range(7)]


def view_days(view: View, anchor: date) -> list[date]:
    if view is View.WEEK:
        return week_days(anchor)
    return [day for week in month_weeks(anchor.year, anchor.month) for day in week]


def shift(view: View, anchor: date, steps: int) -> date:
    """The anchor of the previous (-1) or next (+1) period: a month's first day, or the same weekday."""
    if view is View.WEEK:
        return anchor + timedelta(weeks=steps)
    index = anchor.year * 12 + anchor.month - 1 + steps
    return date(index // 12, index % 12 + 1, 1)


def period_title(view: View, anchor: date) -> str:
    """ "November 2026"; a week "23–29 Nov 2026", "30 Nov – 6 Dec 2026" or "28 Dec 2026 – 3 Jan 2027"."""
    if view is View.MONTH:
        return f"{calendar.month_name[anchor.month]} {anchor.year}"
    first, last = week_days(anchor)[0], week_days(anchor)[-1]
    if first.year != last.year:
        return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"
    if first.month != last.month:
        return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    return f"{first.day}–{last.day} {last:%b %Y}"


def parse_day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


# --- time zones ------------------------------------------------------------------------------------------


def local_midnight_utc(day: date, zone: ZoneInfo) -> datetime:
    """When ``day`` starts in ``zone``, in UTC (a zone that skips midnight starts the day at the first
    wall-clock time that exists, which is what converting the skipped time gives)."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def visible_range(days: Sequence[date], zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the days shown: from the first day's local midnight to the one after the last."""
    return local_midnight_utc(days[0], zone), local_midnight_utc(days[-1] + timedelta(days=1), zone)


def to_local(at: datetime, zone: ZoneInfo) -> datetime:
    """A stored (UTC) time as naive wall-clock time in ``zone``."""
    return at.astimezone(zone).replace(tzinfo=None)


def slot_exists(day: date, hour: int, zone: ZoneInfo) -> bool:
    """Whether the hour happens at all that day (the hour the clocks skip in spring does not)."""
    wall = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
    return wall.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None)


def _offset_name(local: datetime) -> str:
    offset = local.strftime("%z")
    return f"{local.tzname()}, UTC{offset[:3]}:{offset[3:]}"


def zone_label(zone: ZoneInfo, days: Sequence[date]) -> str:
    """The zone the days are shown in: "Europe/Berlin (CET, UTC+01:00)", and when the view spans a change of
    the clocks, "Europe/Berlin (CET, UTC+01:00; CEST, UTC+02:00 from Sun 28 Mar)"."""
    first = local_midnight_utc(days[0], zone).astimezone(zone)
    parts = [_offset_name(first)]
    for day in days:
        before = local_midnight_utc(day, zone).astimezone(zone)
        after = local_midnight_utc(day + timedelta(days=1), zone).astimezone(zone)
        if before.utcoffset() != after.utcoffset():
            parts.append(f"{_offset_name(after)} from {day_heading(day)}")
    return f"{zone.key} ({'; '.join(parts)})"


# --- placing posts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed(Generic[T]):
    """Something with a calendar time, at its wall-clock time in the team's zone."""

    item: T
    at: datetime  # UTC: orders the two passes through an hour the clocks repeat, which ``local`` cannot
    local: datetime

    @property
    def day(self) -> date:
        return self.local.date()


def place(items: Iterable[tuple[T, datetime]], days: Sequence[date], zone: ZoneInfo) -> dict[date, list[Placed[T]]]:
    """(item, UTC time) pairs by local day, each day's in order of time; items on days not shown are left out."""
    by_day: dict[date, list[Placed[T]]] = {day: [] for day in days}
    for item, at in items:
        placed = Placed(item, at, to_local(at, zone))
        if placed.day in by_day:
            by_day[placed.day].append(placed)
    for placed_list in by_day.values():
        placed_list.sort(key=lambda p: p.at)
    return by_day


def by_hour(placed: Sequence[Placed[T]]) -> dict[int, list[Placed[T]]]:
    """One day's posts by wall-clock hour (the hour the clocks repeat in autumn holds both passes)."""
    hours: dict[int, list[Placed[T]]] = {hour: [] for hour in range(24)}
    for p in placed:
        hours[p.local.hour].append(p)
    return hours


def overflow(items: Sequence[T], limit: int) -> tuple[list[T], int]:
    """What fits in a cell and how many are left for "+N more": all of them if they fit, else one line fewer
    than the limit so the "+N more" line takes the last place."""
    if len(items) <= limit:
        return list(items), 0
    shown = max(limit - 1, 0)
    return list(items[:shown]), len(items) - shown


# --- moving posts ----------------------------------------------------------------------------------------


def slot_key(day: date, hour: int | None = None) -> str:
    """A drop target's name: "2026-11-23" (a day in the month view) or "2026-11-23T09" (an hour in a week)."""
    return day.isoformat() if hour is None else f"{day.isoformat()}T{hour:02d}"


def parse_slot(key: str) -> tuple[date, int | None]:
    """The inverse of ``slot_key``; ValueError for anything else."""
    day_text, _, hour_text = key.partition("T")
    day = date.fromisoformat(day_text)
    if not hour_text:
        return day, None
    hour = int(hour_text)
    if not 0 <= hour <= 23:
        raise ValueError(f"no hour {hour}")
    return day, hour


def moved_time(current: datetime, day: date, hour: int | None) -> datetime:
    """The wall-clock time a drop asks for: onto a day, the same time of day; onto an hour, the same minutes."""
    return current.replace(year=day.year, month=day.month, day=day.day, hour=current.hour if hour is None else hour)


def parse_local_input(value: str) -> datetime:
    """A ``datetime-local`` input's value ("2026-12-01T09:30"), as naive wall-clock time; ValueError if not."""
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is not None:
        raise ValueError("a wall-clock time has no offset")
    return moment.replace(second=0, microsecond=0)


def describe(local: datetime) -> str:
    """ "Tue 1 Dec, 09:30": how a toast names a new time."""
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def day_heading(day: date) -> str:
    """ "Tue 1 Dec" """
    return f"{day:%a} {day.day} {day:%b}"


def excerpt(text: str, *, words: int = 8, chars: int = 60) -> str:
    """The first words of a post, on one line."""
    flat = " ".join(text.split())
    short = " ".join(flat.split(" ")[:words])
    if len(short) > chars:
        short = short[: chars - 1].rstrip() + "…"
    elif short != flat:
        short += "…"
    return short
