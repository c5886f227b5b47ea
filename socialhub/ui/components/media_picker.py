"""The composer's media: upload with progress, pick from the team's library, order, alt text, thumbnails."""

import reflex as rx

from socialhub.ui.states.composer import ComposerState
from socialhub.ui.views.composer_tabs import MediaChip

UPLOAD_ID = "composer-upload"
ACCEPT = {
    "image/*": [".jpg", ".jpeg", ".png", ".gif", ".webp"],
    "video/*": [".mp4", ".mov", ".webm"],
    "application/pdf": [".pdf"],
}


def thumbnail(m: MediaChip, size: str = "72px") -> rx.Component:
    return rx.cond(
        (m.kind == "image") | (m.kind == "gif"),
        rx.image(src=m.url, alt=m.alt_text, width=size, height=size, object_fit="cover", border_radius="6px"),
        rx.center(
            rx.icon(rx.cond(m.kind == "video", "film", "file-text"), size=24),
            width=size,
            height=size,
            border_radius="6px",
            background=rx.color("gray", 4),
        ),
    )


def attached_row(m: MediaChip) -> rx.Component:
    return rx.hstack(
        thumbnail(m),
        rx.vstack(
            rx.text(m.name, size="2", weight="medium", overflow_wrap="anywhere"),
            rx.text(m.details, size="1", color_scheme="gray"),
            rx.cond(m.warning != "", rx.text(m.warning, size="1", color_scheme="amber")),
            rx.input(
                value=m.alt_text,
                placeholder="Describe it for people who cannot see it (alt text)",
                on_change=lambda v: ComposerState.set_alt_text(m.id, v),
                on_blur=lambda _: ComposerState.save_alt_text(m.id),
                size="1",
                width="100%",
                aria_label="Alt text for " + m.name,
            ),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        rx.vstack(
            rx.icon_button(
                rx.icon("arrow-up", size=14),
                size="1",
                variant="ghost",
                on_click=ComposerState.move_attached(m.id, -1),
                aria_label="Move earlier",
            ),
            rx.icon_button(
                rx.icon("x", size=14),
                size="1",
                variant="ghost",
                color_scheme="red",
                on_click=ComposerState.toggle_attached(m.id),
                aria_label="Remove " + m.name,
            ),
            spacing="1",
        ),
        width="100%",
        align="start",
        class_name="attached-media",
    )


def library_tile(m: MediaChip) -> rx.Component:
    chosen = ComposerState.attached_ids.contains(m.id)
    return rx.box(
        thumbnail(m, size="96px"),
        rx.text(m.name, size="1", max_width="96px", overflow="hidden", text_overflow="ellipsis", white_space="nowrap"),
        on_click=ComposerState.toggle_attached(m.id),
        cursor="pointer",
        padding="4px",
        border_radius="8px",
        border=rx.cond(chosen, f"2px solid {rx.color('accent', 9)}", "2px solid transparent"),
        class_name="library-item",
    )


def library_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.icon("images", size=14), "From the library", variant="soft", on_click=ComposerState.open_library
            )
        ),
        rx.dialog.content(
            rx.dialog.title("Media library"),
            rx.dialog.description(ComposerState.library_note, size="1"),
            rx.cond(
                ComposerState.library.length() > 0,
                rx.flex(rx.foreach(ComposerState.library, library_tile), wrap="wrap", spacing="2", padding_y="1em"),
                rx.text("Nothing uploaded yet.", color_scheme="gray", padding_y="1em"),
            ),
            rx.flex(rx.dialog.close(rx.button("Done")), justify="end"),
            max_width="640px",
        ),
    )


def media_section() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.text("Media", weight="bold"), rx.spacer(), library_dialog(), width="100%", align="center"),
            rx.upload.root(
                rx.vstack(
                    rx.icon("upload", size=20),
                    rx.text("Drop images, videos or a PDF here, or click to choose", size="2"),
                    align="center",
                    spacing="1",
                ),
                id=UPLOAD_ID,
                multiple=True,
                accept=ACCEPT,
                on_drop=ComposerState.upload(
                    rx.upload_files(upload_id=UPLOAD_ID, on_upload_progress=ComposerState.upload_progress)
                ),
                border=f"1px dashed {rx.color('gray', 7)}",
                border_radius="8px",
                padding="1em",
                width="100%",
                cursor="pointer",
            ),
            rx.cond(
                ComposerState.upload_percent >= 0,
                rx.hstack(
                    rx.progress(value=ComposerState.upload_percent, width="100%"),
                    rx.text(ComposerState.upload_percent, "%", size="1"),
                    width="100%",
                    align="center",
                ),
            ),
            rx.foreach(ComposerState.attached, attached_row),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def attached_thumbnails() -> rx.Component:
    """The attached files as the previews show them (first one largest, like most feeds)."""
    return rx.cond(
        ComposerState.attached.length() > 0,
        rx.flex(
            rx.foreach(ComposerState.attached, lambda m: thumbnail(m, size="110px")),
            wrap="wrap",
            spacing="1",
        ),
    )
