"""Team settings and the AI budget; read-only for roles that may not change them. The plan is read-only for
everyone: the operator of the installation sets it."""

import reflex as rx

from socialhub.models import ApprovalPolicy
from socialhub.services.tenants import PLAN_SET_BY
from socialhub.ui.components.forms import field
from socialhub.ui.layout import app_page
from socialhub.ui.states.settings import SettingsState


def settings_form() -> rx.Component:
    locked = ~SettingsState.can_manage_tenant
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Team", size="4"),
                field(
                    "Name",
                    rx.input(
                        name="name",
                        default_value=SettingsState.name,
                        key=SettingsState.name,
                        disabled=locked,
                        width="100%",
                    ),
                ),
                field(
                    "Time zone",
                    rx.input(
                        name="timezone",
                        default_value=SettingsState.timezone,
                        key=SettingsState.timezone,
                        disabled=locked,
                        width="100%",
                    ),
                    "Schedules are shown and entered in this zone.",
                ),
                field(
                    "Plan",
                    rx.badge(SettingsState.plan_tier, variant="soft", size="2", id="plan-tier"),
                    f"Sets how much media the team can store. Chosen by {PLAN_SET_BY}, not in the app.",
                ),
                field(
                    "Approvals",
                    rx.select(
                        [a.value for a in ApprovalPolicy],
                        name="approval_policy",
                        value=SettingsState.approval_policy,
                        on_change=SettingsState.set_approval_policy,
                        disabled=locked,
                    ),
                    SettingsState.approval_label,
                ),
                rx.cond(
                    SettingsState.can_manage_tenant,
                    rx.button("Save settings", type="submit"),
                    rx.text("Only owners and admins can change these.", size="2", color_scheme="gray"),
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=SettingsState.save,
            reset_on_submit=False,
        ),
        width="100%",
    )


def budget_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("AI budget", size="4"),
            rx.hstack(
                rx.vstack(
                    rx.text("Limit", size="1", color_scheme="gray"),
                    rx.text("$", SettingsState.budget_limit, size="5", weight="bold", id="budget-limit"),
                    spacing="0",
                ),
                rx.vstack(
                    rx.text("Used", size="1", color_scheme="gray"),
                    rx.text("$", SettingsState.budget_used, size="5"),
                    spacing="0",
                ),
                rx.vstack(
                    rx.text("Reserved", size="1", color_scheme="gray"),
                    rx.text("$", SettingsState.budget_reserved, size="5"),
                    spacing="0",
                ),
                rx.vstack(
                    rx.text("Remaining", size="1", color_scheme="gray"),
                    rx.text("$", SettingsState.budget_remaining, size="5"),
                    spacing="0",
                ),
                spacing="6",
                wrap="wrap",
            ),
            rx.progress(value=SettingsState.budget_percent, width="100%"),
            rx.cond(
                SettingsState.can_manage_budget,
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="limit_usd",
                            placeholder="New limit in USD",
                            type="text",
                            input_mode="decimal",
                            id="budget-input",
                        ),
                        rx.button("Set budget", type="submit"),
                        spacing="2",
                    ),
                    on_submit=SettingsState.save_budget,
                    reset_on_submit=True,
                ),
                rx.text("Only owners and admins can change the budget.", size="2", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def settings_page() -> rx.Component:
    return app_page("Settings", settings_form(), budget_card())
