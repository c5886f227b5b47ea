"""The team page: members with their roles, invitations, and the invite form."""

import reflex as rx

from socialhub.ui.components.forms import field, role_badge
from socialhub.ui.layout import app_page
from socialhub.ui.states.team import InvitationRow, MemberRow, TeamState


def member_actions(m: MemberRow) -> rx.Component:
    return rx.cond(
        m.manageable,
        rx.cond(
            TeamState.confirm_remove == m.id,
            rx.hstack(
                rx.button("Remove", color_scheme="red", size="1", on_click=TeamState.remove(m.id)),
                rx.button("Keep", variant="soft", size="1", on_click=TeamState.cancel_remove),
                spacing="2",
            ),
            rx.hstack(
                rx.cond(
                    m.active,
                    rx.button("Deactivate", variant="soft", size="1", on_click=TeamState.set_active(m.id, False)),
                    rx.button("Reactivate", variant="soft", size="1", on_click=TeamState.set_active(m.id, True)),
                ),
                rx.button("Remove", variant="ghost", color_scheme="red", size="1", on_click=TeamState.ask_remove(m.id)),
                spacing="2",
            ),
        ),
        rx.text(rx.cond(m.is_me, "you", ""), size="1", color_scheme="gray"),
    )


def member_row(m: MemberRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(rx.cond(m.name != "", m.name, m.email), weight="medium"),
                rx.text(m.email, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.cond(
                m.manageable,
                rx.select(
                    TeamState.assignable_roles,
                    value=m.role,
                    size="1",
                    on_change=lambda role: TeamState.change_role(m.id, role),
                ),
                role_badge(m.role),
            )
        ),
        rx.table.cell(
            rx.cond(m.active, rx.badge("active", color_scheme="green"), rx.badge("deactivated", color_scheme="gray"))
        ),
        rx.table.cell(rx.text(m.last_login, size="1", color_scheme="gray")),
        rx.table.cell(member_actions(m)),
        align="center",
    )


def invitation_row(i: InvitationRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(i.email),
        rx.table.cell(role_badge(i.role)),
        rx.table.cell(rx.text(i.expires, size="1", color_scheme="gray")),
        rx.table.cell(
            rx.cond(
                TeamState.can_manage_team,
                rx.button("Withdraw", variant="ghost", size="1", on_click=TeamState.revoke(i.id)),
            )
        ),
        align="center",
    )


def invite_form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Invite someone", size="4"),
            rx.form(
                rx.flex(
                    field("Email", rx.input(name="email", type="email", required=True, width="100%")),
                    field("Role", rx.select(TeamState.assignable_roles, name="role", default_value="editor")),
                    rx.button("Create invitation", type="submit", align_self="end"),
                    spacing="3",
                    direction=rx.breakpoints(initial="column", sm="row"),
                    width="100%",
                ),
                on_submit=TeamState.invite,
                reset_on_submit=True,
                width="100%",
            ),
            rx.cond(
                TeamState.last_invite_link != "",
                rx.callout(
                    rx.vstack(
                        rx.text("Send this link to them (it works once, for 72 hours):"),
                        rx.code(TeamState.last_invite_link, id="invite-link", word_break="break-all"),
                        spacing="1",
                    ),
                    icon="link",
                    color_scheme="green",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def team_page() -> rx.Component:
    return app_page(
        "Team",
        rx.cond(TeamState.can_manage_team, invite_form()),
        rx.card(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *(rx.table.column_header_cell(h) for h in ("Member", "Role", "Status", "Last sign-in", ""))
                    )
                ),
                rx.table.body(rx.foreach(TeamState.members, member_row)),
                width="100%",
                id="members",
            ),
            width="100%",
            overflow_x="auto",
        ),
        rx.cond(
            TeamState.invitations.length() > 0,
            rx.card(
                rx.vstack(
                    rx.heading("Open invitations", size="4"),
                    rx.table.root(
                        rx.table.body(rx.foreach(TeamState.invitations, invitation_row)), width="100%", id="invitations"
                    ),
                    width="100%",
                ),
                width="100%",
            ),
        ),
    )
