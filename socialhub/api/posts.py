"""/posts: write a post for several accounts, check it per platform, schedule, approve, cancel, fix and retry."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from socialhub.api.deps import CurrentIdentity, needs
from socialhub.api.errors import error_responses
from socialhub.api.post_schemas import (
    Instant,
    PostCreate,
    PostPublic,
    PostsPublic,
    PostUpdate,
    RejectRequest,
    RetryRequest,
    ScheduleRequest,
    TargetUpdate,
    ValidationPublic,
)
from socialhub.api.schemas import Text
from socialhub.models import Platform, PostStatus
from socialhub.security.permissions import Permission
from socialhub.services import posts

router = APIRouter(prefix="/posts", tags=["posts"])
# Bodies a client may leave out: no body schedules for now, and retries without claiming to have checked.
PUBLISH_NOW = ScheduleRequest()
NOT_CONFIRMED = RetryRequest()


@router.get("", response_model=PostsPublic, summary="Posts, newest first.", **needs(Permission.POSTS_READ))
def list_posts(
    identity: CurrentIdentity,
    status: PostStatus | None = None,
    platform: Annotated[Platform | None, Query(description="Posts with a target on this platform.")] = None,
    since: Annotated[Instant | None, Query(description="Scheduled (else created) at or after.")] = None,
    until: Annotated[Instant | None, Query(description="Scheduled (else created) before.")] = None,
    q: Annotated[Text | None, Query(max_length=200, description="Text in the content or title.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> PostsPublic:
    found, total = posts.list_posts(
        identity.context,
        status=status,
        platform=platform,
        since=since,
        until=until,
        text=q,
        limit=limit,
        offset=offset,
    )
    return PostsPublic(data=[PostPublic.of(detail) for detail in found], count=total)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PostPublic,
    responses=error_responses(404),
    summary="Write a draft for one or more connected accounts.",
    **needs(Permission.POSTS_WRITE),
)
def create_post(body: PostCreate, identity: CurrentIdentity) -> PostPublic:
    detail = posts.create_post(
        identity.context,
        content=body.content,
        title=body.title,
        type=body.type,
        targets=[target.spec() for target in body.targets],
        timezone=body.timezone,
        media_ids=body.media_ids,
    )
    return PostPublic.of(detail)


@router.get("/{post_id}", response_model=PostPublic, summary="A post and its targets.", **needs(Permission.POSTS_READ))
def get_post(post_id: uuid.UUID, identity: CurrentIdentity) -> PostPublic:
    return PostPublic.of(posts.get_post(identity.context, post_id))


@router.patch(
    "/{post_id}",
    response_model=PostPublic,
    responses=error_responses(409),
    summary="Edit a draft or a post waiting for approval.",
    **needs(Permission.POSTS_WRITE),
)
def update_post(post_id: uuid.UUID, body: PostUpdate, identity: CurrentIdentity) -> PostPublic:
    targets = [target.spec() for target in body.targets] if body.targets is not None else None
    detail = posts.update_post(
        identity.context, post_id, content=body.content, title=body.title, targets=targets, media_ids=body.media_ids
    )
    return PostPublic.of(detail)


@router.delete(
    "/{post_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(409),
    summary="Delete a post that nothing was published from.",
    **needs(Permission.POSTS_WRITE),
)
def delete_post(post_id: uuid.UUID, identity: CurrentIdentity) -> None:
    posts.delete_post(identity.context, post_id)


@router.post(
    "/{post_id}/validate",
    response_model=ValidationPublic,
    summary="Check the post against every target platform's rules.",
    **needs(Permission.POSTS_READ),
)
def validate_post(post_id: uuid.UUID, identity: CurrentIdentity) -> ValidationPublic:
    problems = posts.validate_post(identity.context, post_id)
    return ValidationPublic(valid=not any(problems.values()), problems=problems)


@router.post(
    "/{post_id}/schedule",
    response_model=PostPublic,
    responses=error_responses(409),
    summary="Schedule the post (or publish it now); it waits for an approver when the team's policy says so.",
    **needs(Permission.POSTS_WRITE),
)
def schedule_post(post_id: uuid.UUID, identity: CurrentIdentity, body: ScheduleRequest = PUBLISH_NOW) -> PostPublic:
    return PostPublic.of(posts.schedule_post(identity.context, post_id, at=body.at, timezone=body.timezone))


@router.post(
    "/{post_id}/approve",
    response_model=PostPublic,
    responses=error_responses(409),
    summary="Approve a post waiting for approval: it is queued.",
    **needs(Permission.POSTS_APPROVE),
)
def approve_post(post_id: uuid.UUID, identity: CurrentIdentity) -> PostPublic:
    return PostPublic.of(posts.approve_post(identity.context, post_id))


@router.post(
    "/{post_id}/reject",
    response_model=PostPublic,
    responses=error_responses(409),
    summary="Send a post back to its author as a draft, saying why.",
    **needs(Permission.POSTS_APPROVE),
)
def reject_post(post_id: uuid.UUID, body: RejectRequest, identity: CurrentIdentity) -> PostPublic:
    return PostPublic.of(posts.reject_post(identity.context, post_id, body.reason))


@router.post(
    "/{post_id}/cancel",
    response_model=PostPublic,
    responses=error_responses(409),
    summary="Stop every target that was not published yet.",
    **needs(Permission.POSTS_WRITE),
)
def cancel_post(post_id: uuid.UUID, identity: CurrentIdentity) -> PostPublic:
    return PostPublic.of(posts.cancel_post(identity.context, post_id))


@router.post(
    "/{post_id}/targets/{target_id}/retry",
    response_model=PostPublic,
    responses=error_responses(409),
    summary="Publish a failed or cancelled target again now (an unconfirmed one once checked).",
    **needs(Permission.POSTS_PUBLISH),
)
def retry_target(
    post_id: uuid.UUID, target_id: uuid.UUID, identity: CurrentIdentity, body: RetryRequest = NOT_CONFIRMED
) -> PostPublic:
    detail = posts.retry_target(identity.context, post_id, target_id, confirm_not_published=body.confirm_not_published)
    return PostPublic.of(detail)


@router.patch(
    "/{post_id}/targets/{target_id}",
    response_model=PostPublic,
    responses=error_responses(409),
    summary="Fix a failed or cancelled target (its text, fields or files) before retrying it; the others stay as "
    "they are.",
    **needs(Permission.POSTS_WRITE),
)
def update_target(
    post_id: uuid.UUID, target_id: uuid.UUID, body: TargetUpdate, identity: CurrentIdentity
) -> PostPublic:
    return PostPublic.of(posts.update_target(identity.context, post_id, target_id, body.change()))
