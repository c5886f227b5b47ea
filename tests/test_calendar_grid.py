"""The calendar's arithmetic without a browser or a database: grids of days, the UTC range a view covers,
where posts land in a team's zone (daylight-saving weeks, midnights far from UTC), and what a drop means."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from socialhub.ui.calendar_grid import (
    View,
    by_hour,
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
    week_days,
    zone_label,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
AUCKLAND = ZoneInfo("Pacific/Auckland")
HONOLULU = ZoneInfo("Pacific/Honolulu")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


class TestMonthWeeks:
    def test_a_month_starting_on_sunday_needs_six_weeks_from_the_monday_before(self) -> None:
        assert date(2026, 11, 1).weekday() == 6
        weeks = month_weeks(2026, 11)
        assert len(weeks) == 6
        assert weeks[0][0] == date(2026, 10, 26) and weeks[0][-1] == date(2026, 11, 1)
        assert weeks[-1][0] == date(2026, 11, 30) and weeks[-1][-1] == date(2026, 12, 6)

    def test_a_month_starting_on_monday_starts_on_its_first(self) -> None:
        assert date(2026, 6, 1).weekday() == 0
        weeks = month_weeks(2026, 6)
        assert weeks[0][0] == date(2026, 6, 1)
        assert len(weeks) == 5 and weeks[-1][-1] == date(2026, 7, 5)

    def test_a_february_of_28_days_starting_on_monday_is_exactly_four_weeks(self) -> None:
        weeks = month_weeks(2027, 2)
        assert len(weeks) == 4
        assert weeks[0][0] == date(2027, 2, 1) and weeks[-1][-1] == date(2027, 2, 28)

    def test_thirty_one_days_from_a_sunday_are_six_weeks(self) -> None:
        weeks = month_weeks(2026, 3)  # 1 March 2026 is a Sunday
        assert len(weeks) == 6 and weeks[-1][0] == date(2026, 3, 30)

    @pytest.mark.parametrize("year", [2024, 2026, 2027])
    def test_every_month_is_whole_consecutive_weeks_from_monday_covering_it(self, year: int) -> None:
        for month in range(1, 13):
            days = [day for week in month_weeks(year, month) for day in week]
            assert days[0].weekday() == 0 and days[-1].weekday() == 6
            assert all(b - a == timedelta(days=1) for a, b in itertools.pairwise(days))
            assert date(year, month, 1) in days and (date(year, month, 1) - timedelta(days=1)) not in days[7:]
            assert 4 <= len(days) // 7 <= 6


class TestPeriods:
    def test_week_days_run_monday_to_sunday_around_any_day(self) -> None:
        assert week_days(date(2026, 11, 25)) == [date(2026, 11, 23) + timedelta(days=i) for i in range(7)]
        assert week_days(date(2026, 11, 29))[0] == date(2026, 11, 23)  # a Sunday belongs to the week before
        assert view_days(View.WEEK, date(2026, 11, 23)) == week_days(date(2026, 11, 23))
        assert len(view_days(View.MONTH, date(2026, 11, 23))) == 42

    @pytest.mark.parametrize(
        ("view", "anchor", "title"),
        [
            (View.MONTH, date(2026, 11, 25), "November 2026"),
            (View.WEEK, date(2026, 11, 25), "23–29 Nov 2026"),
            (View.WEEK, date(2026, 12, 1), "30 Nov – 6 Dec 2026"),
            (View.WEEK, date(2026, 12, 31), "28 Dec 2026 – 3 Jan 2027"),
        ],
    )
    def test_titles(self, view: View, anchor: date, title: str) -> None:
        assert period_title(view, anchor) == title

    def test_previous_and_next(self) -> None:
        assert shift(View.MONTH, date(2026, 1, 31), 1) == date(2026, 2, 1)  # no 31 February
        assert shift(View.MONTH, date(2026, 12, 15), 1) == date(2027, 1, 1)
        assert shift(View.MONTH, date(2026, 1, 15), -1) == date(2025, 12, 1)
        assert shift(View.WEEK, date(2026, 12, 30), 1) == date(2027, 1, 6)

    def test_a_bad_day_in_the_address_falls_back(self) -> None:
        today = date(2026, 11, 25)
        assert parse_day("2026-12-01", today) == date(2026, 12, 1)
        assert parse_day("2026-13-01", today) == today
        assert parse_day(None, today) == today


class TestDaylightSaving:
    def test_berlin_spring_forward_week_is_167_hours_from_local_midnight(self) -> None:
        start, end = visible_range(week_days(date(2026, 3, 25)), BERLIN)  # clocks skip 02:00 on Sun 29 March
        assert start == utc(2026, 3, 22, 23)  # Monday 00:00 CET
        assert end == utc(2026, 3, 29, 22)  # the next Monday 00:00 CEST
        assert end - start == timedelta(hours=167)

    def test_new_york_fall_back_week_is_169_hours(self) -> None:
        start, end = visible_range(week_days(date(2026, 10, 28)), NEW_YORK)  # clocks repeat 01:00 on 1 Nov
        assert start == utc(2026, 10, 26, 4)  # EDT
        assert end == utc(2026, 11, 2, 5)  # EST
        assert end - start == timedelta(hours=169)

    def test_the_skipped_hour_does_not_exist_and_the_repeated_one_does(self) -> None:
        assert not slot_exists(date(2026, 3, 29), 2, BERLIN)
        assert slot_exists(date(2026, 3, 29), 3, BERLIN) and slot_exists(date(2026, 3, 28), 2, BERLIN)
        assert not slot_exists(date(2026, 3, 8), 2, NEW_YORK)
        assert slot_exists(date(2026, 11, 1), 1, NEW_YORK) and slot_exists(date(2026, 10, 25), 2, BERLIN)

    def test_posts_land_at_their_wall_clock_time_on_both_sides_of_the_change(self) -> None:
        days = week_days(date(2026, 3, 25))
        placed = place(
            [
                ("saturday-9", utc(2026, 3, 28, 8, 0)),  # 09:00 CET
                ("sunday-9", utc(2026, 3, 29, 7, 0)),  # 09:00 CEST
                ("sunday-after-skip", utc(2026, 3, 29, 1, 0)),  # 03:00 CEST, the first hour after the gap
                ("monday-before", utc(2026, 3, 22, 22, 59)),  # 23:59 on the Sunday before: not this week
            ],
            days,
            BERLIN,
        )
        assert [p.item for p in placed[date(2026, 3, 28)]] == ["saturday-9"]
        sunday = placed[date(2026, 3, 29)]
        assert [(p.item, p.local.hour) for p in sunday] == [("sunday-after-skip", 3), ("sunday-9", 9)]
        assert all(p.item != "monday-before" for day in placed.values() for p in day)

    def test_both_passes_of_the_repeated_hour_share_its_slot_in_order(self) -> None:
        placed = place(
            [("second", utc(2026, 11, 1, 6, 30)), ("first", utc(2026, 11, 1, 5, 30))],  # 01:30 EDT, then EST
            week_days(date(2026, 10, 28)),
            NEW_YORK,
        )
        hours = by_hour(placed[date(2026, 11, 1)])
        assert [p.item for p in hours[1]] == ["first", "second"]
        assert all(not hours[h] for h in range(24) if h != 1)

    def test_a_move_across_the_change_keeps_the_wall_clock_time(self) -> None:
        before = datetime(2026, 10, 23, 9, 30)  # a Friday in CEST
        after = moved_time(before, date(2026, 10, 26), None)  # the Monday after, in CET
        assert after == datetime(2026, 10, 26, 9, 30)
        # What the service then stores: the same 09:30, one hour later in UTC than before the change.
        assert after.replace(tzinfo=BERLIN).astimezone(UTC) == utc(2026, 10, 26, 8, 30)
        assert before.replace(tzinfo=BERLIN).astimezone(UTC) == utc(2026, 10, 23, 7, 30)


class TestFarFromUtc:
    def test_just_after_midnight_in_auckland_is_the_next_day_there(self) -> None:
        at = utc(2026, 11, 30, 11, 30)  # 00:30 on 1 December, NZDT (UTC+13)
        placed = place([("p", at)], view_days(View.MONTH, date(2026, 12, 1)), AUCKLAND)
        assert [p.item for p in placed[date(2026, 12, 1)]] == ["p"]
        assert placed[date(2026, 12, 1)][0].local == datetime(2026, 12, 1, 0, 30)
        assert not placed[date(2026, 11, 30)]

    def test_just_before_midnight_in_honolulu_is_the_day_before_there(self) -> None:
        at = utc(2026, 12, 1, 9, 59)  # 23:59 on 30 November, HST (UTC-10)
        placed = place([("p", at)], week_days(date(2026, 11, 30)), HONOLULU)
        assert placed[date(2026, 11, 30)][0].local == datetime(2026, 11, 30, 23, 59)
        assert by_hour(placed[date(2026, 11, 30)])[23][0].item == "p"

    def test_the_range_ends_at_the_zones_midnight_and_excludes_it(self) -> None:
        days = week_days(date(2026, 12, 2))
        start, end = visible_range(days, AUCKLAND)
        assert start == utc(2026, 11, 29, 11) and end == utc(2026, 12, 6, 11)
        placed = place([("edge", end), ("inside", end - timedelta(minutes=1))], days, AUCKLAND)
        assert [p.item for day in placed.values() for p in day] == ["inside"]


class TestMoving:
    def test_onto_a_day_keeps_the_time_of_day_and_onto_an_hour_keeps_the_minutes(self) -> None:
        current = datetime(2026, 11, 24, 9, 30)
        assert moved_time(current, *parse_slot("2026-12-01")) == datetime(2026, 12, 1, 9, 30)
        assert moved_time(current, *parse_slot("2026-11-26T14")) == datetime(2026, 11, 26, 14, 30)
        assert moved_time(current, date(2026, 11, 24), None) == current

    def test_slot_keys_round_trip_and_nonsense_is_refused(self) -> None:
        assert parse_slot(slot_key(date(2026, 11, 23))) == (date(2026, 11, 23), None)
        assert parse_slot(slot_key(date(2026, 11, 23), 9)) == (date(2026, 11, 23), 9)
        assert slot_key(date(2026, 11, 23), 9) == "2026-11-23T09"
        for bad in ("", "tomorrow", "2026-11-23T24", "2026-11-31"):
            with pytest.raises(ValueError):
                parse_slot(bad)

    def test_a_typed_time_is_wall_clock_time(self) -> None:
        assert parse_local_input("2026-12-01T09:30") == datetime(2026, 12, 1, 9, 30)
        for bad in ("", "1 Dec", "2026-12-01T09:30+01:00"):
            with pytest.raises(ValueError):
                parse_local_input(bad)


class TestWords:
    def test_overflow_keeps_a_line_for_the_count(self) -> None:
        assert overflow([1, 2, 3], 3) == ([1, 2, 3], 0)
        assert overflow([1, 2, 3, 4, 5], 3) == ([1, 2], 3)
        assert overflow([1, 2, 3], 1) == ([], 3)

    def test_how_times_and_texts_read(self) -> None:
        assert describe(datetime(2026, 12, 1, 9, 30)) == "Tue 1 Dec, 09:30"
        assert excerpt("Spring   menu\nis here") == "Spring menu is here"
        assert excerpt("one two three four five six seven eight nine ten") == "one two three four five six seven eight…"
        assert len(excerpt("x" * 200)) == 60

    def test_the_zone_is_named_with_any_change_of_the_clocks_in_view(self) -> None:
        assert zone_label(BERLIN, week_days(date(2026, 11, 25))) == "Europe/Berlin (CET, UTC+01:00)"
        assert zone_label(ZoneInfo("Asia/Kolkata"), week_days(date(2026, 11, 25))) == "Asia/Kolkata (IST, UTC+05:30)"
        assert (
            zone_label(BERLIN, week_days(date(2027, 3, 24)))
            == "Europe/Berlin (CET, UTC+01:00; CEST, UTC+02:00 from Sun 28 Mar)"
        )
        assert (
            zone_label(NEW_YORK, view_days(View.MONTH, date(2026, 11, 1)))
            == "America/New_York (EDT, UTC-04:00; EST, UTC-05:00 from Sun 1 Nov)"
        )
