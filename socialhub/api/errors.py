"""The API's one error shape, and the handlers that render every failure in it.

Every error the API answers is ``{"error": {"code", "message", "details", "request_id"}}``:

* ``SocialHubError`` (services)          → its own status, code, message and details
* ``RequestValidationError`` (FastAPI)   → 422 ``validation_error``, the first bad field named in words;
                                            a body that is not JSON → 400 ``malformed_json``
* ``HTTPException`` (Starlette routing)  → its status, a code from ``_HTTP_CODES``, its headers kept
* anything else                          → 500 ``internal_error``; the traceback goes to the log, never the body

Starlette runs the ``Exception`` handler in ``ServerErrorMiddleware``, outside every user middleware, so the
request id is read from ``scope["state"]`` (set by ``RequestContextMiddleware``) and ``X-Request-ID`` is added
to that response here.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import Scope

from socialhub.log import loggable_path
from socialhub.services.errors import SocialHubError

__all__ = ["REQUEST_ID_HEADER", "error_body", "error_response", "install_error_handlers", "request_id_of"]

logger = logging.getLogger("socialhub.api")

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,100}")

# status → (code, default message). A route's own ``detail`` replaces the default message.
_HTTP_CODES: dict[int, tuple[str, str]] = {
    401: ("not_authenticated", "You need to sign in to do this."),
    403: ("not_permitted", "You are not allowed to do this."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept {method} requests."),
    413: ("payload_too_large", "The request body is too large."),
}
_LOCATIONS = {"body", "query", "path", "header", "cookie"}
_NOUNS = {"query": "query parameter", "path": "path parameter", "header": "header", "cookie": "cookie"}


def request_id_of(scope: Scope) -> str:
    """The request's id: the one already in ``scope["state"]``, else a valid incoming ``X-Request-ID``, else new.

    The id is stored back in ``scope["state"]["request_id"]``, so whichever middleware asks first fixes it.
    """
    state = scope.setdefault("state", {})
    request_id = state.get("request_id")
    if not request_id:
        incoming = Headers(scope=scope).get(REQUEST_ID_HEADER)
        request_id = incoming if incoming and _REQUEST_ID_PATTERN.fullmatch(incoming) else uuid.uuid4().hex
        state["request_id"] = request_id
    return request_id


def error_body(code: str, message: str, *, request_id: str | None, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}, "request_id": request_id}}


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    request_id: str | None,
    details: dict | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        error_body(code, message, request_id=request_id, details=details), status_code=status, headers=headers
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SocialHubError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SocialHubError)
    return error_response(
        exc.status,
        exc.code,
        exc.message,
        request_id=request_id_of(request.scope),
        details=exc.details,
        headers=exc.headers or None,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    request_id = request_id_of(request.scope)
    errors = list(exc.errors())
    if any(error.get("type") == "json_invalid" for error in errors):
        return error_response(400, "malformed_json", "The request body is not valid JSON.", request_id=request_id)
    fields = [_field_problem(error) for error in errors]
    message = _sentence(errors[0]) if errors else "The request is not valid."
    return error_response(422, "validation_error", message, request_id=request_id, details={"fields": fields})


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code, default = _HTTP_CODES.get(exc.status_code, ("http_error", _phrase(exc.status_code)))
    detail = exc.detail if isinstance(exc.detail, str) else ""
    # Starlette's default detail is the bare status phrase ("Not Found"); ours says more.
    message = detail if detail and detail != _phrase(exc.status_code) else default.format(method=request.method)
    details = exc.detail if isinstance(exc.detail, dict) else None  # a route's structured detail is kept
    return error_response(
        exc.status_code, code, message, request_id=request_id_of(request.scope), details=details, headers=exc.headers
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    request_id = request_id_of(request.scope)
    logger.error(
        "Unhandled %s on %s %s (request_id=%s)",
        type(exc).__name__,
        request.method,
        loggable_path(request.scope),
        request_id,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    message = (
        f"Something went wrong on our side. If it keeps happening, contact support and quote request id {request_id}."
    )
    # Sent by ServerErrorMiddleware with the raw ``send``: no middleware adds the header on the way out.
    return error_response(
        500, "internal_error", message, request_id=request_id, headers={REQUEST_ID_HEADER: request_id}
    )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _split_loc(loc: Sequence[Any]) -> tuple[str, str]:
    """``("body", "items", 0, "name")`` → ``("body", "items[0].name")``."""
    location = str(loc[0]) if loc and loc[0] in _LOCATIONS else ""
    field = ""
    for part in loc[1:] if location else loc:
        if isinstance(part, int):
            field += f"[{part}]"
        else:
            field += f".{part}" if field else str(part)
    return location, field


def _field_problem(error: Mapping[str, Any]) -> dict[str, str]:
    location, field = _split_loc(error.get("loc", ()))
    # The pydantic message only: never ``input``, which may be a password or a token.
    return {"field": field, "location": location, "problem": str(error.get("msg", ""))}


# pydantic error type → what the field "must" be
_MUST_BE = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "decimal_type": "a number",
    "decimal_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a string",
    "bytes_type": "a string",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "uuid_type": "a UUID",
    "uuid_parsing": "a UUID",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "datetime_type": "a date and time (ISO 8601)",
    "datetime_parsing": "a date and time (ISO 8601)",
    "datetime_from_date_parsing": "a date and time (ISO 8601)",
    "url_type": "a URL",
    "url_parsing": "a URL",
}

# pydantic error type → sentence tail built from the error's ``ctx``
_BOUNDS = {
    "string_too_short": "must be at least {min_length} characters long",
    "string_too_long": "must be at most {max_length} characters long",
    "too_short": "must have at least {min_length} items",
    "too_long": "must have at most {max_length} items",
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "literal_error": "must be {expected}",
    "enum": "must be {expected}",
    "string_pattern_mismatch": "does not have the expected format",
}


def _sentence(error: Mapping[str, Any]) -> str:
    """One plain sentence about one pydantic error, naming the field."""
    kind = str(error.get("type", ""))
    location, field = _split_loc(error.get("loc", ()))
    if not field:
        subject = "The request body" if location == "body" else "The request"
        if kind == "missing":
            return f"{subject} is required."
        if kind in _MUST_BE:
            return f"{subject} must be {_MUST_BE[kind]}."
        return f"{subject} is not valid: {str(error.get('msg', '')).rstrip('.')}."
    name = f"The {_NOUNS.get(location, 'field')} '{field}'"
    if kind == "missing":
        return f"{name} is required."
    if kind == "extra_forbidden":
        return f"{name} is not allowed."
    if kind in _MUST_BE:
        return f"{name} must be {_MUST_BE[kind]}."
    if kind in _BOUNDS:
        try:
            return f"{name} {_BOUNDS[kind].format(**(error.get('ctx') or {}))}."
        except (KeyError, IndexError):
            pass
    msg = str(error.get("msg", "is not valid")).removeprefix("Value error, ").rstrip(".")
    return f"{name} is not valid: {msg}."
