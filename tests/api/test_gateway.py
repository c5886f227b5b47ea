"""The API gateway: error shape, request context + access log, body size limit, rate limit.

Each test builds a small FastAPI app with the gateway installed; the rate limit is also run as two uvicorn
processes sharing one Redis.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel
from starlette.datastructures import Headers
from starlette.types import Message, Receive, Scope, Send

from socialhub.api.errors import install_error_handlers
from socialhub.api.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from socialhub.api.ratelimit import RateLimitMiddleware
from socialhub.services.errors import Conflict

REPO_ROOT = Path(__file__).resolve().parents[2]
REDIS_TEST_URL = "redis://127.0.0.1:6379/14"
MAX_BYTES = 1024


class NewUser(BaseModel):
    email: str
    age: int


def build_api() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/ok")
    def ok() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/boom")
    def boom() -> None:
        raise ValueError("database password is hunter2")

    @app.post("/posts/{post_id}/publish")
    def publish(post_id: int) -> None:
        raise Conflict("This post is already published.", details={"post_id": post_id})

    @app.post("/users")
    def create_user(user: NewUser) -> NewUser:
        return user

    @app.get("/me")
    def me(request: Request) -> dict[str, str]:
        request.state.tenant_id = "tenant-1"  # what the auth dependency will do
        request.state.user_id = "user-7"
        return {"status": "ok"}

    return app


def gateway_app(*, max_bytes: int = MAX_BYTES) -> FastAPI:
    app = build_api()
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=max_bytes)
    return app


def user_header(scope: Scope) -> str | None:
    return Headers(scope=scope).get("x-test-user")


def rate_limited_app(*, per_minute: int = 3, storage_uri: str = "memory://") -> FastAPI:
    app = build_api()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(
        RateLimitMiddleware,
        storage_uri=storage_uri,
        per_minute=per_minute,
        identify=user_header,
        exempt_paths=("/health",),
    )
    return app


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(gateway_app(), raise_server_exceptions=False) as client:
        yield client


def error_of(response: httpx.Response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details", "request_id"}
    assert body["error"]["request_id"] == response.headers["x-request-id"]
    return body["error"]


class TestErrorShape:
    def test_domain_error_answers_its_status_code_message_and_details(self, client: TestClient) -> None:
        response = client.post("/posts/5/publish")
        assert response.status_code == 409
        assert error_of(response) == {
            "code": "conflict",
            "message": "This post is already published.",
            "details": {"post_id": 5},
            "request_id": response.headers["x-request-id"],
        }

    def test_malformed_json_answers_400(self, client: TestClient) -> None:
        response = client.post("/users", content=b'{"email": ', headers={"content-type": "application/json"})
        assert response.status_code == 400
        error = error_of(response)
        assert (error["code"], error["message"]) == ("malformed_json", "The request body is not valid JSON.")

    def test_missing_field_answers_422_naming_the_field(self, client: TestClient) -> None:
        response = client.post("/users", json={"age": 30})
        assert response.status_code == 422
        error = error_of(response)
        assert error["code"] == "validation_error"
        assert error["message"] == "The field 'email' is required."
        assert error["details"] == {"fields": [{"field": "email", "location": "body", "problem": "Field required"}]}

    def test_wrong_type_answers_422_naming_the_field_and_type(self, client: TestClient) -> None:
        response = client.post("/users", json={"email": "a@example.com", "age": "thirty"})
        assert response.status_code == 422
        error = error_of(response)
        assert error["message"] == "The field 'age' must be an integer."
        [field] = error["details"]["fields"]
        assert (field["field"], field["location"]) == ("age", "body")
        assert "thirty" not in response.text  # the rejected input is never echoed

    def test_bad_path_parameter_is_named_as_a_path_parameter(self, client: TestClient) -> None:
        response = client.post("/posts/first/publish")
        assert response.status_code == 422
        assert error_of(response)["message"] == "The path parameter 'post_id' must be an integer."

    def test_unknown_exception_answers_500_without_internals_and_logs_the_traceback(
        self, client: TestClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.ERROR, logger="socialhub.api"):
            response = client.get("/boom", headers={"X-Request-ID": "req-500"})
        assert response.status_code == 500
        error = error_of(response)
        assert error["code"] == "internal_error"
        assert error["request_id"] == "req-500"
        assert error["message"] == (
            "Something went wrong on our side. If it keeps happening, contact support and quote request id req-500."
        )
        for leak in ("Traceback", "ValueError", "hunter2", "boom", ".py"):
            assert leak not in response.text
        [record] = [r for r in caplog.records if r.name == "socialhub.api"]
        assert record.exc_info is not None and "req-500" in record.getMessage()

    def test_unknown_path_answers_404_in_the_shape(self, client: TestClient) -> None:
        response = client.get("/nowhere")
        assert response.status_code == 404
        error = error_of(response)
        assert (error["code"], error["message"]) == ("not_found", "There is nothing at this address.")

    def test_wrong_method_answers_405_and_keeps_the_allow_header(self, client: TestClient) -> None:
        response = client.delete("/users")
        assert response.status_code == 405
        assert error_of(response)["code"] == "method_not_allowed"
        assert response.headers["allow"] == "POST"


class TestRequestContext:
    def test_valid_incoming_request_id_is_echoed(self, client: TestClient) -> None:
        response = client.get("/ok", headers={"X-Request-ID": "edge-42.a_b"})
        assert response.headers["x-request-id"] == "edge-42.a_b"

    @pytest.mark.parametrize("bad", ["has space", "x" * 101, "semi;colon", ""])
    def test_invalid_incoming_request_id_is_replaced(self, client: TestClient, bad: str) -> None:
        response = client.get("/ok", headers={"X-Request-ID": bad})
        assert response.headers["x-request-id"] != bad
        assert len(response.headers["x-request-id"]) == 32

    def test_each_request_gets_its_own_id(self, client: TestClient) -> None:
        assert client.get("/ok").headers["x-request-id"] != client.get("/ok").headers["x-request-id"]

    def test_access_log_is_one_json_line_without_query_string_or_credentials(
        self, client: TestClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.INFO):
            response = client.get(
                "/me?code=oauth-code-secret&state=xyz",
                headers={"Authorization": "Bearer token-secret", "X-Request-ID": "req-log"},
            )
        assert response.status_code == 200
        [record] = [r for r in caplog.records if r.name == "socialhub.access"]
        assert record.levelno == logging.INFO
        line = json.loads(record.getMessage())
        assert set(line) == {
            "request_id", "method", "path", "route", "status", "latency_ms", "client_ip", "tenant_id", "user_id",
        }  # fmt: skip
        assert line["request_id"] == "req-log"
        assert (line["method"], line["path"], line["route"], line["status"]) == ("GET", "/me", "/me", 200)
        assert (line["tenant_id"], line["user_id"]) == ("tenant-1", "user-7")
        assert isinstance(line["latency_ms"], float)
        assert line["client_ip"] == "testclient"
        server_logs = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("socialhub"))
        for secret in ("oauth-code-secret", "token-secret", "Bearer"):  # (httpx, the test's client, logs the URL)
            assert secret not in server_logs

    def test_access_log_names_the_route_template_and_anonymous_user_as_null(
        self, client: TestClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.INFO, logger="socialhub.access"):
            client.post("/posts/5/publish")
        [record] = [r for r in caplog.records if r.name == "socialhub.access"]
        line = json.loads(record.getMessage())
        assert (line["path"], line["route"], line["status"]) == ("/posts/5/publish", "/posts/{post_id}/publish", 409)
        assert (line["tenant_id"], line["user_id"]) == (None, None)

    def test_access_log_records_500_when_the_app_raises(
        self, client: TestClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.INFO, logger="socialhub.access"):
            client.get("/boom")
        [record] = [r for r in caplog.records if r.name == "socialhub.access"]
        assert json.loads(record.getMessage())["status"] == 500

    def test_unknown_path_is_logged_with_null_route(self, client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
        with caplog.at_level(logging.INFO, logger="socialhub.access"):
            client.get("/nowhere")
        [record] = [r for r in caplog.records if r.name == "socialhub.access"]
        assert json.loads(record.getMessage())["route"] is None


class TestBodySizeLimit:
    def test_declared_length_over_the_limit_answers_413_before_the_app_runs(self, client: TestClient) -> None:
        response = client.post("/users", content=b"x" * (MAX_BYTES + 1), headers={"content-type": "application/json"})
        assert response.status_code == 413
        error = error_of(response)
        assert error["code"] == "payload_too_large"
        assert error["message"] == "The request body is too large: the limit is 1 KB."

    def test_body_at_the_limit_is_accepted(self, client: TestClient) -> None:
        body = json.dumps({"email": "a@example.com", "age": 3}).encode().ljust(MAX_BYTES)
        response = client.post("/users", content=body, headers={"content-type": "application/json"})
        assert response.status_code == 200

    def test_streamed_body_over_the_limit_answers_413_without_reading_the_rest(self) -> None:
        pulled = 0

        async def chunks() -> AsyncIterator[bytes]:
            nonlocal pulled
            for _ in range(100):
                pulled += 1
                yield b" " * 300

        async def post() -> httpx.Response:
            transport = httpx.ASGITransport(app=gateway_app())
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
                return await client.post("/users", content=chunks(), headers={"content-type": "application/json"})

        response = asyncio.run(post())
        assert "content-length" not in response.request.headers  # chunked: only counting can catch it
        assert response.status_code == 413
        assert error_of(response)["code"] == "payload_too_large"
        assert pulled == 4  # 4 × 300 bytes crosses 1 KB; the other 96 chunks were never read

    def test_streamed_body_over_the_limit_answers_413_even_outside_fastapi(self) -> None:
        async def read_all(scope: Scope, receive: Receive, send: Send) -> None:
            while (await receive()).get("more_body"):
                pass
            raise AssertionError("the whole body was read")

        messages = iter([{"type": "http.request", "body": b"a" * 600, "more_body": True}] * 10)
        sent: list[Message] = []

        async def receive() -> Message:
            return next(messages)

        async def send(message: Message) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/", "headers": [], "query_string": b""}
        asyncio.run(BodySizeLimitMiddleware(read_all, max_bytes=1000)(scope, receive, send))
        assert sent[0]["status"] == 413
        assert json.loads(sent[1]["body"])["error"]["code"] == "payload_too_large"
        assert len(list(messages)) == 8  # two chunks read, eight left on the wire

    @pytest.mark.parametrize(("limit", "words"), [(10, "10 bytes"), (10 * 1024, "10 KB"), (5 * 1024 * 1024, "5 MB")])
    def test_limit_is_stated_in_words(self, limit: int, words: str) -> None:
        assert BodySizeLimitMiddleware(gateway_app(), max_bytes=limit).message.endswith(f"the limit is {words}.")


@pytest.mark.parametrize(
    "middleware",
    [
        lambda app: RequestContextMiddleware(app),
        lambda app: BodySizeLimitMiddleware(app, max_bytes=1),
        lambda app: RateLimitMiddleware(app, storage_uri="memory://", per_minute=1, identify=user_header),
    ],
    ids=["request_context", "body_size", "rate_limit"],
)
@pytest.mark.parametrize("scope_type", ["websocket", "lifespan"])
def test_non_http_scopes_pass_through_untouched(middleware, scope_type: str) -> None:
    seen: list[tuple] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append((scope, receive, send))

    async def receive() -> Message:
        return {}

    async def send(message: Message) -> None:
        pass

    scope = {"type": scope_type, "path": "/", "headers": []}
    asyncio.run(middleware(inner)(scope, receive, send))
    assert seen == [(scope, receive, send)]
    assert scope == {"type": scope_type, "path": "/", "headers": []}


class TestRateLimit:
    def test_requests_over_the_limit_answer_429_with_retry_after(self) -> None:
        with TestClient(rate_limited_app(per_minute=3)) as client:
            allowed = [client.get("/ok", headers={"X-Test-User": "u1"}) for _ in range(3)]
            refused = client.get("/ok", headers={"X-Test-User": "u1"})

        assert [r.status_code for r in allowed] == [200, 200, 200]
        assert [r.headers["x-ratelimit-remaining"] for r in allowed] == ["2", "1", "0"]
        for response in allowed:
            assert response.headers["x-ratelimit-limit"] == "3"
            assert 0 < int(response.headers["x-ratelimit-reset"]) <= 60
        assert refused.status_code == 429
        assert refused.headers["x-ratelimit-limit"] == "3"
        assert refused.headers["x-ratelimit-remaining"] == "0"
        retry_after = int(refused.headers["retry-after"])
        assert 1 <= retry_after <= 60
        assert int(refused.headers["x-ratelimit-reset"]) == retry_after
        error = error_of(refused)
        assert error["code"] == "rate_limited"
        assert error["message"] == f"Too many requests: the limit is 3 a minute. Try again in {retry_after} seconds."

    def test_each_user_has_their_own_bucket(self) -> None:
        with TestClient(rate_limited_app(per_minute=2)) as client:
            for _ in range(2):
                client.get("/ok", headers={"X-Test-User": "alice"})
            assert client.get("/ok", headers={"X-Test-User": "alice"}).status_code == 429
            assert client.get("/ok", headers={"X-Test-User": "bob"}).status_code == 200
            assert client.get("/ok").status_code == 200  # anonymous: the IP's own bucket

    def test_anonymous_requests_share_the_ip_bucket_whatever_x_forwarded_for_says(self) -> None:
        with TestClient(rate_limited_app(per_minute=2)) as client:
            statuses = [client.get("/ok", headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code for i in range(3)]
        assert statuses == [200, 200, 429]

    def test_exempt_paths_are_unlimited_and_carry_no_headers(self) -> None:
        with TestClient(rate_limited_app(per_minute=1)) as client:
            responses = [client.get("/health", headers={"X-Test-User": "u1"}) for _ in range(5)]
            assert client.get("/ok", headers={"X-Test-User": "u1"}).status_code == 200
        assert [r.status_code for r in responses] == [200] * 5
        assert not any(name.startswith("x-ratelimit") for r in responses for name in r.headers)

    def test_refused_request_keeps_the_request_id(self) -> None:
        with TestClient(rate_limited_app(per_minute=1)) as client:
            client.get("/ok")
            response = client.get("/ok", headers={"X-Request-ID": "req-429"})
        assert response.status_code == 429
        assert error_of(response)["request_id"] == "req-429"

    def test_unreachable_storage_lets_requests_through_and_warns_once(self, caplog: pytest.LogCaptureFixture) -> None:
        app = rate_limited_app(per_minute=1, storage_uri="redis://127.0.0.1:1/0")
        with caplog.at_level(logging.WARNING, logger="socialhub.api"), TestClient(app) as client:
            responses = [client.get("/ok", headers={"X-Test-User": "u1"}) for _ in range(4)]
        assert [r.status_code for r in responses] == [200] * 4
        assert not any("x-ratelimit-limit" in r.headers for r in responses)
        warnings = [r for r in caplog.records if r.name == "socialhub.api.ratelimit"]
        assert len(warnings) == 1
        assert warnings[0].levelno == logging.WARNING


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_db14() -> str:
    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis answering PING at {REDIS_TEST_URL} ({type(exc).__name__})")
    return REDIS_TEST_URL


@pytest.fixture
def two_api_processes(redis_db14: str) -> Iterator[list[str]]:
    """Two uvicorn processes serving tests.api.ratelimit_app with the same Redis; yields their base URLs."""
    env = {
        **os.environ,
        "RATE_LIMIT_STORAGE": redis_db14,
        "RATE_LIMIT_PER_MINUTE": "5",
        "PYTHONPATH": str(REPO_ROOT),
    }
    processes: list[subprocess.Popen] = []
    urls: list[str] = []
    try:
        for _ in range(2):
            port = free_port()
            command = [sys.executable, "-m", "uvicorn", "tests.api.ratelimit_app:app", "--port", str(port)]
            command += ["--host", "127.0.0.1", "--log-level", "warning", "--lifespan", "off"]
            processes.append(
                subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            )
            urls.append(f"http://127.0.0.1:{port}")
        for process, url in zip(processes, urls, strict=True):
            wait_until_serving(process, url)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout:
                process.stdout.close()


def wait_until_serving(process: subprocess.Popen, url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            pytest.fail(f"uvicorn exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(f"{url}/ping", timeout=0.5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"uvicorn at {url} did not answer within {timeout} s")


def test_two_processes_sharing_redis_allow_exactly_the_limit_in_total(two_api_processes: list[str]) -> None:
    user = f"user-{uuid.uuid4().hex}"  # a fresh bucket: no FLUSHDB, nothing shared with other runs
    responses = []
    with httpx.Client(headers={"X-Test-User": user}, timeout=5) as client:
        for i in range(12):
            responses.append(client.get(f"{two_api_processes[i % 2]}/hit"))

    assert [r.status_code for r in responses] == [200] * 5 + [429] * 7
    assert len({r.json()["pid"] for r in responses[:5]}) == 2  # both processes counted into the same bucket
    assert [r.headers["x-ratelimit-remaining"] for r in responses[:5]] == ["4", "3", "2", "1", "0"]
    assert all(r.json()["error"]["code"] == "rate_limited" and "retry-after" in r.headers for r in responses[5:])
