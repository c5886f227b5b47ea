"""Small stateless widgets for showing system facts."""

import reflex as rx

from socialhub.settings import PLATFORMS

PLATFORM_LABELS = {
    "instagram": "Instagram",
    "facebook": "Facebook",
    "x": "X",
    "linkedin": "LinkedIn",
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "pinterest": "Pinterest",
    "threads": "Threads",
    "reddit": "Reddit",
}


def status_row(label: str, value: rx.Var | str, ok: rx.Var | bool | None) -> rx.Component:
    """A fact with a verdict icon; ``ok=None`` for a fact that is information, not a health check."""
    if ok is None:
        icon = rx.icon("info", color=rx.color("gray", 9), size=18, flex_shrink="0")
    else:
        icon = rx.cond(
            ok,
            rx.icon("circle-check", color=rx.color("green", 9), size=18, flex_shrink="0"),
            rx.icon("circle-alert", color=rx.color("red", 9), size=18, flex_shrink="0"),
        )
    return rx.hstack(
        icon,
        rx.text(label, weight="medium", width="7em", flex_shrink="0"),
        rx.text(value, color_scheme="gray"),
        align="center",
        spacing="3",
        width="100%",
    )


def platform_chips() -> rx.Component:
    return rx.flex(
        *(rx.badge(PLATFORM_LABELS[p], size="2", variant="surface", radius="full") for p in PLATFORMS),
        wrap="wrap",
        spacing="2",
        justify="center",
    )
