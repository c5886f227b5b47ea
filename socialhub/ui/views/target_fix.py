"""Fixing a failed or cancelled target on the post's page: its text (its own, or back to the shared one), its
platform's fields, its files; counted and checked by its platform as you type; then saved, and sent again."""

from __future__ import annotations

import reflex as rx

from socialhub.ui.components.forms import field
from socialhub.ui.components.media_picker import thumbnail
from socialhub.ui.pages.composer import counter, problems_list
from socialhub.ui.states.posts import PostDetailState
from socialhub.ui.views.composer_tabs import FieldState, MediaChip

State = PostDetailState


def _choice(f: FieldState) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="Choose…", width="100%"),
        rx.select.content(rx.foreach(f.choices, lambda c: rx.select.item(c.label, value=c.value))),
        value=f.value,
        on_change=lambda v: State.set_fix_option(f.name, v),
    )


def _option(f: FieldState) -> rx.Component:
    label = rx.cond(f.required, f.label + " *", f.label)
    control = rx.match(
        f.kind,
        ("select", _choice(f)),
        (
            "account_choice",
            rx.cond(
                f.choices.length() > 0,
                _choice(f),
                rx.text("Could not load the choices from the platform.", size="1", color_scheme="gray"),
            ),
        ),
        rx.input(
            value=f.value,
            on_change=lambda v: State.set_fix_option(f.name, v),
            width="100%",
            name="fix-" + f.name,
            debounce_timeout=80,
        ),
    )
    flag = rx.hstack(
        rx.switch(checked=f.value == "true", on_change=lambda on: State.set_fix_flag(f.name, on)),
        rx.text(f.label, size="2"),
        align="center",
        spacing="2",
    )
    hint = rx.cond(f.hint != "", rx.text(f.hint, size="1", color_scheme="gray"))
    return rx.cond(
        f.kind == "flag",
        flag,
        field("", rx.vstack(rx.text(label, size="2"), control, hint, spacing="1", width="100%")),
    )


def _file(m: MediaChip) -> rx.Component:
    return rx.hstack(
        thumbnail(m, size="56px"),
        rx.text(m.name, size="1", overflow_wrap="anywhere", flex="1", min_width="0"),
        rx.icon_button(
            rx.icon("x", size=14),
            size="1",
            variant="ghost",
            color_scheme="red",
            on_click=State.toggle_fix_media(m.id),
            aria_label="Remove " + m.name,
        ),
        align="center",
        width="100%",
        class_name="fix-file",
    )


def _library_tile(m: MediaChip) -> rx.Component:
    return rx.popover.close(  # one pick closes the list: the files it covers are what changed
        rx.box(
            thumbnail(m, size="80px"),
            on_click=State.toggle_fix_media(m.id),
            cursor="pointer",
            title=m.name,
            class_name="fix-library-item",
        )
    )


def _files() -> rx.Component:
    library = rx.popover.root(
        rx.popover.trigger(
            rx.button(rx.icon("images", size=14), "Add from the library", size="1", variant="soft"),
            on_click=State.open_fix_library,
        ),
        rx.popover.content(
            rx.cond(
                State.library.length() > 0,
                rx.flex(rx.foreach(State.library, _library_tile), wrap="wrap", spacing="2", max_width="300px"),
                rx.text("Nothing uploaded yet.", size="2", color_scheme="gray"),
            ),
        ),
    )
    return rx.vstack(
        rx.hstack(
            rx.text("Files", size="2", weight="medium"),
            rx.text(rx.cond(State.edit_media.length() > 0, "its own", "the post's"), size="1", color_scheme="gray"),
            rx.spacer(),
            rx.cond(
                State.edit_media.length() > 0,
                rx.button("Use the post's files", size="1", variant="ghost", on_click=State.use_post_media),
            ),
            library,
            width="100%",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            State.editor_media.length() > 0,
            rx.vstack(rx.foreach(State.editor_media, _file), spacing="1", width="100%"),
            rx.text("No files.", size="1", color_scheme="gray"),
        ),
        spacing="2",
        width="100%",
    )


def target_fixer() -> rx.Component:
    t = State.editor
    return rx.vstack(
        rx.hstack(
            rx.switch(checked=State.edit_customized, on_change=State.set_fix_customized, id="fix-customize"),
            rx.el.label(rx.text("Its own text for ", t.platform_title, size="2"), html_for="fix-customize"),
            align="center",
            spacing="2",
        ),
        rx.cond(
            State.edit_customized,
            rx.text_area(
                value=State.edit_text,
                on_change=State.set_fix_text,
                rows="6",
                width="100%",
                aria_label=t.platform_title + " text",
                debounce_timeout=80,
                class_name="fix-text",
            ),
            rx.text("Sends the post's shared text.", size="2", color_scheme="gray"),
        ),
        rx.hstack(counter(t), rx.text(t.counting_rule, size="1", color_scheme="gray"), align="center", wrap="wrap"),
        rx.foreach(t.fields, _option),
        _files(),
        rx.cond(
            t.problems.length() > 0,
            problems_list(t.problems),
            rx.text(t.platform_title, " would take it as it is now.", size="2", color_scheme="green"),
        ),
        rx.flex(
            rx.button("Cancel", variant="soft", color_scheme="gray", on_click=State.stop_fix),
            rx.button("Save", variant="soft", on_click=State.save_fix, disabled=t.problems.length() > 0, id="fix-save"),
            rx.cond(
                State.can_retry,
                rx.button(
                    "Save and retry",
                    on_click=State.save_fix_and_retry,
                    disabled=t.problems.length() > 0,
                    id="fix-save-retry",
                ),
            ),
            justify="end",
            wrap="wrap",
            spacing="2",
            width="100%",
        ),
        spacing="3",
        width="100%",
        padding="0.75em",
        border_radius="8px",
        background=rx.color("gray", 2),
        class_name="target-fixer",
    )
