"""SQLModel tables, one module per aggregate. Importing this package registers every table."""

from socialhub.models.ai_request import AIRequest
from socialhub.models.analytics import AnalyticsEvent
from socialhub.models.audit import AuditLog
from socialhub.models.auth import Invitation, RefreshToken
from socialhub.models.base import utcnow
from socialhub.models.enums import (
    AccountStatus,
    AIRequestStatus,
    AIRequestType,
    ApprovalPolicy,
    ApprovalState,
    ErrorClass,
    MediaKind,
    PlanTier,
    Platform,
    PostStatus,
    PostType,
    PublishStatus,
    Role,
)
from socialhub.models.media import Media
from socialhub.models.post import Post, PostPlatform
from socialhub.models.social_account import OAuthState, SocialAccount
from socialhub.models.tenant import Tenant
from socialhub.models.user import User

# Every table that carries tenant_id and is therefore under row-level security (tenants itself is keyed
# by its own id). The migration and the RLS tests both read this list, so a new table cannot be missed.
TENANT_TABLES: tuple[str, ...] = (
    "users",
    "social_accounts",
    "posts",
    "post_platforms",
    "ai_requests",
    "analytics_events",
    "media",
    "audit_log",
    "refresh_tokens",
    "invitations",
    "oauth_states",
)

__all__ = [
    "TENANT_TABLES",
    "AIRequest",
    "AIRequestStatus",
    "AIRequestType",
    "AccountStatus",
    "AnalyticsEvent",
    "ApprovalPolicy",
    "ApprovalState",
    "AuditLog",
    "ErrorClass",
    "Invitation",
    "Media",
    "MediaKind",
    "OAuthState",
    "PlanTier",
    "Platform",
    "Post",
    "PostPlatform",
    "PostStatus",
    "PostType",
    "PublishStatus",
    "RefreshToken",
    "Role",
    "SocialAccount",
    "Tenant",
    "User",
    "utcnow",
]
