"""The OpenAPI document tells the truth: schemathesis generates requests from it for every operation (valid ones
and deliberately invalid ones), sends them to the real app in-process as a signed-in owner, and checks that every
answer is documented — its status code, its content type, its body's schema — and that every error is the JSON
error shape carrying the request's id. A bounded, deterministic run: a fixed seed and a few examples per operation.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from schemathesis import Case, CheckContext, Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from socialhub.api.app import create_api
from socialhub.models import Role
from socialhub.services import throttle
from socialhub.settings import get_settings
from tests.api.conftest import make_team

SEED = 20261125
EXAMPLES_PER_OPERATION = 5


def error_shape(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every response names its request id; every error is ``{"error": {code, message, details, request_id}}``."""
    request_id = response.headers.get("x-request-id", [""])[0]
    assert request_id, "no X-Request-ID header"
    if response.status_code < 400:
        return True
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"error"}, f"not the error shape: {response.text[:300]}"
    error = body["error"]
    assert set(error) == {"code", "message", "details", "request_id"}, f"not the error shape: {error}"
    assert error["code"] and error["message"], error
    assert error["request_id"] == request_id, (error["request_id"], request_id)
    assert "Traceback" not in response.text
    return True


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    ignored_auth,
    error_shape,
]


# The document is read from the app itself, the way a client reads it (create_api reads no database).
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True, "database": "none"},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "cache": {"enabled": False},
    }
)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_api(), config=CONFIG)


@pytest.fixture(scope="module")
def owner_headers(database: dict[str, str]) -> Iterator[dict[str, str]]:
    """A signed-in owner, so the generated requests get past the guard to every route's own checks."""
    # Sign-ins and sign-ups the fuzzer sends count against the test client's address: keep them out of the
    # throttle the rest of the suite shares (in-process memory without Redis).
    throttle._limiter.cache_clear()
    yield make_team("Fuzzed team")[Role.OWNER].headers
    throttle._limiter.cache_clear()
    get_settings.cache_clear()


@schema.parametrize()
def test_every_answer_is_documented(case: Case, owner_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=owner_headers, checks=CHECKS)
