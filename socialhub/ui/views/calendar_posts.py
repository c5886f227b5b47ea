"""A post on the calendar: the chip in a grid cell, the row in a phone's list, "Move to…", "+N more"."""

from __future__ import annotations

import reflex as rx

from socialhub.ui.components.drag_drop import drag_source
from socialhub.ui.components.post_status import platform_mark
from socialhub.ui.states.calendar import CalendarState, Chip, DayCell, Mark

# A chip's "Move to…" icon covers its right end, so it shows only on hover or keyboard focus. Also set on
# the "+N more" popover, which is portalled outside the page.
CHIP_STYLE = {
    "& .cal-chip .cal-move": {"opacity": "0"},
    "& .cal-chip:hover .cal-move, & .cal-chip:focus-within .cal-move": {"opacity": "1"},
}


def scale(color: rx.Var | str, step: int) -> rx.Var | str:
    """A step of a Radix colour scale chosen at run time (``rx.color`` wants the name when compiling)."""
    return f"var(--{color}-{step})"


def mark(m: Mark) -> rx.Component:
    return rx.el.span(platform_mark(m.platform, size="14px"), title=m.label, aria_label=m.label, flex_shrink="0")


def move_form(c: Chip, *, labelled: bool = False) -> rx.Component:
    """The keyboard and phone way to move a post: a date and time in the team's zone. ``labelled``: a button
    that says "Move" (lists, phones) rather than an icon (chips)."""
    trigger = (
        rx.button(rx.icon("calendar-clock", size=14), "Move", size="1", variant="soft", aria_label="Move to…")
        if labelled
        else rx.icon_button(
            rx.icon("calendar-clock", size=13), size="1", variant="ghost", color_scheme="gray", aria_label="Move to…"
        )
    )
    return rx.popover.root(
        rx.popover.trigger(trigger, flex_shrink="0"),
        rx.popover.content(
            rx.form(
                rx.vstack(
                    rx.text("Move to…", weight="bold", size="2"),
                    rx.input(
                        type="datetime-local", name="at", default_value=c.local_value, width="100%", required=True
                    ),
                    rx.el.input(type="hidden", name="post_id", value=c.id),
                    rx.text("Time in ", CalendarState.tenant_timezone, size="1", color_scheme="gray"),
                    rx.hstack(
                        rx.popover.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
                        rx.popover.close(rx.button("Move", type="submit")),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                ),
                on_submit=CalendarState.move_to,
                reset_on_submit=False,
            ),
            side="bottom",
            align="start",
            width="17em",
        ),
    )


def chip(c: Chip) -> rx.Component:
    """A post in a grid cell: time, first words, platforms; drags when it may be moved."""
    return rx.tooltip(
        drag_source(
            rx.link(
                rx.text(c.time, as_="span", weight="bold", color=scale(c.color, 11), flex_shrink="0"),
                rx.el.span(
                    c.text,
                    white_space="nowrap",
                    overflow="hidden",
                    text_overflow="ellipsis",
                    min_width="0",
                    flex="1",
                    text_decoration=rx.cond(c.status == "cancelled", "line-through", "none"),
                ),
                href=c.href,
                custom_attrs={"draggable": "false"},
                underline="none",
                color=rx.color("gray", 12),
                display="flex",
                gap="4px",
                min_width="0",
                flex="1",
                align_items="center",
            ),
            rx.foreach(c.marks, mark),
            # Over the chip's right end, shown on hover or keyboard focus: a chip has no room to spare.
            rx.cond(
                c.movable,
                rx.box(
                    move_form(c),
                    class_name="cal-move",
                    position="absolute",
                    right="2px",
                    top="50%",
                    transform="translateY(-50%)",
                    display="flex",
                    background=scale(c.color, 3),
                    border_radius="4px",
                ),
            ),
            drag_id=c.id,
            enabled=c.movable,
            on_click=rx.stop_propagation,  # not the day's "write a post here"
            class_name="cal-chip",
            data_post_id=c.id,
            data_status=c.status,
            position="relative",
            display="flex",
            align_items="center",
            gap="4px",
            width="100%",
            min_width="0",
            padding="2px 4px 2px 6px",
            font_size="12px",
            line_height="18px",
            border_radius="6px",
            background=scale(c.color, 3),
            border_left=f"3px solid {scale(c.color, 9)}",
            outline=rx.cond(c.tentative, f"1px dashed {scale(c.color, 8)}", "none"),
            outline_offset="-1px",
            cursor=rx.cond(c.movable, "grab", "pointer"),
            opacity=rx.cond(c.status == "cancelled", "0.7", "1"),
        ),
        content=c.status_label + " · " + c.when + " — " + c.full_text,
    )


def more_button(count: rx.Var, heading: rx.Var, chips: rx.Var) -> rx.Component:
    """ "+N more": the whole day (or hour) in a popover, instead of a cell that overflows."""
    popover = rx.popover.root(
        rx.popover.trigger(
            rx.button(
                "+" + count.to_string() + " more", size="1", variant="ghost", color_scheme="gray", class_name="cal-more"
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.text(heading, weight="bold", size="2"),
                rx.foreach(chips, chip),
                spacing="1",
                width="15em",
            ),
            side="bottom",
            align="start",
            style=CHIP_STYLE,
        ),
    )
    # Clicks in it (the popover too: React bubbles through portals) are not the cell's "write a post here".
    return rx.box(popover, on_click=rx.stop_propagation)


def agenda_row(c: Chip) -> rx.Component:
    """A post in a list (phones): wider than a chip, so the text wraps and the status is spelt out."""
    return rx.hstack(
        rx.link(
            rx.hstack(
                rx.text(c.time, weight="bold", size="2", color=scale(c.color, 11), width="3.2em", flex_shrink="0"),
                rx.vstack(
                    rx.text(c.text, size="2", color=rx.color("gray", 12)),
                    rx.hstack(
                        rx.badge(c.status_label, color_scheme=c.color, variant="soft", size="1"),
                        rx.foreach(c.marks, mark),
                        spacing="1",
                        align="center",
                        wrap="wrap",
                    ),
                    spacing="1",
                    min_width="0",
                ),
                align="start",
                spacing="2",
            ),
            href=c.href,
            underline="none",
            flex="1",
            min_width="0",
        ),
        rx.cond(c.movable, move_form(c, labelled=True)),
        class_name="cal-chip agenda-row",
        data_post_id=c.id,
        width="100%",
        align="start",
        padding="8px 10px",
        border_radius="8px",
        background=scale(c.color, 2),
        border_left=f"3px solid {scale(c.color, 9)}",
        outline=rx.cond(c.tentative, f"1px dashed {scale(c.color, 8)}", "none"),
        outline_offset="-1px",
    )


def day_list(d: DayCell, *, heading_size: str = "3") -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(d.heading, weight="bold", size=heading_size, color=rx.cond(d.is_today, rx.color("accent", 11), "")),
            rx.cond(d.is_today, rx.badge("today", size="1")),
            rx.spacer(),
            rx.cond(
                CalendarState.can_write & ~d.is_past,
                rx.link(
                    rx.button(rx.icon("plus", size=14), "New post", size="1", variant="soft"),
                    href=d.compose_href,
                ),
            ),
            align="center",
            width="100%",
        ),
        rx.cond(
            d.count > 0,
            rx.vstack(rx.foreach(d.all_chips, agenda_row), spacing="2", width="100%"),
            rx.text("Nothing planned.", size="2", color_scheme="gray"),
        ),
        spacing="2",
        width="100%",
    )
