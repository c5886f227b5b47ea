"""Where a signed-in person lands: what waits for their approval, where their own posts stand, their team,
their role and what it lets them do."""

import reflex as rx

from socialhub.security.permissions import Permission
from socialhub.ui import routes
from socialhub.ui.components.forms import role_badge
from socialhub.ui.components.post_status import post_status_badge
from socialhub.ui.components.system_card import system_card
from socialhub.ui.layout import app_page
from socialhub.ui.states.auth import AuthState
from socialhub.ui.states.dashboard import DashboardState, QueuedPost

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


def _post_summary(p: QueuedPost) -> rx.Component:
    return rx.vstack(
        rx.cond(p.title != "", rx.text(p.title, weight="bold", size="2")),
        rx.text(rx.cond(p.excerpt != "", p.excerpt, "(no text)"), size="2", overflow_wrap="anywhere"),
        rx.flex(
            rx.cond(
                p.platforms.length() > 0,
                rx.foreach(p.platforms, lambda name: rx.badge(name, variant="surface", radius="full")),
                rx.badge("No account chosen yet", color_scheme="orange", variant="soft", radius="full"),
            ),
            rx.cond(p.planned != "", rx.text(p.planned, size="1", color_scheme="gray")),
            wrap="wrap",
            spacing="2",
            align="center",
        ),
        spacing="2",
        width="100%",
    )


def _open_link(label: str, href: rx.Var) -> rx.Component:
    return rx.link(
        rx.button(label, rx.icon("chevron-right", size=14), variant="soft", size="2"), href=href, underline="none"
    )


def _item(p: QueuedPost, kind: str, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(*children, spacing="3", width="100%"),
        width="100%",
        class_name=kind,
        custom_attrs={"data-post": p.id},
    )


def _section(heading: rx.Component, *children: rx.Component, id: str) -> rx.Component:
    return rx.card(rx.vstack(heading, *children, spacing="3", width="100%"), width="100%", id=id)


def approval_item(p: QueuedPost) -> rx.Component:
    return _item(
        p,
        "approval-item",
        rx.text("By ", p.author, size="1", color_scheme="gray"),
        _post_summary(p),
        rx.hstack(
            rx.button(
                rx.icon("check", size=16),
                "Approve",
                color_scheme="green",
                size="2",
                on_click=DashboardState.approve(p.id),
                class_name="approve",
            ),
            _open_link("Open", p.url),
            spacing="3",
            wrap="wrap",
        ),
    )


def approvals_card() -> rx.Component:
    return _section(
        rx.hstack(
            rx.icon("badge-check", size=20, color=rx.color("amber", 10)),
            rx.heading("Waiting for your approval", size="4"),
            rx.cond(
                DashboardState.awaiting_total > 0,
                rx.badge(DashboardState.awaiting_total, color_scheme="amber", radius="full"),
            ),
            align="center",
            spacing="2",
        ),
        rx.cond(
            DashboardState.awaiting.length() > 0,
            rx.vstack(rx.foreach(DashboardState.awaiting, approval_item), spacing="3", width="100%"),
            rx.text("Nothing waits for you. Posts that need an approval show up here.", color_scheme="gray"),
        ),
        rx.cond(
            DashboardState.awaiting_more > 0,
            rx.link("And ", DashboardState.awaiting_more, " more in Posts", href=routes.POSTS, size="2"),
        ),
        id="awaiting",
    )


def submission_item(p: QueuedPost) -> rx.Component:
    rejected = p.status == "rejected"
    return _item(
        p,
        "submission-item",
        rx.cond(
            rejected,
            rx.badge("Sent back", color_scheme="red", variant="soft", radius="full"),
            post_status_badge(p.status),
        ),
        _post_summary(p),
        rx.cond(
            rejected,
            rx.callout(
                rx.text(rx.text.strong(p.rejected_by, ": "), rx.cond(p.reason != "", p.reason, "(no reason given)")),
                icon="message-square-warning",
                color_scheme="red",
                size="1",
                width="100%",
                class_name="rejection",
            ),
        ),
        rx.cond(rejected, _open_link("Edit and resubmit", p.edit_url), _open_link("Open", p.url)),
    )


def submissions_card() -> rx.Component:
    return _section(
        rx.heading("Your posts in review", size="4"),
        rx.vstack(rx.foreach(DashboardState.mine, submission_item), spacing="3", width="100%"),
        id="my-submissions",
    )


def dashboard() -> rx.Component:
    return app_page(
        "Dashboard",
        rx.cond(DashboardState.can_approve, approvals_card()),
        rx.cond(DashboardState.mine.length() > 0, submissions_card()),
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
        system_card(),  # owners and admins only: the card checks the permission itself
    )
