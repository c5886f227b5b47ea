"""What the composer shows, built from plain values: the accounts to pick, the attached files, and one tab per
target (its text, count against the platform's limit, fields, problems and preview). No Reflex here, so the
State stays thin and these read as ordinary functions."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from socialhub.media.sizes import in_words
from socialhub.models import Media
from socialhub.platforms.base import OptionField, PlatformClient
from socialhub.platforms.registry import UnknownPlatform, platform_class
from socialhub.services.media_storage import view_url

# How much of a long text each platform shows before "…see more" (what the preview imitates).
FOLD_AT = {"linkedin": 210, "facebook": 480, "instagram": 125, "reddit": 0, "pinterest": 0, "x": 0}


@dataclasses.dataclass
class AccountChoice:
    id: str
    platform: str
    platform_title: str
    name: str
    username: str


@dataclasses.dataclass
class MediaChip:
    id: str
    name: str
    kind: str
    url: str
    alt_text: str
    details: str
    warning: str


def media_chip(row: Media) -> MediaChip:
    size = f"{row.width}×{row.height}, " if row.width and row.height else ""
    return MediaChip(
        id=str(row.id),
        name=row.filename or "file",
        kind=row.kind.value,
        url=view_url(row.storage_backend, row.storage_key, content_type=row.content_type),
        alt_text=row.alt_text,
        details=f"{row.kind.value}, {size}{in_words(row.size_bytes)}",
        warning="; ".join(str(w) for w in row.media_metadata.get("warnings", [])),
    )


@dataclasses.dataclass
class Choice:
    value: str
    label: str


@dataclasses.dataclass
class FieldState:
    name: str
    label: str
    kind: str
    value: str
    required: bool
    hint: str
    choices: list[Choice]


@dataclasses.dataclass
class TargetTab:
    account_id: str
    platform: str
    platform_title: str
    name: str
    username: str
    customized: bool
    text: str
    count: int
    allowed: int
    counting_rule: str
    over: bool
    problems: list[str]
    fields: list[FieldState]
    preview_text: str
    folded: bool


def client_class(platform: str) -> type[PlatformClient] | None:
    try:
        return platform_class(platform)
    except UnknownPlatform:
        return None


def target_tab(
    account: AccountChoice,
    *,
    text: str,
    customized: bool,
    values: Mapping[str, str],
    account_choices: Mapping[str, list[Choice]],
    problems: list[str],
) -> TargetTab:
    """One target's tab: ``account_choices`` are the choices loaded from the account, by field name."""
    cls = client_class(account.platform)
    length = cls.text_length(text) if cls else len(text)
    limit = cls.capabilities.text_limit if cls else 0
    fields = [
        field_state(spec, values.get(spec.name, ""), account_choices.get(spec.name, []))
        for spec in (cls.option_fields if cls else ())
    ]
    fold = FOLD_AT.get(account.platform, 0)
    folded = bool(fold) and len(text) > fold
    return TargetTab(
        account_id=account.id,
        platform=account.platform,
        platform_title=account.platform_title,
        name=account.name,
        username=account.username,
        customized=customized,
        text=text,
        count=length,
        allowed=limit,
        counting_rule=cls.capabilities.counting_rule if cls else "",
        over=bool(limit) and length > limit,
        problems=problems,
        fields=fields,
        preview_text=text[:fold].rstrip() + "…" if folded else text,
        folded=folded,
    )


def field_state(spec: OptionField, value: str, account_choices: Sequence[Choice]) -> FieldState:
    choices = (
        list(account_choices) if spec.kind == "account_choice" else [Choice(v, label) for v, label in spec.choices]
    )
    return FieldState(spec.name, spec.label, spec.kind, value, spec.required, spec.hint, choices)


def target_options(values: Mapping[str, str]) -> dict[str, Any]:
    """The form's strings as a target's options: switches become True, empty fields are left out."""
    options: dict[str, Any] = {}
    for name, value in values.items():
        if value == "true":
            options[name] = True
        elif value.strip():
            options[name] = value.strip()
    return options
