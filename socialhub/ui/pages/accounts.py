"""The accounts page (connect, status, reconnect, disconnect) and the OAuth callback page."""

import reflex as rx

from socialhub.ui.layout import app_page
from socialhub.ui.states.accounts import AccountRow, AccountsState, CallbackState, CandidateRow, PlatformOption

STATUS_COLORS = {"active": "green", "reauth_required": "red", "error": "orange"}


def status_badge(status: rx.Var) -> rx.Component:
    return rx.match(
        status,
        ("active", rx.badge("connected", color_scheme="green")),
        ("reauth_required", rx.badge("reconnect needed", color_scheme="red", variant="solid")),
        rx.badge(status, color_scheme="orange"),
    )


def account_card(a: AccountRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.hstack(
                        rx.text(a.platform_title, weight="bold"),
                        status_badge(a.status),
                        spacing="2",
                        align="center",
                        wrap="wrap",
                    ),
                    rx.text(
                        a.name, " ", rx.text.span(a.username, color_scheme="gray"), size="2", overflow_wrap="anywhere"
                    ),
                    rx.text("Sign-in valid until: ", a.expires, size="1", color_scheme="gray"),
                    spacing="1",
                    flex="1",
                    min_width="12em",
                ),
                rx.cond(
                    AccountsState.can_manage_accounts,
                    rx.hstack(
                        rx.cond(
                            a.status == "active",
                            rx.button("Refresh", variant="soft", size="1", on_click=AccountsState.refresh(a.id)),
                            rx.button(
                                "Reconnect", color_scheme="red", size="1", on_click=AccountsState.connect(a.platform)
                            ),
                        ),
                        rx.button(
                            "Disconnect",
                            variant="ghost",
                            color_scheme="gray",
                            size="1",
                            on_click=AccountsState.disconnect(a.id),
                        ),
                        spacing="2",
                    ),
                ),
                width="100%",
                align="start",
                wrap="wrap",
                row_gap="0.75em",
            ),
            rx.cond(
                a.status == "reauth_required",
                rx.callout(a.reason, icon="triangle-alert", color_scheme="red", width="100%", size="1"),
            ),
            width="100%",
        ),
        width="100%",
        class_name="account-card",
    )


def connect_button(p: PlatformOption) -> rx.Component:
    return rx.button(
        rx.vstack(
            rx.text("Connect ", p.title, weight="bold"),
            rx.text(p.rules, size="1", text_align="left"),
            spacing="0",
            align="start",
            min_width="0",
        ),
        variant="surface",
        size="3",
        on_click=AccountsState.connect(p.id),
        height="auto",
        padding_y="0.6em",
        justify_content="start",
        align_items="start",
        white_space="normal",  # a button keeps its label on one line; the counting rule may need two
        width="100%",
        id="connect-" + p.id,
    )


def accounts_page() -> rx.Component:
    return app_page(
        "Accounts",
        rx.cond(
            AccountsState.attention_count > 0,
            rx.callout(
                "Some accounts need you: SocialHub cannot publish to them until they are reconnected.",
                icon="triangle-alert",
                color_scheme="red",
                width="100%",
            ),
        ),
        rx.cond(
            AccountsState.accounts.length() > 0,
            rx.vstack(rx.foreach(AccountsState.accounts, account_card), spacing="3", width="100%", id="accounts"),
            rx.card(rx.text("No accounts connected yet.", color_scheme="gray"), width="100%", id="accounts"),
        ),
        rx.cond(
            AccountsState.can_manage_accounts,
            rx.vstack(
                rx.heading("Connect an account", size="4"),
                rx.grid(
                    rx.foreach(AccountsState.platforms, connect_button),
                    columns=rx.breakpoints(initial="1", xs="2", md="3"),
                    spacing="3",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
        ),
    )


def candidate_row(c: CandidateRow) -> rx.Component:
    # Inside a <label>: tapping the name ticks the box, and the box is named after the account.
    return rx.el.label(
        rx.hstack(
            rx.checkbox(on_change=lambda checked: CallbackState.toggle(c.id, checked)),
            rx.text(c.name, overflow_wrap="anywhere"),
            rx.badge(c.kind, variant="soft"),
            align="center",
            spacing="2",
        ),
        class_name="candidate",
    )


def callback_page() -> rx.Component:
    return app_page(
        CallbackState.heading,
        rx.cond(
            CallbackState.error != "",
            rx.vstack(
                rx.callout(CallbackState.error, icon="triangle-alert", color_scheme="red", role="alert", width="100%"),
                rx.link("Back to accounts", href="/accounts"),
                width="100%",
            ),
            rx.cond(
                CallbackState.candidates.length() > 0,
                rx.card(
                    rx.vstack(
                        rx.text("This sign-in can publish to several accounts. Which should SocialHub connect?"),
                        rx.foreach(CallbackState.candidates, candidate_row),
                        rx.button(
                            "Connect selected",
                            on_click=CallbackState.connect_chosen,
                            disabled=CallbackState.chosen.length() == 0,
                        ),
                        spacing="3",
                    ),
                    width="100%",
                ),
                rx.hstack(rx.spinner(), rx.text("Finishing the connection…")),
            ),
        ),
    )
