"""The page for an address that leads nowhere: said plainly, with the ways back."""

import reflex as rx

from socialhub.ui import routes
from socialhub.ui.layout import page


def not_found_page() -> rx.Component:
    return page(
        rx.center(
            rx.card(
                rx.vstack(
                    rx.icon("map-pin-off", size=36, color=rx.color("accent", 9)),
                    rx.heading("Page not found", size="6"),
                    rx.text(
                        "There is nothing at this address. The link may be incomplete, or the page has moved.",
                        color_scheme="gray",
                        text_align="center",
                    ),
                    rx.flex(
                        rx.link(
                            rx.button("Go to your dashboard", size="3"), href=routes.DASHBOARD, id="back-dashboard"
                        ),
                        rx.link(rx.button("Home page", size="3", variant="soft"), href=routes.HOME, id="back-home"),
                        spacing="3",
                        wrap="wrap",
                        justify="center",
                    ),
                    spacing="4",
                    align="center",
                    width="100%",
                ),
                size="3",
                width="100%",
                max_width="30em",
                id="not-found",
            ),
            width="100%",
        )
    )
