"""Request and response bodies of the /posts routes."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from socialhub.api.schemas import Body, Text
from socialhub.models import ApprovalState, ErrorClass, Platform, PostStatus, PostType, PublishStatus
from socialhub.services.posts import KEEP, PostDetail, TargetChange, TargetSpec

EXAMPLE_ACCOUNT = "5f0c6c1e-8a4b-4a53-9d52-0c2f1f6a7b11"
EXAMPLE_MEDIA = "0b6e2f8a-3c1d-4e5f-9a7b-8c9d0e1f2a3b"
MAX_MEDIA = 20  # LinkedIn's most images in one post; each platform's own limit is named by validation
CONTENT_LIMIT = 100_000  # above every platform's own limit (Reddit's 40,000): validation names the real one

Content = Annotated[Text, Field(max_length=CONTENT_LIMIT)]
Title = Annotated[Text, Field(max_length=300)]
Zone = Annotated[Text, Field(min_length=1, max_length=64)]
OptionName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
OptionValue = Annotated[Text, Field(max_length=2048)] | int | bool

_ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _date_and_time_text(value: object) -> object:
    # pydantic also reads a number (or a numeric string, as every query value is) as seconds since 1970, so
    # "until=0.5" would mean 1970-01-01T00:00:00.5: the API takes what its document says, ISO 8601 text.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE_TIME.match(value):
        raise PydanticCustomError("datetime_parsing", "Input should be an ISO 8601 date and time")
    return value


# A date and time as ISO 8601 text ("2030-03-10T09:00:00"), with an offset (Instant) or without (WallClock).
Instant = Annotated[AwareDatetime, BeforeValidator(_date_and_time_text)]
WallClock = Annotated[datetime, BeforeValidator(_date_and_time_text)]


class TargetIn(Body):
    account_id: uuid.UUID = Field(examples=[EXAMPLE_ACCOUNT])
    custom_content: Content | None = Field(
        default=None, examples=["Shorter for X: spring menu is live 🌱"], description="Replaces the post's text here."
    )
    options: dict[OptionName, OptionValue] = Field(
        default_factory=dict,
        max_length=20,
        examples=[{"board_id": "1234567890"}, {"subreddit": "coffee", "title": "Our spring menu"}],
        description="The platform's own fields: board_id, subreddit, title, privacy, link…",
    )
    media_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=MAX_MEDIA,
        examples=[[EXAMPLE_MEDIA]],
        description="Files from the media library for this account instead of the post's (empty: the post's).",
    )

    def spec(self) -> TargetSpec:
        return TargetSpec(self.account_id, self.custom_content, self.options, tuple(self.media_ids))


class TargetUpdate(Body):
    """A failed or cancelled target's new text, fields or files (PATCH: what is left out stays as it is)."""

    custom_content: Content | None = Field(
        default=None,
        examples=["Our spring menu is live: three new drinks."],
        description="This account's own text; null goes back to the post's shared text.",
    )
    options: dict[OptionName, OptionValue] | None = Field(
        default=None,
        max_length=20,
        examples=[{"subreddit": "coffee", "title": "Our spring menu"}],
        description="The platform's fields, all of them: they replace the target's current ones.",
    )
    media_ids: list[uuid.UUID] | None = Field(
        default=None,
        max_length=MAX_MEDIA,
        examples=[[EXAMPLE_MEDIA]],
        description="This account's own files, in order; [] goes back to the post's files.",
    )

    def change(self) -> TargetChange:
        text = self.custom_content if "custom_content" in self.model_fields_set else KEEP
        return TargetChange(text, self.options, tuple(self.media_ids) if self.media_ids is not None else None)


class PostCreate(Body):
    content: Content = Field(examples=["Our spring menu is here: three new drinks, one old favourite. 🌱"])
    title: Title | None = Field(default=None, examples=["Spring menu"])
    type: PostType = Field(default=PostType.TEXT, examples=["text"])
    targets: list[TargetIn] = Field(default_factory=list, max_length=50, examples=[[{"account_id": EXAMPLE_ACCOUNT}]])
    timezone: Zone | None = Field(
        default=None, examples=["America/New_York"], description="The zone times are given in; the team's if omitted."
    )
    media_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=MAX_MEDIA,
        examples=[[EXAMPLE_MEDIA]],
        description="Files from the media library (POST /media), in order.",
    )


class PostUpdate(Body):
    content: Content | None = Field(default=None, examples=["Our spring menu is here."])
    title: Title | None = Field(default=None, examples=["Spring menu"], description='"" removes the title.')
    targets: list[TargetIn] | None = Field(
        default=None,
        max_length=50,
        examples=[[{"account_id": EXAMPLE_ACCOUNT}]],
        description="The full new list of targets.",
    )
    media_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=MAX_MEDIA, examples=[[EXAMPLE_MEDIA]], description="The full new list of files."
    )


class ScheduleRequest(Body):
    at: WallClock | None = Field(
        default=None,
        examples=["2030-03-10T09:00:00"],
        description="Without an offset: a wall-clock time in `timezone` (else the post's). Omit to publish now.",
    )
    timezone: Zone | None = Field(default=None, examples=["America/New_York"])


class RejectRequest(Body):
    reason: Annotated[Text, Field(min_length=1, max_length=2000)] = Field(
        examples=["The price in the second line is wrong; it is 4.50 now."]
    )


class RetryRequest(Body):
    confirm_not_published: bool = Field(
        default=False,
        examples=[True],
        description="For an unconfirmed target: you checked the platform and the post is not there.",
    )


class TargetPublic(BaseModel):
    id: uuid.UUID
    social_account_id: uuid.UUID
    platform: Platform
    status: PublishStatus
    custom_content: str | None
    options: dict[str, object]
    media_ids: list[uuid.UUID] = Field(validation_alias="custom_media", description="This account's own files.")
    attempts: int = Field(validation_alias="retry_count", description="Publishing attempts made so far.")
    next_attempt_at: datetime | None
    error_class: ErrorClass | None
    error_code: str | None
    error_message: str | None = Field(description="The platform's answer, in words a person understands.")
    platform_post_id: str | None
    permalink: str | None
    published_at: datetime | None


class PostPublic(BaseModel):
    id: uuid.UUID
    created_by: uuid.UUID
    title: str | None
    content: str
    type: PostType
    status: PostStatus
    scheduled_at: datetime | None
    timezone: str
    published_at: datetime | None
    approval_state: ApprovalState
    approved_by: uuid.UUID | None
    approved_at: datetime | None
    created_at: datetime
    updated_at: datetime
    media_ids: list[uuid.UUID] = Field(description="Files from the media library, in order.")
    targets: list[TargetPublic]

    @classmethod
    def of(cls, detail: PostDetail) -> PostPublic:
        own = {name for name in cls.model_fields if name not in ("targets", "media_ids")}
        fields = {name: getattr(detail.post, name) for name in own}
        targets = [TargetPublic.model_validate(row, from_attributes=True) for row in detail.targets]
        return cls(**fields, media_ids=detail.post.media_urls, targets=targets)


class PostsPublic(BaseModel):
    data: list[PostPublic]
    count: int


class ValidationPublic(BaseModel):
    valid: bool
    problems: dict[str, list[str]] = Field(
        description="Per target, by social account id: what to fix (an empty list: fine)."
    )
