"""The posts list (filters, pages, live statuses) and a post's own page (per-platform results and actions)."""

import reflex as rx

from socialhub.settings import PLATFORMS
from socialhub.ui import routes
from socialhub.ui.components.media_picker import thumbnail
from socialhub.ui.components.post_status import POST_STATUSES, post_status_badge, target_status_badge
from socialhub.ui.components.status import PLATFORM_LABELS
from socialhub.ui.layout import app_page
from socialhub.ui.states.posts import PostDetailState, PostRow, PostsState, TargetChip
from socialhub.ui.views.composer_tabs import MediaChip
from socialhub.ui.views.post_targets import ShownField, TargetRow
from socialhub.ui.views.target_fix import target_fixer

# --- the list --------------------------------------------------------------------------------------------


def target_chip(t: TargetChip) -> rx.Component:
    return rx.hstack(
        rx.text(t.platform_title, size="1", weight="medium"),
        target_status_badge(t.status, size="1"),
        spacing="1",
        align="center",
        class_name="target-chip",
    )


def post_row(p: PostRow) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    post_status_badge(p.status),
                    rx.text(p.when, size="1", color_scheme="gray"),
                    rx.spacer(),
                    rx.text(p.author, size="1", color_scheme="gray"),
                    width="100%",
                    align="center",
                    wrap="wrap",
                ),
                rx.cond(p.title != "", rx.text(p.title, weight="bold", size="2")),
                rx.text(
                    rx.cond(p.excerpt != "", p.excerpt, "(no text)"),
                    size="2",
                    white_space="pre-wrap",
                    overflow_wrap="anywhere",
                ),
                rx.flex(rx.foreach(p.targets, target_chip), wrap="wrap", spacing="3"),
                spacing="2",
                width="100%",
            ),
            width="100%",
            _hover={"background": rx.color("gray", 2)},
        ),
        href="/posts/" + p.id,
        underline="none",
        color="inherit",
        width="100%",
        class_name="post-row",
    )


def filters() -> rx.Component:
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            placeholder="Search text and titles",
            value=PostsState.text_filter,
            on_change=PostsState.set_text_filter,
            name="search",
            min_width="12em",
            flex="1",
        ),
        rx.select.root(
            rx.select.trigger(aria_label="Status"),
            rx.select.content(
                rx.select.item("Any status", value="all"),
                *(rx.select.item(label, value=key) for key, (label, _) in POST_STATUSES.items()),
            ),
            value=PostsState.status_filter,
            on_change=PostsState.set_status_filter,
        ),
        rx.select.root(
            rx.select.trigger(aria_label="Platform"),
            rx.select.content(
                rx.select.item("Any platform", value="all"),
                *(rx.select.item(PLATFORM_LABELS[p], value=p) for p in PLATFORMS),
            ),
            value=PostsState.platform_filter,
            on_change=PostsState.set_platform_filter,
        ),
        rx.hstack(
            rx.input(type="date", value=PostsState.date_from, on_change=PostsState.set_date_from, aria_label="From"),
            rx.text("to", size="2"),
            rx.input(type="date", value=PostsState.date_to, on_change=PostsState.set_date_to, aria_label="To"),
            align="center",
            spacing="2",
        ),
        rx.button("Clear", variant="ghost", on_click=PostsState.clear_filters),
        wrap="wrap",
        spacing="2",
        align="center",
        width="100%",
    )


def posts_page() -> rx.Component:
    return app_page(
        "Posts",
        rx.hstack(
            rx.text("Statuses update live while workers publish.", size="2", color_scheme="gray"),
            rx.spacer(),
            rx.cond(
                PostsState.can_write,
                rx.link(rx.button(rx.icon("plus", size=16), "New post"), href=routes.COMPOSE),
            ),
            width="100%",
            align="center",
        ),
        filters(),
        rx.cond(
            PostsState.error != "",
            rx.callout(PostsState.error, icon="triangle-alert", color_scheme="red", width="100%"),
        ),
        rx.cond(
            PostsState.rows.length() > 0,
            rx.vstack(rx.foreach(PostsState.rows, post_row), spacing="3", width="100%", id="posts"),
            rx.card(
                rx.text("No posts match. ", rx.link("Write one", href=routes.COMPOSE), color_scheme="gray"),
                width="100%",
                id="posts",
            ),
        ),
        rx.hstack(
            rx.text(PostsState.range_label, size="2", color_scheme="gray"),
            rx.spacer(),
            rx.button("Previous", variant="soft", on_click=PostsState.previous_page, disabled=PostsState.page == 0),
            rx.button(
                "Next",
                variant="soft",
                on_click=PostsState.next_page,
                disabled=PostsState.page + 1 >= PostsState.page_count,
            ),
            width="100%",
            align="center",
        ),
    )


# --- one post --------------------------------------------------------------------------------------------


def retry_controls(t: TargetRow) -> rx.Component:
    unconfirmed = rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("I checked: retry", size="1", color_scheme="orange")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Is the post really not on " + t.platform_title + "?"),
            rx.alert_dialog.description(
                "SocialHub could not confirm whether the last attempt went through. Open ",
                t.account,
                " on ",
                t.platform_title,
                " and look for it. Retry only if it is not there, or it will appear twice.",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Not yet", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button("It is not there: retry", on_click=PostDetailState.retry_checked(t.id))
                ),
                justify="end",
                spacing="3",
                margin_top="1em",
            ),
        ),
    )
    retry = rx.button(PostDetailState.retry_label, size="1", on_click=PostDetailState.retry(t.id), class_name="retry")
    fix = rx.button(
        rx.icon("pencil", size=14),
        "Fix",
        size="1",
        variant="soft",
        on_click=PostDetailState.start_fix(t.id),
        class_name="fix-target",
    )
    by_approver = rx.text(
        rx.cond(
            PostDetailState.reapproval,
            "Changed since its approval: an approver sends it again.",
            "An editor sends it again.",
        ),
        size="1",
        color_scheme="gray",
        class_name="retry-by-approver",
    )
    controls = rx.hstack(
        rx.cond(t.fixable & PostDetailState.can_fix, fix),
        rx.cond(
            PostDetailState.can_retry,
            rx.match(t.status, ("failed", retry), ("cancelled", retry), ("unconfirmed", unconfirmed), rx.fragment()),
            rx.cond(t.fixable & PostDetailState.can_write, by_approver),
        ),
        spacing="2",
        align="center",
        wrap="wrap",
    )
    return rx.cond(PostDetailState.editing == t.id, rx.fragment(), controls)  # its editor has its own buttons


def shown_field(f: ShownField) -> rx.Component:
    return rx.text(
        rx.text.span(f.label, ": ", color_scheme="gray"),
        f.value,
        rx.cond(f.from_post, rx.text.span(" (the post's title)", color_scheme="gray", size="1")),
        size="2",
        overflow_wrap="anywhere",
        class_name="target-field",
    )


def shown_file(m: MediaChip) -> rx.Component:
    return rx.link(thumbnail(m, size="64px"), href=m.url, is_external=True, title=m.name, class_name="target-file")


def outgoing(t: TargetRow) -> rx.Component:
    """What the platform got (or gets): the text, marked as the target's own or the shared one, fields, files."""
    return rx.vstack(
        rx.hstack(
            rx.text(rx.cond(t.status == "published", "What went out", "What goes out"), size="1", weight="bold"),
            rx.badge(
                rx.cond(t.own_text, "Its own text", "The shared text"),
                variant="outline",
                radius="full",
                size="1",
                color_scheme=rx.cond(t.own_text, "violet", "gray"),
                class_name="text-source",
            ),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.text(
            rx.cond(t.text != "", t.text, "(no text)"),
            size="2",
            white_space="pre-wrap",
            overflow_wrap="anywhere",
            class_name="target-text",
        ),
        rx.foreach(t.fields, shown_field),
        rx.cond(
            t.media.length() > 0,
            rx.flex(rx.foreach(t.media, shown_file), wrap="wrap", spacing="2", class_name="target-files"),
        ),
        rx.cond(
            t.missing_media > 0,
            rx.text(t.missing_media, " file(s) deleted since it was attached.", size="1", color_scheme="red"),
        ),
        spacing="1",
        width="100%",
        padding_left="0.75em",
        border_left=f"3px solid {rx.color('gray', 5)}",
        class_name="outgoing",
    )


def target_card(t: TargetRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(t.platform_title, weight="bold"),
                rx.text(t.account, size="2", color_scheme="gray", overflow_wrap="anywhere"),
                target_status_badge(t.status),
                rx.spacer(),
                retry_controls(t),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.cond(
                t.permalink != "",
                rx.link(
                    rx.hstack(rx.icon("external-link", size=14), rx.text("View on ", t.platform_title), spacing="1"),
                    href=t.permalink,
                    is_external=True,
                    size="2",
                ),
            ),
            rx.cond(t.published != "", rx.text("Published ", t.published, size="1", color_scheme="gray")),
            rx.cond(
                t.next_attempt != "",
                rx.text(
                    rx.cond(t.status == "retry_wait", "Next attempt ", "Due "),
                    t.next_attempt,
                    size="1",
                    color_scheme="gray",
                ),
            ),
            rx.cond(
                (t.attempts > 1) | ((t.attempts > 0) & (t.status != "published")),
                rx.text("Attempts so far: ", t.attempts, size="1", color_scheme="gray"),
            ),
            rx.cond(
                t.error_message != "",
                rx.callout(
                    t.error_message,
                    icon="triangle-alert",
                    color_scheme=rx.cond(t.status == "failed", "red", "orange"),
                    size="1",
                    width="100%",
                    class_name="target-error",
                ),
            ),
            rx.cond(PostDetailState.editing == t.id, target_fixer(), outgoing(t)),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="target-card",
        custom_attrs={"data-platform": t.platform},
    )


def post_actions() -> rx.Component:
    reject = rx.popover.root(
        rx.popover.trigger(rx.button("Reject", variant="soft", color_scheme="red")),
        rx.popover.content(
            rx.vstack(
                rx.text("What should the author change?", size="2"),
                rx.text_area(value=PostDetailState.reject_reason, on_change=PostDetailState.set_reject_reason),
                rx.popover.close(rx.button("Send back", on_click=PostDetailState.reject, color_scheme="red")),
                spacing="2",
            ),
        ),
    )
    delete = rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("Delete", variant="ghost", color_scheme="red")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete this post?"),
            rx.alert_dialog.description("It cannot be brought back."),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button("Delete", color_scheme="red", on_click=PostDetailState.delete)),
                justify="end",
                spacing="3",
                margin_top="1em",
            ),
        ),
    )
    return rx.flex(
        rx.cond(
            (PostDetailState.status == "pending_approval") & PostDetailState.can_approve,
            rx.hstack(rx.button("Approve", on_click=PostDetailState.approve, color_scheme="green"), reject),
        ),
        rx.cond(
            PostDetailState.can_edit,
            rx.link(rx.button(rx.icon("pencil", size=14), "Edit"), href=PostDetailState.edit_url),
        ),
        rx.cond(
            PostDetailState.can_unschedule,
            rx.button("Back to drafts", variant="soft", on_click=PostDetailState.unschedule),
        ),
        rx.cond(
            PostDetailState.can_cancel,
            rx.button("Cancel publishing", variant="soft", color_scheme="orange", on_click=PostDetailState.cancel),
        ),
        rx.cond(PostDetailState.can_delete, delete),
        wrap="wrap",
        spacing="2",
    )


def post_detail_page() -> rx.Component:
    found = rx.vstack(
        rx.hstack(
            post_status_badge(PostDetailState.status, size="2"),
            rx.text(PostDetailState.when, size="2", color_scheme="gray"),
            rx.cond(PostDetailState.in_flight, rx.spinner(size="1")),
            rx.spacer(),
            post_actions(),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        rx.card(
            rx.vstack(
                rx.cond(PostDetailState.title != "", rx.heading(PostDetailState.title, size="4")),
                rx.text(PostDetailState.content, white_space="pre-wrap", overflow_wrap="anywhere"),
                rx.text("By ", PostDetailState.author, size="1", color_scheme="gray"),
                spacing="2",
            ),
            width="100%",
        ),
        rx.heading("Where it goes", size="4"),
        rx.vstack(rx.foreach(PostDetailState.targets, target_card), spacing="3", width="100%", id="targets"),
        spacing="4",
        width="100%",
    )
    return app_page(
        "Post",
        rx.cond(
            PostDetailState.found,
            found,
            rx.card(rx.text("There is no such post. ", rx.link("All posts", href=routes.POSTS)), width="100%"),
        ),
    )
