"""The closed vocabularies of the data model.

Stored as VARCHAR with a CHECK constraint (not PostgreSQL ENUM types) so a later migration can add a
value without the ``ALTER TYPE`` dance; the Python side is the same either way.
"""

from enum import StrEnum


class PlanTier(StrEnum):
    FREE = "free"
    STARTER = "starter"
    PRO = "pro"
    ENTERPRISE = "enterprise"


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    EDITOR = "editor"
    CONTRIBUTOR = "contributor"  # drafts; needs an approval to publish
    VIEWER = "viewer"


class Platform(StrEnum):
    INSTAGRAM = "instagram"
    FACEBOOK = "facebook"
    X = "x"
    LINKEDIN = "linkedin"
    TIKTOK = "tiktok"
    YOUTUBE = "youtube"
    PINTEREST = "pinterest"
    THREADS = "threads"
    REDDIT = "reddit"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    REAUTH_REQUIRED = "reauth_required"  # the token is dead: a person has to reconnect
    DISCONNECTED = "disconnected"
    ERROR = "error"


class ApprovalPolicy(StrEnum):
    """Which posts need an approval before they are published (a team setting)."""

    NONE = "none"
    CONTRIBUTORS = "contributors"  # posts by contributors (the default)
    EVERYONE = "everyone"


class PostType(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    CAROUSEL = "carousel"
    VIDEO = "video"
    LINK = "link"
    STORY = "story"
    REEL = "reel"


class PostStatus(StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    PARTIALLY_PUBLISHED = "partially_published"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ApprovalState(StrEnum):
    NOT_REQUIRED = "not_required"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class PublishStatus(StrEnum):
    """One target of a post (a ``post_platforms`` row): see DESIGN.md "Publishing"."""

    PENDING = "pending"  # not due yet (draft, scheduled, awaiting approval)
    QUEUED = "queued"  # due; a worker may claim it
    PUBLISHING = "publishing"  # claimed under a lease
    PUBLISHED = "published"
    RETRY_WAIT = "retry_wait"  # failed transiently or rate-limited; due again at next_attempt_at
    FAILED = "failed"
    UNCONFIRMED = "unconfirmed"  # the attempt's outcome is unknown: never re-sent blindly
    CANCELLED = "cancelled"


class ErrorClass(StrEnum):
    AUTH = "auth"
    RATE = "rate"
    TRANSIENT = "transient"
    PERMANENT = "permanent"
    DUPLICATE = "duplicate"  # the platform says it already has this post: treated as success


class AIRequestType(StrEnum):
    CAPTION = "caption"
    HASHTAGS = "hashtags"
    IMAGE = "image"
    CONTENT = "content"
    IMPROVE = "improve"


class AIRequestStatus(StrEnum):
    RESERVED = "reserved"  # budget held, call not made yet
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class MediaKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    GIF = "gif"
    DOCUMENT = "document"
