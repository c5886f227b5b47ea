"""The platform layer's shared parts: error taxonomy, transport errors, OAuth errors, endpoints, tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from socialhub.models import ErrorClass
from socialhub.platforms.base import (
    AccountIdentity,
    Capabilities,
    Draft,
    Endpoints,
    OAuthSpec,
    PlatformClient,
    PlatformConfig,
    PublishResult,
    TokenSet,
    rebase_url,
    reset_time,
)
from socialhub.platforms.errors import (
    AuthError,
    ErrorKind,
    PermanentError,
    PlatformError,
    RateLimited,
    TransientError,
    translate_transport_errors,
)


class Minimal(PlatformClient):
    identifier, title = "x", "X"
    capabilities = Capabilities(text_limit=280, media_kinds=frozenset())
    oauth = OAuthSpec(scopes=("a", "b"), pkce=True, token_auth="client_secret_basic")
    default_endpoints = Endpoints(
        "https://x.com/i/oauth2/authorize",
        "https://api.x.com/2/oauth2/token",
        "https://api.x.com",
        "https://api.x.com/2/oauth2/revoke",
    )

    def identity(self, access_token: str) -> list[AccountIdentity]:
        return []

    def validate(self, draft: Draft) -> list[str]:
        return []

    def publish(self, access_token, account, draft, *, on_handle=None) -> PublishResult:  # type: ignore[no-untyped-def]
        raise NotImplementedError

    def lookup_existing(self, access_token, account, draft, *, since) -> PublishResult | None:  # type: ignore[no-untyped-def]
        return None

    def fetch_metrics(self, access_token, account, post_ids) -> dict[str, dict[str, int]]:  # type: ignore[no-untyped-def]
        return {}

    def classify(self, response: httpx.Response) -> PlatformError | None:
        return None if response.status_code < 400 else self.generic_error(response)


def client_answering(handler) -> Minimal:  # type: ignore[no-untyped-def]
    config = PlatformConfig("cid", "secret", Minimal.default_endpoints.rebased("http://sandbox.test/x"))
    return Minimal(config, transport=httpx.MockTransport(handler))


def test_error_kinds_are_the_stored_error_classes() -> None:
    assert {k.value for k in ErrorKind} == {c.value for c in ErrorClass}


@pytest.mark.parametrize(
    ("raised", "maybe_applied"),
    [
        (httpx.ConnectError("refused"), False),
        (httpx.ConnectTimeout("slow connect"), False),
        (httpx.PoolTimeout("pool"), False),
        (httpx.ReadTimeout("no answer"), True),
        (httpx.WriteTimeout("stalled upload"), True),
        (httpx.ReadError("reset"), True),
        (httpx.RemoteProtocolError("closed early"), True),
    ],
)
def test_every_transport_failure_is_transient_and_says_whether_it_may_have_applied(
    raised: Exception, maybe_applied: bool
) -> None:
    with pytest.raises(TransientError) as caught, translate_transport_errors("x"):
        raise raised
    assert caught.value.maybe_applied is maybe_applied
    assert caught.value.__cause__ is raised


def test_endpoints_move_onto_a_base_keeping_their_paths() -> None:
    moved = Minimal.default_endpoints.rebased("http://127.0.0.1:9000/sandbox/x")
    assert moved.authorize_url == "http://127.0.0.1:9000/sandbox/x/i/oauth2/authorize"
    assert moved.token_url == "http://127.0.0.1:9000/sandbox/x/2/oauth2/token"
    assert (
        rebase_url("https://graph.facebook.com/v23.0/me?fields=id", "http://h/fb") == "http://h/fb/v23.0/me?fields=id"
    )


def test_a_refresh_without_a_new_refresh_token_keeps_the_stored_one() -> None:
    stored = TokenSet("old-access", "kept-refresh", scopes=("a",))
    assert stored.merged_with(TokenSet("new-access")).refresh_token == "kept-refresh"
    assert stored.merged_with(TokenSet("new-access", "rotated")).refresh_token == "rotated"


def test_reset_headers_as_epoch_or_as_seconds_from_now() -> None:
    assert reset_time("1900000000") == datetime.fromtimestamp(1900000000, UTC)
    assert abs((reset_time("60") - datetime.now(UTC)) - timedelta(seconds=60)) < timedelta(seconds=2)


def test_authorization_url_carries_pkce_s256_and_the_state() -> None:
    request = client_answering(lambda r: httpx.Response(200)).authorization_url(state="s1", redirect_uri="http://cb")
    assert "code_challenge_method=S256" in request.url and "state=s1" in request.url and request.code_verifier


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (httpx.Response(400, json={"error": "invalid_grant", "error_description": "Token was invalid."}), AuthError),
        (httpx.Response(400, json={"error": "invalid_request", "error_description": "Missing thing"}), PermanentError),
        (httpx.Response(503, text="<html>maintenance</html>"), TransientError),
        (httpx.Response(429, text="slow down"), RateLimited),
    ],
)
def test_token_endpoint_failures_are_classified(response: httpx.Response, expected: type[PlatformError]) -> None:
    client = client_answering(lambda r: response)
    with pytest.raises(expected) as caught:
        client.exchange_code(code="c", redirect_uri="http://cb", code_verifier="v" * 43)
    assert caught.value.user_message  # a sentence for people, never empty


def test_refresh_without_a_refresh_token_asks_for_reconnecting() -> None:
    with pytest.raises(AuthError, match="reconnected"):
        client_answering(lambda r: httpx.Response(200)).refresh("")


def test_user_message_quotes_the_platform_once() -> None:
    error = PermanentError("x", "X refused the post.", platform_message="Text too long.")
    assert (
        error.user_message
        == "X refused the post. X said: “Text too long.” Check the post against the platform's rules and try again."
    )
