"""Who may do what: one table in code, used by the API, the UI and the services alike."""

from __future__ import annotations

from enum import StrEnum

from socialhub.models.enums import Role


class Permission(StrEnum):
    POSTS_READ = "posts:read"
    POSTS_WRITE = "posts:write"  # create and edit drafts
    POSTS_PUBLISH = "posts:publish"  # schedule or publish without an approval
    POSTS_APPROVE = "posts:approve"
    ACCOUNTS_READ = "accounts:read"
    ACCOUNTS_MANAGE = "accounts:manage"  # connect, reconnect, disconnect
    MEDIA_READ = "media:read"
    MEDIA_WRITE = "media:write"
    AI_USE = "ai:use"
    ANALYTICS_READ = "analytics:read"
    TEAM_READ = "team:read"
    TEAM_MANAGE = "team:manage"  # invite, change roles, deactivate, remove
    TENANT_READ = "tenant:read"
    TENANT_MANAGE = "tenant:manage"  # name, time zone, plan, approval policy
    BUDGET_MANAGE = "budget:manage"
    AUDIT_READ = "audit:read"


_READ = {
    Permission.POSTS_READ,
    Permission.ACCOUNTS_READ,
    Permission.MEDIA_READ,
    Permission.ANALYTICS_READ,
    Permission.TEAM_READ,
    Permission.TENANT_READ,
}
_CONTRIBUTE = _READ | {Permission.POSTS_WRITE, Permission.MEDIA_WRITE, Permission.AI_USE}
_EDIT = _CONTRIBUTE | {Permission.POSTS_PUBLISH, Permission.POSTS_APPROVE}
_ADMIN = _EDIT | {
    Permission.ACCOUNTS_MANAGE,
    Permission.TEAM_MANAGE,
    Permission.TENANT_MANAGE,
    Permission.BUDGET_MANAGE,
    Permission.AUDIT_READ,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.ADMIN: frozenset(_ADMIN),
    Role.EDITOR: frozenset(_EDIT),
    Role.CONTRIBUTOR: frozenset(_CONTRIBUTE),  # drafts go to approval instead of the queue
    Role.VIEWER: frozenset(_READ),
}

ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.OWNER: "Everything, including managing other owners.",
    Role.ADMIN: "Everything except changing owners: team, settings, AI budget, accounts, publishing.",
    Role.EDITOR: "Write, schedule, publish and approve posts.",
    Role.CONTRIBUTOR: "Write drafts; they need an approval before they are published.",
    Role.VIEWER: "Read only.",
}


def has_permission(role: Role | None, permission: Permission) -> bool:
    return role is not None and permission in ROLE_PERMISSIONS[role]


def can_manage_member(actor: Role, target_current: Role, target_new: Role | None = None) -> bool:
    """Owners are managed only by owners, and only an owner can make someone an owner."""
    if not has_permission(actor, Permission.TEAM_MANAGE):
        return False
    if Role.OWNER in (target_current, target_new):
        return actor is Role.OWNER
    return True
