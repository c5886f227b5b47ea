"""Dependencies the routers share: the request id, the caller's identity, permission checks, and the check that
every request's text can be stored."""

from __future__ import annotations

import email.message
import uuid
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from socialhub.security.permissions import Permission
from socialhub.services import auth, text
from socialhub.services.auth import Identity

_bearer = HTTPBearer(auto_error=False, description="An access token from /auth/login, /auth/register or /auth/refresh.")


def request_id(request: Request) -> str:
    return getattr(request.state, "request_id", None) or uuid.uuid4().hex


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def user_agent(request: Request) -> str | None:
    return request.headers.get("user-agent")


def served_at(request: Request) -> str:
    """The origin this request reached the app at (scheme, host, port), as the browser addressed it."""
    return f"{request.url.scheme}://{request.url.netloc}"


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
ServedAt = Annotated[str, Depends(served_at)]


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


async def refuse_unstorable_text(request: Request) -> None:
    """An app-wide dependency: every path parameter, query parameter and JSON body value holds text the database
    can store (``socialhub.services.text``), or the request is a 422 naming the field — for every route, before
    it runs, whatever type its own schema gives the field.
    """
    found = (
        _first(("path", name, value) for name, value in request.path_params.items())
        or _first(("query", name, value) for name, value in request.query_params.multi_items())
        or _first([("body", None, await _json_body(request))])
    )
    if found is not None:
        loc, sentence = found
        raise RequestValidationError([{"type": "unstorable_text", "loc": loc, "msg": sentence, "input": None}])


def _first(items: Iterable[tuple[str, str | None, Any]]) -> tuple[tuple[str | int, ...], str] | None:
    """The first unstorable text among (location, parameter name, value): its full ``loc`` and the problem."""
    for location, name, value in items:
        path = () if name is None else (text.storable_key(name),)
        found = text.find_unstorable(value, path)
        if found is not None:
            return (location, *found[0]), found[1]
    return None


async def _json_body(request: Request) -> Any:
    """The JSON body FastAPI parsed for this route (Starlette keeps it on the request), else None.

    A route without a body field never had its body read (the upload route streams it itself): it stays unread.
    """
    if getattr(request.scope.get("route"), "body_field", None) is None:
        return None
    content_type = request.headers.get("content-type")
    if content_type:
        message = email.message.Message()
        message["content-type"] = content_type
        subtype = message.get_content_subtype()
        if message.get_content_maintype() != "application" or not (subtype == "json" or subtype.endswith("+json")):
            return None
    try:
        return await request.json()
    except ValueError:
        return None  # FastAPI answers it as malformed JSON or a wrong body type
