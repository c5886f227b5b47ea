"""The permission check every service call makes (the API and UI check too; this is the wall that counts)."""

from __future__ import annotations

from socialhub.context import Context
from socialhub.security.permissions import Permission, has_permission
from socialhub.services.errors import NotPermitted


def require(ctx: Context, permission: Permission) -> None:
    if not has_permission(ctx.role, permission):
        role = ctx.role.value if ctx.role else "none"
        raise NotPermitted(f"Your role ({role}) does not allow this ({permission.value}).")
