"""The installation card: database, schema, queue, platform mode and version, for a team's owners and admins.

Self-contained: it loads its own state when it mounts and renders nothing for anyone else, so a page only has to
place ``system_card()``.
"""

import reflex as rx

from socialhub.ui.components.status import status_row
from socialhub.ui.states.home import InstallationState


def system_card() -> rx.Component:
    return rx.box(
        rx.cond(
            InstallationState.visible,
            rx.card(
                rx.vstack(
                    rx.heading("This installation", size="4"),
                    rx.vstack(
                        status_row("Database", InstallationState.database, InstallationState.database_ok),
                        status_row("Schema", InstallationState.schema, InstallationState.schema_current),
                        status_row("Queue", InstallationState.queue, InstallationState.queue_ok),
                        status_row(
                            "Platforms",
                            rx.cond(
                                InstallationState.sandbox_mode, "Sandbox: safe to try every flow", "Live platform APIs"
                            ),
                            None,
                        ),
                        rx.text("Version ", InstallationState.version, size="1", color_scheme="gray"),
                        spacing="3",
                        width="100%",
                        id="system-status",
                    ),
                    rx.text("Only your team's owners and admins see this card.", size="1", color_scheme="gray"),
                    spacing="4",
                    width="100%",
                ),
                width="100%",
                size="3",
            ),
        ),
        on_mount=InstallationState.load,
        id="installation",
        custom_attrs={"data-checked": rx.cond(InstallationState.checked, "yes", "no")},
        width="100%",
        max_width="34em",
    )
