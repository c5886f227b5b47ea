"""The home page: what SocialHub does and how to start. The installation's own facts are for its admins only."""

import reflex as rx

from socialhub.ui import routes
from socialhub.ui.components.status import platform_chips
from socialhub.ui.components.system_card import system_card
from socialhub.ui.layout import page
from socialhub.ui.states.home import HomeState

FEATURES = [
    (
        "pen-line",
        "Write once",
        "One draft for every network, with its own text where a network needs it, live counters counted the way "
        "each platform counts, and previews that look like the real thing.",
    ),
    (
        "calendar-days",
        "Plan with your team",
        "Schedule in any time zone, drag posts around the calendar, and let contributors' drafts wait for an "
        "editor's approval.",
    ),
    (
        "send",
        "Publish exactly once",
        "SocialHub publishes to each network, retries what failed for a passing reason, and tells you in plain "
        "words what a platform refused and what to do about it.",
    ),
    (
        "images",
        "Bring your media",
        "Upload images, videos and PDFs once; SocialHub checks them against each network's limits before "
        "anything goes out.",
    ),
]


def feature(icon: str, title: str, text: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon(icon, size=22, color=rx.color("accent", 9)),
            rx.text(title, weight="bold", size="3"),
            rx.text(text, size="2", color_scheme="gray"),
            spacing="2",
        ),
        width="100%",
    )


def calls_to_action() -> rx.Component:
    return rx.cond(
        HomeState.signed_in,
        rx.link(rx.button("Open your dashboard", size="3"), href=routes.DASHBOARD),
        rx.hstack(
            rx.link(rx.button("Create a team", size="3"), href=routes.REGISTER),
            rx.link(rx.button("Sign in", size="3", variant="soft"), href=routes.LOGIN),
            spacing="3",
            wrap="wrap",
            justify="center",
        ),
    )


def home() -> rx.Component:
    return page(
        rx.vstack(
            rx.heading(
                "Write once. Publish everywhere.", size=rx.breakpoints(initial="7", sm="8"), text_align="center"
            ),
            rx.text(
                "Draft a post with your team, get AI help, schedule it, and SocialHub publishes it to every "
                "network you use, retries what failed, and brings the numbers back.",
                size="4",
                color_scheme="gray",
                text_align="center",
                max_width="38em",
            ),
            calls_to_action(),
            platform_chips(),
            rx.grid(
                *(feature(*f) for f in FEATURES),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="4",
                width="100%",
                max_width="52em",
            ),
            system_card(),
            spacing="6",
            align="center",
            width="100%",
        )
    )
