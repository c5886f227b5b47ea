"""How a post's and a target's status look, everywhere posts are shown (list, detail, calendar)."""

import reflex as rx

# (label, Radix colour) per status; one table so every page says the same thing in the same colour.
POST_STATUSES: dict[str, tuple[str, str]] = {
    "draft": ("Draft", "gray"),
    "pending_approval": ("Waiting for approval", "amber"),
    "scheduled": ("Scheduled", "blue"),
    "publishing": ("Publishing", "cyan"),
    "published": ("Published", "green"),
    "partially_published": ("Partly published", "orange"),
    "failed": ("Failed", "red"),
    "cancelled": ("Cancelled", "gray"),
}
TARGET_STATUSES: dict[str, tuple[str, str]] = {
    "pending": ("Not queued", "gray"),
    "queued": ("Queued", "blue"),
    "publishing": ("Publishing", "cyan"),
    "published": ("Published", "green"),
    "retry_wait": ("Will retry", "amber"),
    "failed": ("Failed", "red"),
    "unconfirmed": ("Check the platform", "orange"),
    "cancelled": ("Cancelled", "gray"),
}


def _badge(status: rx.Var, table: dict[str, tuple[str, str]], **props: object) -> rx.Component:
    cases = [
        (key, rx.badge(label, color_scheme=color, variant="soft", radius="full", **props))  # type: ignore[arg-type]
        for key, (label, color) in table.items()
    ]
    return rx.match(status, *cases, rx.badge(status, variant="soft", radius="full"))


def post_status_badge(status: rx.Var, **props: object) -> rx.Component:
    return _badge(status, POST_STATUSES, **props)


def target_status_badge(status: rx.Var, **props: object) -> rx.Component:
    return _badge(status, TARGET_STATUSES, **props)


# A small mark per platform: Lucide has no brand logos, so a letter in the platform's colour stands in.
PLATFORM_MARKS: dict[str, tuple[str, str]] = {
    "x": ("𝕏", "#000000"),
    "linkedin": ("in", "#0a66c2"),
    "facebook": ("f", "#1877f2"),
    "instagram": ("IG", "#d62976"),
    "reddit": ("r/", "#ff4500"),
    "pinterest": ("P", "#e60023"),
    "tiktok": ("♪", "#000000"),
    "youtube": ("▶", "#ff0000"),
    "threads": ("@", "#000000"),
}


def platform_mark(platform: rx.Var | str, size: str = "1.35em") -> rx.Component:
    def mark(letter: str, colour: str) -> rx.Component:
        return rx.center(
            letter,
            width=size,
            height=size,
            min_width=size,
            border_radius="5px",
            background=colour,
            color="white",
            font_size="0.7em",
            font_weight="700",
            line_height="1",
        )

    return rx.match(
        platform,
        *((key, mark(letter, colour)) for key, (letter, colour) in PLATFORM_MARKS.items()),
        mark("•", "gray"),
    )
