"""Dependencies the routers share: the request id, the caller's identity, and permission checks."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from socialhub.security.permissions import Permission
from socialhub.services import auth
from socialhub.services.auth import Identity

_bearer = HTTPBearer(auto_error=False, description="An access token from /auth/login, /auth/register or /auth/refresh.")


def request_id(request: Request) -> str:
    return getattr(request.state, "request_id", None) or uuid.uuid4().hex


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def user_agent(request: Request) -> str | None:
    return request.headers.get("user-agent")


def get_identity(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Identity:
    if credentials is None:
        raise auth.NotAuthenticated("Sign in first: send an access token as 'Authorization: Bearer <token>'.")
    identity = auth.authenticate(credentials.credentials, request_id=request_id(request))
    # For the access log: who made this request (never the token itself).
    request.state.tenant_id = str(identity.context.tenant_id)
    request.state.user_id = str(identity.user.id)
    return identity


CurrentIdentity = Annotated[Identity, Depends(get_identity)]
RequestId = Annotated[str, Depends(request_id)]
ClientIp = Annotated[str | None, Depends(client_ip)]
UserAgent = Annotated[str | None, Depends(user_agent)]


def _requires(permission: Permission) -> Callable[[Identity], Identity]:
    def check(identity: CurrentIdentity) -> Identity:
        identity.require(permission)
        return identity

    return check


def needs(permission: Permission) -> dict[str, Any]:
    """Route options: enforce a permission, and state it in the OpenAPI document (x-required-permission).

    The permission-matrix test reads that extension, so the table in code, the docs and the tests agree.
    """
    return {
        "dependencies": [Depends(_requires(permission))],
        "openapi_extra": {"x-required-permission": permission.value},
    }
