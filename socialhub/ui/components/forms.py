"""Form widgets shared by the pages."""

import reflex as rx


def field(label: str, control: rx.Component, hint: str | rx.Var | None = None) -> rx.Component:
    """A labelled control; the control sits inside its <label>, so assistive tech (and tests) find it by name."""
    return rx.el.label(
        rx.vstack(
            rx.text(label, size="2", weight="medium"),
            control,
            rx.fragment() if hint is None else rx.text(hint, size="1", color_scheme="gray"),
            spacing="1",
            width="100%",
        ),
        width="100%",
    )


def error_callout(message: rx.Var) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", width="100%"),
    )


def role_badge(role: rx.Var | str) -> rx.Component:
    return rx.badge(role, variant="soft", radius="full", color_scheme="indigo")
