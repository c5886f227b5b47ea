"""Sign in, create a team, accept an invitation."""

import reflex as rx

from socialhub.ui import routes
from socialhub.ui.components.forms import error_callout, field, role_badge
from socialhub.ui.layout import page
from socialhub.ui.states.session_forms import InviteState, LoginState, RegisterState


def _card(title: str, subtitle: str | rx.Component, *children: rx.Component) -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading(title, size="6"),
                rx.text(subtitle, color_scheme="gray"),
                *children,
                spacing="4",
                width="100%",
            ),
            size="3",
            width="100%",
            max_width="26em",
        ),
        width="100%",
    )


def _form(on_submit: rx.EventHandler, submit_label: str, *fields: rx.Component) -> rx.Component:
    return rx.form(
        rx.vstack(*fields, rx.button(submit_label, type="submit", width="100%", size="3"), spacing="3", width="100%"),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
    )


def login() -> rx.Component:
    return page(
        _card(
            "Sign in",
            "Welcome back.",
            error_callout(LoginState.error),
            _form(
                LoginState.submit,
                "Sign in",
                field(
                    "Email",
                    rx.input(
                        name="email", type="email", required=True, autofocus=True, auto_complete="email", width="100%"
                    ),
                ),
                field(
                    "Password",
                    rx.input(
                        name="password", type="password", required=True, auto_complete="current-password", width="100%"
                    ),
                ),
            ),
            rx.text("New here? ", rx.link("Create a team", href=routes.REGISTER), size="2"),
        )
    )


def register() -> rx.Component:
    return page(
        _card(
            "Create a team",
            "You will be its owner; invite the others afterwards.",
            error_callout(RegisterState.error),
            rx.cond(
                RegisterState.offer_sign_in,
                rx.link(rx.button("Sign in instead", variant="soft", width="100%"), href=routes.LOGIN, width="100%"),
            ),
            _form(
                RegisterState.submit,
                "Create team",
                field(
                    "Team name",
                    rx.input(name="team_name", required=True, autofocus=True, width="100%", placeholder="Acme Coffee"),
                ),
                field("Your name", rx.input(name="full_name", width="100%", auto_complete="name")),
                field(
                    "Email", rx.input(name="email", type="email", required=True, auto_complete="email", width="100%")
                ),
                field(
                    "Password",
                    rx.input(
                        name="password",
                        type="password",
                        required=True,
                        min_length=10,
                        auto_complete="new-password",
                        width="100%",
                    ),
                    "At least 10 characters.",
                ),
                field(
                    "Time zone",
                    rx.input(name="timezone", default_value="UTC", width="100%"),
                    "Where your team schedules posts, e.g. Europe/Berlin or America/New_York.",
                ),
            ),
            rx.text("Already have an account? ", rx.link("Sign in", href=routes.LOGIN), size="2"),
        )
    )


def invite() -> rx.Component:
    return page(
        rx.cond(
            InviteState.valid,
            _card(
                "Join " + InviteState.team_name,
                rx.hstack(rx.text(InviteState.email, color_scheme="gray"), role_badge(InviteState.invited_role)),
                error_callout(InviteState.error),
                _form(
                    InviteState.accept,
                    "Accept and sign in",
                    field("Your name", rx.input(name="full_name", width="100%", auto_complete="name")),
                    field(
                        "Choose a password",
                        rx.input(
                            name="password",
                            type="password",
                            required=True,
                            min_length=10,
                            auto_complete="new-password",
                            width="100%",
                        ),
                        "At least 10 characters.",
                    ),
                    field(
                        "Repeat it",
                        rx.input(
                            name="password_again",
                            type="password",
                            required=True,
                            auto_complete="new-password",
                            width="100%",
                        ),
                    ),
                ),
            ),
            _card("Invitation", "", error_callout(InviteState.error), rx.link("Go to sign in", href=routes.LOGIN)),
        )
    )
