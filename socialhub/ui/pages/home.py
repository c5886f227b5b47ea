"""The home page: what SocialHub does, and whether this installation is healthy."""

import reflex as rx

from socialhub.ui.components.status import platform_chips, status_row
from socialhub.ui.layout import page
from socialhub.ui.states.home import HomeState


def system_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("This installation", size="4"),
            rx.cond(
                HomeState.loaded,
                rx.vstack(
                    status_row("Database", HomeState.database, HomeState.database_ok),
                    status_row("Schema", HomeState.schema, HomeState.schema_current),
                    status_row("Queue", HomeState.queue, HomeState.queue_ok),
                    status_row(
                        "Platforms",
                        rx.cond(HomeState.sandbox_mode, "Sandbox: safe to try every flow", "Live platform APIs"),
                        None,
                    ),
                    rx.text("Version ", HomeState.version, size="1", color_scheme="gray"),
                    spacing="3",
                    width="100%",
                    id="system-status",
                ),
                rx.hstack(rx.spinner(), rx.text("Checking…", color_scheme="gray")),
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
        max_width="34em",
        size="3",
    )


def home() -> rx.Component:
    return page(
        rx.vstack(
            rx.heading("Write once. Publish everywhere.", size="8", text_align="center"),
            rx.text(
                "Draft a post with your team, get AI help, schedule it, and SocialHub publishes it to every "
                "network you use, retries what failed, and brings the numbers back.",
                size="4",
                color_scheme="gray",
                text_align="center",
                max_width="38em",
            ),
            platform_chips(),
            system_card(),
            spacing="6",
            align="center",
            width="100%",
        )
    )
