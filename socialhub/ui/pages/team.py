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
        rx.fragment(),
    )


# One member per row. A wide screen lines the rows up as a table (header, then who | role | status | actions);
# a phone or a narrow window stacks each one (who and role, then status, then actions): nothing hides sideways.
MEMBER_AREAS = rx.breakpoints(
    initial='"who role" "status status" "actions actions"',
    md='"who role status actions"',
)
MEMBER_COLUMNS = rx.breakpoints(initial="minmax(0, 1fr) auto", md="minmax(0, 1fr) 8em 17em minmax(10em, auto)")


def _member_grid(*cells: rx.Component, **props: object) -> rx.Component:
    return rx.grid(
        *cells,
        grid_template_areas=MEMBER_AREAS,
        grid_template_columns=MEMBER_COLUMNS,
        column_gap="1em",
        row_gap="0.5em",
        align_items="center",
        width="100%",
        padding_y="0.75em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        **props,
    )


def _status(m: MemberRow) -> rx.Component:
    return rx.flex(
        rx.cond(m.active, rx.badge("active", color_scheme="green"), rx.badge("deactivated", color_scheme="gray")),
        rx.text("Last sign-in ", m.last_login, size="1", color_scheme="gray"),
        wrap="wrap",
        spacing="2",
        align="center",
        grid_area="status",
    )


def member_row(m: MemberRow) -> rx.Component:
    return _member_grid(
        rx.vstack(
            rx.hstack(
                rx.text(rx.cond(m.name != "", m.name, m.email), weight="medium", overflow_wrap="anywhere"),
                rx.cond(m.is_me, rx.badge("you", variant="outline", color_scheme="gray", radius="full")),
                spacing="2",
                align="center",
            ),
            rx.text(m.email, size="1", color_scheme="gray", overflow_wrap="anywhere"),
            spacing="0",
            grid_area="who",
            min_width="0",
        ),
        rx.box(
            rx.cond(
                m.manageable,
                rx.select(
                    TeamState.assignable_roles,
                    value=m.role,
                    size="1",
                    on_change=lambda role: TeamState.change_role(m.id, role),
                ),
                role_badge(m.role),
            ),
            grid_area="role",
            justify_self=rx.breakpoints(initial="end", md="start"),
        ),
        _status(m),
        rx.box(member_actions(m), grid_area="actions"),
        class_name="member-row",
    )


def members_list() -> rx.Component:
    header = _member_grid(
        *(
            rx.text(label, size="2", weight="bold", grid_area=area)
            for label, area in (("Member", "who"), ("Role", "role"), ("Status", "status"))
        ),
        display=rx.breakpoints(initial="none", md="grid"),
        aria_hidden="true",
    )
    return rx.card(rx.box(header, rx.foreach(TeamState.members, member_row), id="members"), width="100%")


def invitation_row(i: InvitationRow) -> rx.Component:
    return rx.flex(
        rx.text(i.email, overflow_wrap="anywhere", flex="1", min_width="12em"),
        rx.hstack(
            role_badge(i.role),
            rx.text("Expires ", i.expires, size="1", color_scheme="gray"),
            rx.cond(
                TeamState.can_manage_team,
                rx.button("Withdraw", variant="ghost", size="1", on_click=TeamState.revoke(i.id)),
            ),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        wrap="wrap",
        column_gap="1em",
        row_gap="0.4em",
        align="center",
        width="100%",
        padding_y="0.6em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        class_name="invitation-row",
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
        members_list(),
        rx.cond(
            TeamState.invitations.length() > 0,
            rx.card(
                rx.vstack(
                    rx.heading("Open invitations", size="4"),
                    rx.box(rx.foreach(TeamState.invitations, invitation_row), width="100%", id="invitations"),
                    width="100%",
                ),
                width="100%",
            ),
        ),
    )
