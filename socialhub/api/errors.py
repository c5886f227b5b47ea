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

The OpenAPI document states these answers too: ``document_errors`` gives every operation the errors the gateway
and the shared dependencies can answer for it (401/403 behind the bearer guard, 404 for ids in the path, 400/413
for bodies, 422, 429, 500), and a route names its own domain errors with ``error_responses(409, …)``.
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
from pydantic import BaseModel, Field
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import Scope

from socialhub.log import loggable_path
from socialhub.services.errors import SocialHubError
from socialhub.services.text import storable_key

__all__ = [
    "REQUEST_ID_HEADER",
    "ErrorResponse",
    "document_errors",
    "error_body",
    "error_response",
    "error_responses",
    "install_error_handlers",
    "request_id_of",
]

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


# --- the error shape in the OpenAPI document ------------------------------------------------------------------


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable and machine-readable.", examples=["validation_error"])
    message: str = Field(
        description="One sentence for a person; names the field when one is wrong.",
        examples=["The field 'email' is required."],
    )
    details: dict[str, Any] = Field(
        description="More about the error, e.g. `fields` for validation errors.",
        examples=[{"fields": [{"field": "email", "location": "body", "problem": "Field required"}]}],
    )
    request_id: str = Field(description="The X-Request-ID of this request; quote it to support.")


class ErrorResponse(BaseModel):
    """Every error the API answers."""

    error: ErrorDetail


ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "The body is not valid JSON (`malformed_json`), or a step it refers to is not valid any more.",
    401: "Not signed in, or the access token (or the credentials) are not valid.",
    403: "Your role may not do this, or your account is deactivated.",
    404: "Nothing with this id in your team (another team's ids answer 404 too).",
    409: "The request conflicts with the current state; the message says what to do.",
    413: "The body is larger than this operation takes.",
    415: "The content is of a type this operation does not take.",
    422: "A parameter or field is missing or not valid; `details.fields` names each.",
    429: "Too many requests; `Retry-After` says how many seconds to wait.",
    500: "An unexpected failure on the server; quote the request id.",
    502: "The platform refused or failed; the message gives its words and what to do.",
    503: "A service SocialHub depends on (storage, the database) is unavailable; try again later.",
}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}
_REF = "#/components/schemas/"


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: the domain errors it answers beyond what ``document_errors`` adds."""
    documented: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        documented[status] = {"model": ErrorResponse, "description": ERROR_DESCRIPTIONS[status]}
        if status == 429:
            documented[status]["headers"] = _RETRY_AFTER
    return documented


def document_errors(app: FastAPI, *, rate_limit_exempt: Sequence[str] = ()) -> None:
    """Make ``app``'s OpenAPI document state, for every operation, the errors the gateway and the shared
    dependencies answer for it, in the real error shape (FastAPI's own 422 schema is not what the API sends):

    every operation 500, and 429 unless ``rate_limit_exempt``; with parameters or a body 422; with path
    parameters 404; with a body 413, and with a JSON body 400; behind the bearer guard 401 and 403.
    What a route's own service refuses (409, 415, 502, 503) the route states with ``error_responses``.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _with_errors(generate(), rate_limit_exempt)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the document


def _with_errors(document: dict[str, Any], rate_limit_exempt: Sequence[str]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorResponse.model_json_schema(ref_template=_REF + "{model}")
    for name, schema in {**error_schema.pop("$defs", {}), "ErrorResponse": error_schema}.items():
        schemas.setdefault(name, schema)
    for path, item in document.get("paths", {}).items():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for status in sorted(_gateway_statuses(path, operation, rate_limit_exempt)):
                if str(status) not in responses or status == 422:
                    responses[str(status)] = _documented(status)
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document


def _gateway_statuses(path: str, operation: dict[str, Any], rate_limit_exempt: Sequence[str]) -> set[int]:
    parameters = operation.get("parameters", [])
    body = operation.get("requestBody", {}).get("content", {})
    statuses = {500}
    if path not in rate_limit_exempt:
        statuses.add(429)
    if parameters or body:
        statuses.add(422)
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if body:
        statuses.add(413)
    if "application/json" in body:
        statuses.add(400)
    if operation.get("security"):
        statuses |= {401, 403}
    return statuses


def _documented(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": ERROR_DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": _REF + "ErrorResponse"}}},
    }
    if status == 429:
        response["headers"] = _RETRY_AFTER
    return response


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
        else:  # a key the client sent may hold what no response can encode (a lone surrogate)
            field += f".{storable_key(str(part))}" if field else storable_key(str(part))
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

# our own error types → how their ``msg`` finishes the sentence "The field 'x' …"
_OWN_TYPES = {"unstorable_text": "{msg}", "read_only": "cannot be changed here: {msg}"}

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
    if kind in _OWN_TYPES:
        return f"{name} {_OWN_TYPES[kind].format(msg=str(error.get('msg', '')).rstrip('.'))}."
    if kind in _MUST_BE:
        return f"{name} must be {_MUST_BE[kind]}."
    if kind in _BOUNDS:
        try:
            return f"{name} {_BOUNDS[kind].format(**(error.get('ctx') or {}))}."
        except (KeyError, IndexError):
            pass
    msg = str(error.get("msg", "is not valid")).removeprefix("Value error, ").rstrip(".")
    return f"{name} is not valid: {msg}."
