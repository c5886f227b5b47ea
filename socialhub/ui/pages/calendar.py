"""The calendar: a month or a week of posts in the team's time zone; drag (or "Move to…") to reschedule."""

from __future__ import annotations

import reflex as rx

from socialhub.ui import routes
from socialhub.ui.components.drag_drop import DRAGGING_CLASS, OVER_CLASS
from socialhub.ui.components.post_status import POST_STATUSES
from socialhub.ui.layout import app_page
from socialhub.ui.states.calendar import CalendarState
from socialhub.ui.views.calendar_grids import NARROW, WIDE, month_view, week_view
from socialhub.ui.views.calendar_posts import CHIP_STYLE

# Highlights the drag-and-drop bridge toggles, and the "+" that shows when a day is hovered.
PAGE_STYLE = {
    f"& .{OVER_CLASS}": {"background": f"{rx.color('accent', 4)} !important", "outline": "2px dashed var(--accent-8)"},
    f"& .{DRAGGING_CLASS}": {"opacity": "0.45"},
    "& .cal-add": {"opacity": "0"},
    "& .cal-day:hover .cal-add, & .cal-add:focus-visible": {"opacity": "1"},
    **CHIP_STYLE,
}


def toolbar() -> rx.Component:
    return rx.flex(
        rx.hstack(
            rx.icon_button(
                rx.icon("chevron-left"),
                variant="soft",
                color_scheme="gray",
                on_click=CalendarState.go(-1),
                aria_label="Previous",
            ),
            rx.icon_button(
                rx.icon("chevron-right"),
                variant="soft",
                color_scheme="gray",
                on_click=CalendarState.go(1),
                aria_label="Next",
            ),
            rx.button("Today", variant="soft", color_scheme="gray", on_click=CalendarState.go_today),
            rx.heading(CalendarState.title, size="5", id="period-title", white_space="nowrap"),
            align="center",
            spacing="2",
            wrap="wrap",  # a week across two years does not fit beside the buttons on a phone
        ),
        rx.hstack(
            rx.segmented_control.root(
                rx.segmented_control.item("Month", value="month"),
                rx.segmented_control.item("Week", value="week"),
                value=CalendarState.view,
                on_change=CalendarState.show,
                id="view-switch",
            ),
            rx.cond(
                CalendarState.can_write,
                rx.link(rx.button(rx.icon("plus", size=16), "New post"), href=routes.COMPOSE),
            ),
            align="center",
            spacing="3",
        ),
        justify="between",
        align="center",
        wrap="wrap",
        spacing="3",
        width="100%",
    )


def legend() -> rx.Component:
    return rx.flex(
        *(
            rx.hstack(
                rx.box(
                    width="10px",
                    height="10px",
                    border_radius="3px",
                    background=rx.color(color, 9),  # type: ignore[arg-type]
                ),
                rx.text(label, size="1", color_scheme="gray"),
                align="center",
                spacing="1",
            )
            for label, color in POST_STATUSES.values()
        ),
        rx.cond(
            CalendarState.can_write,
            rx.fragment(
                rx.text(
                    "Drag a scheduled post to another day or hour to move it.",
                    size="1",
                    color_scheme="gray",
                    display=WIDE,
                ),
                rx.text(
                    "Tap a day to list its posts; “Move” reschedules one.",
                    size="1",
                    color_scheme="gray",
                    display=NARROW,
                ),
            ),
        ),
        wrap="wrap",
        spacing="3",
        align="center",
    )


def calendar_page() -> rx.Component:
    return app_page(
        "Calendar",
        rx.vstack(
            toolbar(),
            rx.hstack(
                rx.icon("globe", size=14, color=rx.color("gray", 10)),
                rx.text("Times in ", rx.text.span(CalendarState.zone, weight="medium"), size="1", color_scheme="gray"),
                align="center",
                spacing="1",
                id="calendar-zone",
            ),
            rx.cond(CalendarState.view == "week", week_view(), month_view()),
            legend(),
            spacing="3",
            width="100%",
            style=PAGE_STYLE,
        ),
        size="4",
    )
