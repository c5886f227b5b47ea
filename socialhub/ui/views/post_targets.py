"""What a post's page shows per target, built from plain values: its status, and what it sends (or sent) — the
text, marked as its own or the shared one, the platform's fields by their labels, the files with thumbnails.
No Reflex here, so the State stays thin and these read as ordinary functions."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from socialhub.models import PublishStatus
from socialhub.platforms.errors import PLATFORM_TITLES
from socialhub.services.posts import FIXABLE, TargetView
from socialhub.ui.views.composer_tabs import Choice, MediaChip, client_class, media_chip


@dataclasses.dataclass
class ShownField:
    label: str
    value: str
    from_post: bool  # not the target's own: the post's title, which publishing passes to every platform


@dataclasses.dataclass
class TargetRow:
    id: str
    account_id: str
    platform: str
    platform_title: str
    account: str
    status: str
    attempts: int
    next_attempt: str
    error_class: str
    error_message: str
    permalink: str
    published: str
    text: str
    own_text: bool
    fields: list[ShownField]
    media: list[MediaChip]
    own_media: bool
    missing_media: int
    fixable: bool  # failed or cancelled: its text, fields and files can change before it is sent again


def zone_time(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(zone)).strftime("%a %d %b %Y, %H:%M")


def shown_fields(
    platform: str,
    options: Mapping[str, Any],
    choices: Mapping[str, Sequence[Choice]],
    own: Mapping[str, Any] | None = None,
) -> list[ShownField]:
    """The fields a target is sent with (``options``), as the composer names them, in the platform's order; empty
    ones left out. ``choices``: by field name, what an "account_choice" field's values are called (a board's
    name); ``own``: the target's own options, to tell apart what came from the post."""
    cls = client_class(platform)
    shown = []
    for spec in cls.option_fields if cls else ():
        value = options.get(spec.name)
        if value in (None, "", False):
            continue
        if spec.kind == "flag":
            text = "yes"
        else:
            labels = dict(spec.choices) | {c.value: c.label for c in choices.get(spec.name, ())}
            text = labels.get(str(value), str(value))
        shown.append(ShownField(spec.label, text, from_post=own is not None and spec.name not in own))
    return shown


def target_row(
    view: TargetView,
    *,
    account: str,
    zone: str,
    choices: Mapping[str, Sequence[Choice]],
) -> TargetRow:
    t = view.row
    waiting = t.status in (PublishStatus.RETRY_WAIT, PublishStatus.QUEUED)
    return TargetRow(
        id=str(t.id),
        account_id=str(t.social_account_id),
        platform=t.platform.value,
        platform_title=PLATFORM_TITLES.get(t.platform.value, t.platform.value),
        account=account,
        status=t.status.value,
        attempts=t.retry_count,
        next_attempt=zone_time(t.next_attempt_at, zone) if waiting else "",
        error_class=t.error_class.value if t.error_class else "",
        error_message=t.error_message or "",
        permalink=t.permalink or "",
        published=zone_time(t.published_at, zone),
        text=view.text,
        own_text=view.own_text,
        fields=shown_fields(t.platform.value, view.options, choices, own=t.options),
        media=[media_chip(row) for row in view.media],
        own_media=view.own_media,
        missing_media=view.missing_media,
        fixable=t.status in FIXABLE,
    )
