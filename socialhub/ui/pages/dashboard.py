"""Where a signed-in person lands: their team, their role and what it lets them do."""

import reflex as rx

from socialhub.security.permissions import Permission
from socialhub.ui import routes
from socialhub.ui.components.forms import role_badge
from socialhub.ui.layout import app_page
from socialhub.ui.states.auth import AuthState

ABILITIES = [
    (Permission.POSTS_WRITE, "pencil", "Write posts"),
    (Permission.POSTS_PUBLISH, "send", "Schedule and publish without an approval"),
    (Permission.POSTS_APPROVE, "badge-check", "Approve others' posts"),
    (Permission.ACCOUNTS_MANAGE, "link", "Connect social accounts"),
    (Permission.AI_USE, "sparkles", "Use the AI assistant"),
    (Permission.TEAM_MANAGE, "users", "Invite people and change roles"),
    (Permission.TENANT_MANAGE, "settings", "Change team settings"),
    (Permission.BUDGET_MANAGE, "wallet", "Set the AI budget"),
    (Permission.ANALYTICS_READ, "chart-line", "See analytics"),
]


def ability(permission: Permission, icon: str, label: str) -> rx.Component:
    allowed = AuthState.permissions.contains(permission.value)
    return rx.hstack(
        rx.cond(
            allowed,
            rx.icon("check", color=rx.color("green", 9), size=16),
            rx.icon("x", color=rx.color("gray", 8), size=16),
        ),
        rx.icon(icon, size=16, color=rx.color("gray", 10)),
        rx.text(label, size="2", color_scheme=rx.cond(allowed, "gray", "gray"), opacity=rx.cond(allowed, "1", "0.55")),
        align="center",
        spacing="2",
    )


def shortcut(title: str, text: str, icon: str, href: str) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.icon(icon, size=22, color=rx.color("accent", 9)),
                rx.vstack(rx.text(title, weight="bold"), rx.text(text, size="2", color_scheme="gray"), spacing="0"),
                align="center",
                spacing="3",
            ),
            width="100%",
        ),
        href=href,
        underline="none",
        color="inherit",
        width="100%",
    )


def dashboard() -> rx.Component:
    return app_page(
        "Dashboard",
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text("Hello, ", AuthState.user_name, size="5", weight="medium"),
                    role_badge(AuthState.role),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
                rx.text("You are in ", rx.text.strong(AuthState.tenant_name), ".", color_scheme="gray"),
                rx.grid(
                    *(ability(*a) for a in ABILITIES),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                    id="abilities",
                ),
                spacing="4",
                width="100%",
            ),
            size="3",
            width="100%",
        ),
        rx.grid(
            shortcut("Accounts", "Connect and check your social accounts", "link", routes.ACCOUNTS),
            shortcut("Team", "Members, roles and invitations", "users", routes.TEAM),
            shortcut("Settings", "Time zone, approvals and the AI budget", "settings", routes.SETTINGS),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="4",
            width="100%",
        ),
    )
