"""The calendar's grids: a month (with a compact twin for phones) and a week of hour slots (a list on phones).

Both forms are in the page and CSS shows one, so nothing depends on the server knowing the screen's width.
"""

from __future__ import annotations

import reflex as rx

from socialhub.ui.calendar_grid import WEEKDAYS
from socialhub.ui.components.drag_drop import drop_target
from socialhub.ui.states.calendar import CalendarState, DayCell, DayHead, HourRow, SlotCell
from socialhub.ui.views.calendar_posts import chip, day_list, more_button, scale

WIDE = ["none", "none", "block"]  # from 48em (768 px) up

NARROW = ["block", "block", "none"]

GRID_LINE = rx.color("gray", 5)


# --- the month ---------------------------------------------------------------------------------------------


def day_number(d: DayCell) -> rx.Component:
    return rx.text(
        d.number,
        size="1",
        weight=rx.cond(d.is_today, "bold", "medium"),
        color=rx.cond(d.is_today, "white", rx.cond(d.in_month, rx.color("gray", 12), rx.color("gray", 8))),
        background=rx.cond(d.is_today, rx.color("accent", 9), "transparent"),
        border_radius="999px",
        padding_x="0.5em",
        line_height="1.7em",
    )


def month_cell(d: DayCell) -> rx.Component:
    return drop_target(
        rx.hstack(
            day_number(d),
            rx.spacer(),
            rx.cond(
                CalendarState.can_write & ~d.is_past,
                rx.link(
                    rx.icon("plus", size=14),
                    href=d.compose_href,
                    aria_label="New post on " + d.heading,
                    class_name="cal-add",
                    color=rx.color("gray", 10),
                    on_click=rx.stop_propagation,
                    display="flex",
                ),
            ),
            align="center",
            width="100%",
        ),
        rx.vstack(rx.foreach(d.chips, chip), spacing="1", width="100%"),
        rx.cond(d.more > 0, more_button(d.more, d.heading, d.all_chips)),
        slot=d.key,
        on_drop=CalendarState.drop,
        on_click=CalendarState.open_day(d.key),
        class_name="cal-day",
        data_today=d.is_today,
        display="flex",
        flex_direction="column",
        gap="4px",
        padding="6px",
        min_height="7.5em",
        min_width="0",
        background=rx.cond(
            d.is_today, rx.color("accent", 2), rx.cond(d.in_month, rx.color("gray", 1), rx.color("gray", 2))
        ),
        cursor=rx.cond(CalendarState.can_write & ~d.is_past, "pointer", "default"),
    )


def weekday_header(name: str) -> rx.Component:
    return rx.text(
        name,
        size="1",
        weight="medium",
        color_scheme="gray",
        padding="6px 8px",
        background=rx.color("gray", 2),
    )


def month_grid() -> rx.Component:
    return rx.grid(
        *(weekday_header(name) for name in WEEKDAYS),
        rx.foreach(CalendarState.days, month_cell),
        id="month-grid",
        grid_template_columns="repeat(7, minmax(0, 1fr))",
        gap="1px",
        background=GRID_LINE,
        border=f"1px solid {GRID_LINE}",
        border_radius="var(--radius-4)",
        overflow="hidden",
        width="100%",
    )


def compact_cell(d: DayCell) -> rx.Component:
    """A phone's month cell: the day and a dot per post; a tap lists the day below."""
    picked = CalendarState.picked == d.key
    return rx.el.button(
        rx.text(
            d.short,
            size="2",
            weight=rx.cond(d.is_today, "bold", "regular"),
            color=rx.cond(d.is_today, "white", rx.cond(d.in_month, rx.color("gray", 12), rx.color("gray", 8))),
            background=rx.cond(d.is_today, rx.color("accent", 9), "transparent"),
            border_radius="999px",
            width="1.8em",
            line_height="1.8em",
            text_align="center",
        ),
        rx.hstack(
            rx.foreach(
                d.dots,
                lambda color: rx.box(width="6px", height="6px", border_radius="999px", background=scale(color, 9)),
            ),
            rx.cond(d.count > 3, rx.text("+", size="1", color_scheme="gray", line_height="6px")),
            spacing="1",
            height="8px",
            align="center",
        ),
        on_click=CalendarState.pick(d.key),
        aria_label=d.heading + ": " + d.count.to_string() + " posts",
        aria_pressed=picked,
        display="flex",
        flex_direction="column",
        align_items="center",
        gap="2px",
        padding_y="6px",
        border="none",
        cursor="pointer",
        background=rx.cond(
            picked, rx.color("accent", 4), rx.cond(d.in_month, rx.color("gray", 1), rx.color("gray", 2))
        ),
        font="inherit",
    )


def month_view() -> rx.Component:
    return rx.fragment(
        rx.box(month_grid(), display=WIDE, width="100%"),
        rx.box(
            rx.grid(
                *(rx.text(name[0], size="1", color_scheme="gray", text_align="center") for name in WEEKDAYS),
                rx.foreach(CalendarState.days, compact_cell),
                id="month-compact",
                grid_template_columns="repeat(7, minmax(0, 1fr))",
                gap="1px",
                background=GRID_LINE,
                border=f"1px solid {GRID_LINE}",
                border_radius="var(--radius-4)",
                overflow="hidden",
            ),
            rx.card(day_list(CalendarState.picked_day), id="day-panel", width="100%", margin_top="1em"),
            display=NARROW,
            width="100%",
        ),
    )


# --- the week ----------------------------------------------------------------------------------------------


def week_head(h: DayHead) -> rx.Component:
    return rx.vstack(
        rx.text(h.weekday, size="1", color_scheme="gray"),
        rx.text(
            h.number,
            size="3",
            weight="bold",
            color=rx.cond(h.is_today, "white", rx.color("gray", 12)),
            background=rx.cond(h.is_today, rx.color("accent", 9), "transparent"),
            border_radius="999px",
            width="1.9em",
            line_height="1.9em",
            text_align="center",
        ),
        spacing="0",
        align="center",
        padding_y="6px",
        background=rx.color("gray", 2),
        position="sticky",
        top="0",
        z_index="1",
    )


def slot_cell(s: SlotCell) -> rx.Component:
    return rx.cond(
        s.exists,
        drop_target(
            rx.foreach(s.chips, chip),
            rx.cond(s.more > 0, more_button(s.more, s.heading, s.all_chips)),
            slot=s.key,
            on_drop=CalendarState.drop,
            on_click=CalendarState.open_day(s.key),
            class_name="cal-slot",
            display="flex",
            flex_direction="column",
            gap="2px",
            padding="2px",
            min_height="2.75em",
            min_width="0",
            background=rx.cond(s.is_today, rx.color("accent", 2), rx.color("gray", 1)),
            cursor=rx.cond(CalendarState.can_write & ~s.is_past, "pointer", "default"),
        ),
        # The hour the clocks skip in spring: nothing can happen in it, so nothing can be dropped on it.
        rx.box(
            title="This hour is skipped (daylight saving time)",
            class_name="cal-skipped",
            background=f"repeating-linear-gradient(45deg, {rx.color('gray', 2)}, {rx.color('gray', 2)} 4px, "
            f"{rx.color('gray', 4)} 4px, {rx.color('gray', 4)} 8px)",
        ),
    )


def hour_row(row: HourRow) -> rx.Component:
    return rx.fragment(
        rx.text(
            row.label,
            id=row.anchor,
            size="1",
            color_scheme="gray",
            text_align="right",
            padding="2px 6px 0 0",
            background=rx.color("gray", 1),
        ),
        rx.foreach(row.cells, slot_cell),
    )


# Open a week at the working day (07:00) rather than at midnight; later weeks keep the scroll position.
SCROLL_TO_MORNING = (
    "setTimeout(() => { const box = document.getElementById('week-scroll'); const row = "
    "document.getElementById('hour-7'); const head = document.getElementById('week-corner'); "
    "if (box && row && head) box.scrollTop = row.offsetTop - head.offsetHeight; }, 0)"
)


def week_view() -> rx.Component:
    return rx.fragment(
        rx.box(
            rx.grid(
                rx.box(id="week-corner", background=rx.color("gray", 2), position="sticky", top="0", z_index="1"),
                rx.foreach(CalendarState.heads, week_head),
                rx.foreach(CalendarState.hours, hour_row),
                id="week-grid",
                grid_template_columns="3.5em repeat(7, minmax(0, 1fr))",
                gap="1px",
                background=GRID_LINE,
            ),
            id="week-scroll",
            on_mount=rx.call_script(SCROLL_TO_MORNING),
            position="relative",  # the rows' offsetTop is measured from here
            max_height="min(70vh, 46em)",
            overflow_y="auto",
            border=f"1px solid {GRID_LINE}",
            border_radius="var(--radius-4)",
            display=WIDE,
            width="100%",
        ),
        rx.vstack(
            rx.foreach(CalendarState.agenda, lambda d: rx.card(day_list(d, heading_size="2"), width="100%")),
            id="week-agenda",
            spacing="3",
            display=NARROW,
            width="100%",
        ),
    )
