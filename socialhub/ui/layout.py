"""The page frames: public pages (home, sign-in) and the signed-in app shell."""

import reflex as rx

from socialhub.security.permissions import Permission
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
        rx.link("Sign in", href=routes.LOGIN, size="2", white_space="nowrap"),
        rx.link(rx.button("Create a team", size="2", white_space="nowrap"), href=routes.REGISTER),
        padding_x=rx.breakpoints(initial="1em", sm="1.5em"),
        padding_y="1em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        align="center",
        spacing=rx.breakpoints(initial="3", sm="4"),
    )


def page(*children: rx.Component) -> rx.Component:
    return rx.box(
        navbar(),
        rx.container(*children, size="3", padding_y="2.5em", padding_x="1em", id="page"),
        min_height="100vh",
        background=rx.color("gray", 1),
    )


# The app's sections, in the order every navigation shows them (desktop bar, phone tabs, user menu).
SECTIONS: list[tuple[str, str, str]] = [
    ("Dashboard", "layout-dashboard", routes.DASHBOARD),
    ("Posts", "list", routes.POSTS),
    ("Calendar", "calendar-days", routes.CALENDAR),
    ("Accounts", "link", routes.ACCOUNTS),
    ("Team", "users", routes.TEAM),
    ("Settings", "settings", routes.SETTINGS),
]
# Narrower than the "md" breakpoint (62em: phones, and tablets held upright) the six section links do not fit
# the top bar beside the brand and the user menu: a tab bar along the bottom carries them there.
TAB_BAR_HEIGHT = "4em"


def _current(href: str) -> rx.Var:
    """Whether the page shown is ``href`` or below it (a post's page is under Posts)."""
    path = rx.State.router.page.path
    return (path == href) | path.startswith(href + "/")


def _nav_link(label: str, icon: str, href: str) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(label, size="2"), align="center", spacing="2"),
        href=href,
        color="inherit",
        underline="none",
        padding_x="0.6em",
        padding_y="0.35em",
        border_radius="8px",
        background=rx.cond(_current(href), rx.color("accent", 3), "transparent"),
        _hover={"background": rx.color("gray", 3)},
    )


def _tab(label: str, icon: str, active: rx.Var | bool, **props: object) -> rx.Component:
    return rx.vstack(
        rx.icon(icon, size=22),
        rx.text(label, size="1", weight=rx.cond(active, "bold", "regular")),
        spacing="1",
        align="center",
        justify="center",
        color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 11)),
        flex="1",
        min_width="0",
        height="100%",
        **props,
    )


def _tab_link(label: str, icon: str, href: str) -> rx.Component:
    return rx.link(
        _tab(label, icon, _current(href)),
        href=href,
        underline="none",
        flex="1",
        min_width="0",
        height="100%",
        aria_label=label,
        aria_current=rx.cond(_current(href), "page", "false"),
    )


def phone_nav() -> rx.Component:
    """A tab bar along the bottom of a phone's screen, in reach of the thumb: the first three sections, a new
    post, and the rest under "More". Below the "md" breakpoint only; the desktop bar takes over from there."""
    dashboard, posts, calendar, *rest = SECTIONS
    in_rest = rx.Var.create(False)
    for _, _, href in rest:
        in_rest = in_rest | _current(href)
    return rx.el.nav(
        _tab_link(*dashboard),
        _tab_link(*posts),
        rx.cond(
            AuthState.permissions.contains(Permission.POSTS_WRITE.value),
            _tab_link("New post", "square-pen", routes.COMPOSE),
        ),
        _tab_link(*calendar),
        rx.menu.root(
            rx.menu.trigger(
                rx.el.button(
                    _tab("More", "menu", in_rest),
                    aria_label="More sections",
                    id="phone-more",
                    flex="1",
                    min_width="0",
                    height="100%",
                    background="transparent",
                    border="none",
                    padding="0",
                    font="inherit",
                    cursor="pointer",
                ),
            ),
            rx.menu.content(
                *(
                    rx.menu.item(rx.hstack(rx.icon(icon, size=16), label, spacing="2"), on_click=rx.redirect(href))
                    for label, icon, href in rest
                ),
                side="top",
                align="end",
            ),
        ),
        id="phone-nav",
        aria_label="Sections",
        display=rx.breakpoints(initial="flex", md="none"),
        position="fixed",
        bottom="0",
        left="0",
        right="0",
        z_index="20",
        height=f"calc({TAB_BAR_HEIGHT} + env(safe-area-inset-bottom))",
        padding_bottom="env(safe-area-inset-bottom)",
        background=rx.color("gray", 1),
        border_top=f"1px solid {rx.color('gray', 5)}",
    )


def app_navbar() -> rx.Component:
    return rx.hstack(
        brand(),
        rx.hstack(
            *(_nav_link(*section) for section in SECTIONS),
            spacing="1",
            display=rx.breakpoints(initial="none", md="flex"),
        ),
        rx.spacer(),
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    rx.icon("circle-user", size=16),
                    rx.text(
                        AuthState.user_name,
                        max_width=rx.breakpoints(initial="7em", lg="14em"),
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
                *(rx.menu.item(label, on_click=rx.redirect(href)) for label, _, href in SECTIONS[1:]),
                rx.menu.separator(),
                rx.menu.item("Sign out", on_click=AuthState.sign_out, color="red"),
            ),
        ),
        padding_x=rx.breakpoints(initial="1em", sm="1.5em"),
        padding_y="0.8em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        align="center",
        spacing=rx.breakpoints(initial="3", lg="5"),
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
                padding_top="2em",
                # Room below the last thing on a page, so the phone's tab bar never covers it.
                padding_bottom=rx.breakpoints(initial=f"calc(2em + {TAB_BAR_HEIGHT})", md="2em"),
                padding_x="1em",
                id="page",
            ),
            rx.center(rx.spinner(size="3"), padding="4em"),
        ),
        phone_nav(),
        min_height="100vh",
        background=rx.color("gray", 1),
    )
