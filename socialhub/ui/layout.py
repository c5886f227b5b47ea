"""The page frame every page shares."""

import reflex as rx


def navbar() -> rx.Component:
    return rx.hstack(
        rx.hstack(
            rx.icon("send", size=22, color=rx.color("accent", 9)),
            rx.heading("SocialHub", size="5", weight="bold"),
            align="center",
            spacing="2",
        ),
        rx.spacer(),
        rx.link("API health", href="/api/v1/health", size="2", color_scheme="gray"),
        padding_x="1.5em",
        padding_y="1em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        align="center",
    )


def page(*children: rx.Component) -> rx.Component:
    return rx.box(
        navbar(),
        rx.container(*children, size="3", padding_y="2.5em", padding_x="1em"),
        min_height="100vh",
        background=rx.color("gray", 1),
    )
