"""The page frames: public pages (home, sign-in) and the signed-in app shell."""

import reflex as rx

from socialhub.ui import routes
from socialhub.ui.components.forms import role_badge
from socialhub.ui.states.auth import AuthState


def brand() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("send", size=22, color=rx.color("accent", 9)),
            rx.heading("SocialHub", size="5", weight="bold"),
            align="center",
            spacing="2",
        ),
        href=routes.HOME,
        underline="none",
        color="inherit",
    )


def navbar() -> rx.Component:
    return rx.hstack(
        brand(),
        rx.spacer(),
        rx.link("Sign in", href=routes.LOGIN, size="2"),
        rx.link(rx.button("Create a team", size="2"), href=routes.REGISTER),
        padding_x="1.5em",
        padding_y="1em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        align="center",
        spacing="4",
    )


def page(*children: rx.Component) -> rx.Component:
    return rx.box(
        navbar(),
        rx.container(*children, size="3", padding_y="2.5em", padding_x="1em"),
        min_height="100vh",
        background=rx.color("gray", 1),
    )


def _nav_link(label: str, icon: str, href: str) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(label, size="2"), align="center", spacing="2"),
        href=href,
        color="inherit",
        underline="none",
        padding_x="0.6em",
        padding_y="0.35em",
        border_radius="8px",
        _hover={"background": rx.color("gray", 3)},
    )


def app_navbar() -> rx.Component:
    return rx.hstack(
        brand(),
        rx.hstack(
            _nav_link("Dashboard", "layout-dashboard", routes.DASHBOARD),
            _nav_link("Posts", "list", routes.POSTS),
            _nav_link("Calendar", "calendar-days", routes.CALENDAR),
            _nav_link("Accounts", "link", routes.ACCOUNTS),
            _nav_link("Team", "users", routes.TEAM),
            _nav_link("Settings", "settings", routes.SETTINGS),
            spacing="1",
            display=["none", "none", "flex"],
        ),
        rx.spacer(),
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    rx.icon("circle-user", size=16),
                    rx.text(
                        AuthState.user_name,
                        max_width=rx.breakpoints(initial="7em", sm="14em"),
                        overflow="hidden",
                        text_overflow="ellipsis",
                        white_space="nowrap",
                    ),
                    variant="ghost",
                    id="user-menu",
                )
            ),
            rx.menu.content(
                rx.box(
                    rx.text(AuthState.tenant_name, size="2", weight="bold"),
                    rx.hstack(
                        rx.text(AuthState.user_email, size="1", color_scheme="gray"),
                        role_badge(AuthState.role),
                        spacing="2",
                        align="center",
                    ),
                    padding_x="0.75em",
                    padding_y="0.4em",
                ),
                rx.menu.separator(),
                rx.menu.item("Dashboard", on_click=rx.redirect(routes.DASHBOARD)),
                rx.menu.item("New post", on_click=rx.redirect(routes.COMPOSE)),
                rx.menu.item("Posts", on_click=rx.redirect(routes.POSTS)),
                rx.menu.item("Calendar", on_click=rx.redirect(routes.CALENDAR)),
                rx.menu.item("Accounts", on_click=rx.redirect(routes.ACCOUNTS)),
                rx.menu.item("Team", on_click=rx.redirect(routes.TEAM)),
                rx.menu.item("Settings", on_click=rx.redirect(routes.SETTINGS)),
                rx.menu.separator(),
                rx.menu.item("Sign out", on_click=AuthState.sign_out, color="red"),
            ),
        ),
        padding_x=rx.breakpoints(initial="1em", sm="1.5em"),
        padding_y="0.8em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        align="center",
        spacing="5",
        background=rx.color("gray", 1),
    )


def app_page(title: str | rx.Component, *children: rx.Component, size: str = "3") -> rx.Component:
    """A signed-in page. Content renders only once the session is confirmed: no flash of private data.

    ``size``: the Radix container width ("4" for wide pages such as the calendar)."""
    return rx.box(
        app_navbar(),
        rx.cond(
            AuthState.signed_in,
            rx.container(
                rx.vstack(rx.heading(title, size="6"), *children, spacing="5", width="100%"),
                size=size,
                padding_y="2em",
                padding_x="1em",
            ),
            rx.center(rx.spinner(size="3"), padding="4em"),
        ),
        min_height="100vh",
        background=rx.color("gray", 1),
    )
