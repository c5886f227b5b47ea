"""The composer page: accounts, the shared text and a tab per target, platform fields, media, schedule, previews."""

from zoneinfo import available_timezones

import reflex as rx

from socialhub.ui import routes
from socialhub.ui.components.forms import error_callout, field
from socialhub.ui.components.media_picker import attached_thumbnails, media_section
from socialhub.ui.components.post_status import platform_mark
from socialhub.ui.layout import app_page
from socialhub.ui.states.composer import ComposerState
from socialhub.ui.views.composer_tabs import AccountChoice, FieldState, TargetTab

TIMEZONES = [*sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))), "UTC"]


# --- choosing accounts ---------------------------------------------------------------------------------


def account_chip(a: AccountChoice) -> rx.Component:
    checked = ComposerState.selected.contains(a.id)
    return rx.el.label(
        rx.hstack(
            rx.checkbox(checked=checked, on_change=lambda on: ComposerState.toggle_account(a.id, on)),
            platform_mark(a.platform),
            rx.text(a.platform_title, weight="medium", size="2"),
            rx.text(a.name, size="2", color_scheme="gray"),
            align="center",
            spacing="2",
        ),
        padding_x="0.7em",
        padding_y="0.45em",
        border_radius="999px",
        border=rx.cond(checked, f"1px solid {rx.color('accent', 8)}", f"1px solid {rx.color('gray', 6)}"),
        background=rx.cond(checked, rx.color("accent", 3), rx.color("gray", 1)),
        cursor="pointer",
        class_name="account-choice",
        custom_attrs={"data-platform": a.platform},
    )


def accounts_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text("Publish to", weight="bold"),
            rx.cond(
                ComposerState.accounts.length() > 0,
                rx.flex(rx.foreach(ComposerState.accounts, account_chip), wrap="wrap", spacing="2"),
                rx.callout(
                    rx.text("No connected accounts yet. ", rx.link("Connect one", href=routes.ACCOUNTS), " first."),
                    icon="link",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


# --- writing -------------------------------------------------------------------------------------------


def counter(t: TargetTab) -> rx.Component:
    return rx.tooltip(
        rx.badge(
            t.platform_title,
            " ",
            t.count,
            "/",
            t.allowed,
            color_scheme=rx.cond(t.over, "red", rx.cond(t.problems.length() > 0, "amber", "gray")),
            variant="soft",
            class_name="counter",
        ),
        content="Counted as " + t.platform_title + " counts: " + t.counting_rule,
    )


def problems_list(found: rx.Var) -> rx.Component:
    return rx.cond(
        found.length() > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert")),
            rx.vstack(rx.foreach(found, lambda p: rx.text(p, size="2")), spacing="1"),
            color_scheme="amber",
            size="1",
            width="100%",
            class_name="target-problems",
        ),
    )


def option_field(t: TargetTab, f: FieldState) -> rx.Component:
    label = rx.cond(f.required, f.label + " *", f.label)
    control = rx.match(
        f.kind,
        (
            "flag",
            rx.hstack(
                rx.switch(
                    checked=f.value == "true", on_change=lambda on: ComposerState.set_flag(t.account_id, f.name, on)
                ),
                rx.text(f.label, size="2"),
                align="center",
                spacing="2",
            ),
        ),
        (
            "select",
            choice_select(t, f),
        ),
        (
            "account_choice",
            rx.cond(
                f.choices.length() > 0,
                choice_select(t, f),
                rx.hstack(rx.spinner(size="1"), rx.text("Loading from the platform…", size="1"), align="center"),
            ),
        ),
        rx.input(
            value=f.value,
            on_change=lambda v: ComposerState.set_option(t.account_id, f.name, v),
            width="100%",
            name=t.platform + "-" + f.name,
        ),
    )
    return rx.cond(f.kind == "flag", control, field("", rx.vstack(rx.text(label, size="2"), control, width="100%")))


def choice_select(t: TargetTab, f: FieldState) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="Choose…", width="100%"),
        rx.select.content(rx.foreach(f.choices, lambda c: rx.select.item(c.label, value=c.value))),
        value=f.value,
        on_change=lambda v: ComposerState.set_option(t.account_id, f.name, v),
    )


def target_panel(t: TargetTab) -> rx.Component:
    return rx.tabs.content(
        rx.vstack(
            rx.hstack(
                rx.switch(
                    checked=t.customized,
                    on_change=lambda on: ComposerState.set_customized(t.account_id, on),
                    id="customize-" + t.account_id,
                ),
                rx.text("Write different text for ", t.platform_title, size="2"),
                align="center",
                spacing="2",
            ),
            rx.cond(
                t.customized,
                rx.text_area(
                    value=t.text,
                    on_change=lambda v: ComposerState.set_custom_text(t.account_id, v),
                    rows="7",
                    width="100%",
                    aria_label=t.platform_title + " text",
                    class_name="custom-text",
                ),
                rx.text("Uses the text from “All platforms”.", size="2", color_scheme="gray"),
            ),
            rx.hstack(counter(t), rx.spacer(), rx.text(t.counting_rule, size="1", color_scheme="gray"), width="100%"),
            rx.foreach(t.fields, lambda f: option_field(t, f)),
            problems_list(t.problems),
            spacing="3",
            width="100%",
            padding_top="1em",
        ),
        value=t.account_id,
    )


def tab_trigger(t: TargetTab) -> rx.Component:
    return rx.tabs.trigger(
        rx.hstack(
            platform_mark(t.platform),
            rx.text(t.platform_title),
            rx.cond(
                t.over | (t.problems.length() > 0),
                rx.icon("circle-alert", size=14, color=rx.color("red", 9)),
                rx.icon("circle-check", size=14, color=rx.color("green", 9)),
            ),
            spacing="1",
            align="center",
        ),
        value=t.account_id,
    )


def writing_card() -> rx.Component:
    shared = rx.tabs.content(
        rx.vstack(
            field(
                "Title (used by Reddit, Pinterest, YouTube; optional)",
                rx.input(value=ComposerState.title, on_change=ComposerState.set_title, name="title", width="100%"),
            ),
            field(
                "Text",
                rx.text_area(
                    value=ComposerState.content,
                    on_change=ComposerState.set_content,
                    placeholder="What do you want to say?",
                    rows="8",
                    width="100%",
                    name="content",
                    id="content",
                ),
            ),
            rx.flex(rx.foreach(ComposerState.tabs, counter), wrap="wrap", spacing="2"),
            spacing="3",
            width="100%",
            padding_top="1em",
        ),
        value="all",
    )
    return rx.card(
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("All platforms", value="all"),
                rx.foreach(ComposerState.tabs, tab_trigger),
                overflow_x="auto",
            ),
            shared,
            rx.foreach(ComposerState.tabs, target_panel),
            value=ComposerState.active_tab,
            on_change=ComposerState.set_active_tab,
            width="100%",
        ),
        width="100%",
    )


# --- when ----------------------------------------------------------------------------------------------


def schedule_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text("When", weight="bold"),
            rx.radio_group.root(
                rx.hstack(
                    rx.radio_group.item(value="now", id="when-now"),
                    rx.el.label("As soon as possible", html_for="when-now"),
                    rx.radio_group.item(value="later", id="when-later"),
                    rx.el.label("At a time", html_for="when-later"),
                    spacing="2",
                    align="center",
                ),
                value=ComposerState.schedule_mode,
                on_change=ComposerState.set_schedule_mode,
            ),
            rx.cond(
                ComposerState.schedule_mode == "later",
                rx.flex(
                    field(
                        "Date and time",
                        rx.input(
                            type="datetime-local",
                            value=ComposerState.schedule_at,
                            on_change=ComposerState.set_schedule_at,
                            name="schedule_at",
                        ),
                    ),
                    field(
                        "Time zone",
                        rx.el.select(
                            *(rx.el.option(z, value=z) for z in TIMEZONES),
                            value=ComposerState.timezone,
                            on_change=ComposerState.set_timezone,
                            name="timezone",
                            style={"padding": "0.4em", "border_radius": "6px", "max_width": "100%"},
                        ),
                    ),
                    spacing="3",
                    direction=rx.breakpoints(initial="column", sm="row"),
                    width="100%",
                ),
            ),
            rx.cond(
                ComposerState.approval_needed,
                rx.text("Posts you send are reviewed by an editor before they go out.", size="2", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def actions() -> rx.Component:
    return rx.vstack(
        error_callout(ComposerState.error),
        rx.hstack(
            rx.cond(
                ComposerState.problem_count > 0,
                rx.text(ComposerState.problem_count, " thing(s) to fix before sending", size="2", color="red"),
            ),
            rx.spacer(),
            rx.button("Save draft", variant="soft", on_click=ComposerState.save_draft, id="save-draft"),
            rx.button(
                ComposerState.primary_label,
                on_click=ComposerState.send,
                disabled=ComposerState.selected.length() == 0,
                id="send",
            ),
            width="100%",
            align="center",
            wrap="wrap",
            spacing="3",
        ),
        width="100%",
    )


# --- previews ------------------------------------------------------------------------------------------


def preview_card(t: TargetTab) -> rx.Component:
    avatar = rx.avatar(fallback=t.name.to(str)[:1], size="2", radius="full")
    header = rx.hstack(
        avatar,
        rx.vstack(
            rx.hstack(rx.text(t.name, weight="bold", size="2"), rx.text(t.username, size="2", color_scheme="gray")),
            rx.text(
                rx.match(t.platform, ("linkedin", "Now · 🌐"), ("facebook", "Just now · 🌐"), ("x", "now"), ""),
                size="1",
                color_scheme="gray",
            ),
            spacing="0",
        ),
        rx.spacer(),
        platform_mark(t.platform),
        width="100%",
        align="center",
    )
    options = ComposerState.option_values[t.account_id]
    reddit_top = rx.vstack(
        rx.text("r/", options["subreddit"].to(str), " · u/", t.name, size="1", color_scheme="gray"),
        rx.text(rx.cond(ComposerState.title != "", ComposerState.title, options["title"].to(str)), weight="bold"),
        spacing="1",
    )
    body = rx.text(
        t.preview_text,
        rx.cond(t.folded, rx.text.span(" see more", color_scheme="gray", weight="medium")),
        size="2",
        white_space="pre-wrap",
        overflow_wrap="anywhere",
    )
    media = attached_thumbnails()
    return rx.card(
        rx.vstack(
            rx.cond(t.platform == "reddit", reddit_top, header),
            rx.cond(t.platform == "pinterest", rx.fragment(media, body), rx.fragment(body, media)),
            spacing="3",
            width="100%",
        ),
        width="100%",
        class_name="preview preview-" + t.platform,
    )


def previews() -> rx.Component:
    return rx.vstack(
        rx.heading("Preview", size="4"),
        rx.cond(
            ComposerState.tabs.length() > 0,
            rx.vstack(rx.foreach(ComposerState.tabs, preview_card), spacing="3", width="100%"),
            rx.text("Choose an account to see how the post will look there.", color_scheme="gray", size="2"),
        ),
        spacing="3",
        width="100%",
    )


def composer_page() -> rx.Component:
    return app_page(
        rx.cond(ComposerState.editing, "Edit draft", "New post"),
        rx.grid(
            rx.vstack(accounts_card(), writing_card(), media_section(), schedule_card(), actions(), spacing="4"),
            previews(),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="5",
            width="100%",
        ),
    )
