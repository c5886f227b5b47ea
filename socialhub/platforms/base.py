"""The one interface every platform implements, and the shared machinery behind it.

A platform module (``platforms/<name>.py``) subclasses ``PlatformClient``, states its static facts
(``identifier``, ``title``, ``capabilities``, ``oauth``, ``default_endpoints``) and implements what differs:
identity, validation, publishing, duplicate lookup, metrics, and ``classify`` (its error signals).
OAuth (authorize URL, PKCE, code exchange, refresh, revoke) runs through authlib's httpx client here.

Adapters take and return plain values: a decrypted token in, a result or a ``PlatformError`` out. No
models, no database: ``services/`` translates rows to and from these types.
"""

from __future__ import annotations

import time
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge

with warnings.catch_warnings():
    # Authlib 1.9 announces a move to "httpx2"; httpx 0.28 is the client pinned here (DESIGN.md), and the
    # httpx integration we use is unchanged.
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.httpx_client import OAuth2Client

from socialhub.platforms.errors import (
    AuthError,
    PermanentError,
    PlatformError,
    RateLimited,
    TransientError,
    translate_transport_errors,
)

# --- value types -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Capabilities:
    """What a platform accepts, for validation and for the composer UI."""

    text_limit: int
    media_kinds: frozenset[str]  # of "image", "video", "gif", "document"
    max_images: int = 0
    max_videos: int = 0
    text_only_allowed: bool = True
    required_fields: tuple[str, ...] = ()  # e.g. ("board_id",), ("subreddit", "title")
    counting_rule: str = "characters"  # how text_limit is counted, in words for the UI
    max_image_bytes: int | None = None
    max_video_bytes: int | None = None
    multi_account: bool = False  # one login gives several accounts to pick from (Pages, organisations)
    refreshable: bool = True  # the platform issues refresh tokens


@dataclass(frozen=True)
class OptionField:
    """A platform's own field in the composer (a Reddit title, a Pinterest board…), stored in a target's options.

    ``kind``: "text", "select" (from ``choices``), "account_choice" (choices come from the account, through
    ``PlatformClient.option_choices``), or "flag" (a yes/no switch).
    """

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    max_length: int | None = None
    hint: str = ""


@dataclass(frozen=True)
class OAuthSpec:
    scopes: tuple[str, ...]
    scope_separator: str = " "
    pkce: bool = False
    # How the client authenticates at the token endpoint: "client_secret_basic", "client_secret_post",
    # or "none" (public client: client_id in the form).
    token_auth: str = "client_secret_post"
    extra_authorize_params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Endpoints:
    authorize_url: str
    token_url: str
    api_base: str
    revoke_url: str | None = None
    web_base: str = ""  # where the platform's own pages are (permalinks): "https://x.com"

    def rebased(self, base: str) -> Endpoints:
        """Every URL moved onto ``base`` (scheme, host, path prefix), keeping its own path and query.

        The Sandbox serves each platform's real paths under one prefix, its web pages included, so one function
        points a client (and the permalinks it builds) at it; the same works for a proxy in front of the real API.
        """
        return Endpoints(
            authorize_url=rebase_url(self.authorize_url, base),
            token_url=rebase_url(self.token_url, base),
            api_base=rebase_url(self.api_base, base),
            revoke_url=rebase_url(self.revoke_url, base) if self.revoke_url else None,
            web_base=rebase_url(self.web_base, base) if self.web_base else "",
        )

    def web_url(self, path: str) -> str:
        """An address on the platform's website (a permalink), wherever that website is served."""
        return f"{self.web_base.rstrip('/')}/{path.lstrip('/')}"


def rebase_url(url: str, base: str) -> str:
    target = urlsplit(base)
    original = urlsplit(url)
    path = target.path.rstrip("/") + original.path
    return urlunsplit((target.scheme, target.netloc, path, original.query, original.fragment))


@dataclass(frozen=True)
class PlatformConfig:
    client_id: str
    client_secret: str
    endpoints: Endpoints
    api_version: str | None = None
    timeout_seconds: float = 30.0
    user_agent: str = "SocialHub/0.1"


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    code_verifier: str | None  # keep it server-side until the callback


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None
    scopes: tuple[str, ...] = ()

    def merged_with(self, newer: TokenSet) -> TokenSet:
        """A refresh result, keeping the stored refresh token when the platform sent none back.

        Rotating platforms (X, Pinterest) always send a new one; others (Reddit, LinkedIn) keep the old
        one valid. Never replace a stored refresh token with nothing.
        """
        return replace(
            newer, refresh_token=newer.refresh_token or self.refresh_token, scopes=newer.scopes or self.scopes
        )


@dataclass(frozen=True)
class AccountIdentity:
    id: str
    display_name: str
    username: str | None = None
    avatar_url: str | None = None
    # Multi-account platforms: the account a post goes to may need its own token (Facebook Page tokens).
    access_token: str | None = None
    kind: str = "user"  # "user", "page", "organization"
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MediaItem:
    kind: str  # "image", "video", "gif", "document"
    content_type: str
    data: bytes | None = None  # for upload-based APIs
    url: str | None = None  # for pull-based APIs (the platform fetches it)
    size_bytes: int = 0
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    alt_text: str = ""
    filename: str = "media"
    # SocialHub holds the file and reads its bytes just before publishing: validation can count a stored file
    # as uploadable without reading whole videos into memory first.
    stored: bool = False

    @property
    def uploadable(self) -> bool:
        """The bytes can be sent: they are in ``data``, or stored and read in before publishing."""
        return self.data is not None or self.stored


@dataclass(frozen=True)
class Draft:
    """One post for one platform, after custom content was applied."""

    text: str
    media: tuple[MediaItem, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)  # board_id, subreddit, title, privacy, link…


@dataclass(frozen=True)
class PublishResult:
    post_id: str
    permalink: str | None = None


@dataclass
class RateLimitState:
    """The platform's own rate-limit signals, as last seen on a response."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None

    @property
    def exhausted(self) -> bool:
        return self.remaining == 0 and self.reset_at is not None and self.reset_at > datetime.now(UTC)


HandleCallback = Callable[[str], None]  # stores a server-side handle before the irreversible call


@dataclass(frozen=True)
class LookupAuthority:
    """What it means when ``lookup_existing`` finds nothing for an attempt whose answer was lost (PLATFORMS.md §10).

    No platform here takes an idempotency key, so after a crash the only evidence is the platform's own listing
    of the account's posts. It is *authoritative* when that listing holds every post of the account over the
    lookup's whole window (the client pages to its end, and raises rather than answer "not found" from part of
    it) and what SocialHub posts is recognisable in it. Then, once no request of the attempt can still land
    (its request timeout plus ``settle_seconds`` after it was armed), "not there" proves the attempt never took
    effect, and publishing it is still exactly once. Otherwise "not found" proves nothing, and the target stays
    ``unconfirmed`` for a person to check.

    ``settle_seconds``: after the request has reached the platform, how long the platform may still take to
    create the post and show it in the listing (its own processing, then the listing's lag). Platforms document
    no such bound, so each value is a generous margin over what is observed, and says so.
    ``window``: what the listing covers, in words. ``reason``: why the platform is (or is not) authoritative.
    """

    authoritative: bool
    settle_seconds: float = 0.0
    window: str = ""
    reason: str = ""


# --- the interface -----------------------------------------------------------------------------------------


class PlatformClient(ABC):
    identifier: ClassVar[str]
    title: ClassVar[str]
    capabilities: ClassVar[Capabilities]
    oauth: ClassVar[OAuthSpec]
    default_endpoints: ClassVar[Endpoints]
    default_api_version: ClassVar[str | None] = None
    option_fields: ClassVar[tuple[OptionField, ...]] = ()
    # Whether "not found by lookup_existing" proves an attempt never landed; each platform states its own.
    lookup_authority: ClassVar[LookupAuthority] = LookupAuthority(False, reason="Not stated for this platform.")
    # Pauses between status polls; tests replace it on the instance so nothing waits for real.
    sleep: Callable[[float], None] = staticmethod(time.sleep)

    def __init__(self, config: PlatformConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self.endpoints = config.endpoints
        self.api_version = config.api_version or self.default_api_version
        self.rate_limit = RateLimitState()
        self._transport = transport
        self._http = httpx.Client(
            base_url=self.endpoints.api_base,
            timeout=config.timeout_seconds,
            headers={"User-Agent": config.user_agent},
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    # -- OAuth ----------------------------------------------------------------------------------------

    def _oauth_client(self, **kwargs: Any) -> OAuth2Client:
        client = self._new_oauth_client(**kwargs)
        for hook in ("access_token_response", "refresh_token_response"):
            client.register_compliance_hook(hook, self._token_endpoint_status)
        return client

    def _token_endpoint_status(self, response: httpx.Response) -> httpx.Response:
        """Throttling and outages at the token endpoint are classified by status (RATE, TRANSIENT) before
        authlib reads the body as an OAuth error (Reddit, for one, answers 429 with a numeric "error")."""
        if response.status_code == 429 or response.status_code >= 500:
            raise self.classify(response) or self.generic_error(response)
        return response

    def _new_oauth_client(self, **kwargs: Any) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
            token_endpoint_auth_method=self.oauth.token_auth,
            scope=self.oauth.scope_separator.join(self.oauth.scopes),
            timeout=self.config.timeout_seconds,
            transport=self._transport,
            headers={"User-Agent": self.config.user_agent},
            **kwargs,
        )

    def authorization_url(self, *, state: str, redirect_uri: str) -> AuthorizationRequest:
        verifier = generate_token(64) if self.oauth.pkce else None
        params: dict[str, Any] = dict(self.oauth.extra_authorize_params)
        if verifier:
            params |= {"code_challenge": create_s256_code_challenge(verifier), "code_challenge_method": "S256"}
        with self._oauth_client(redirect_uri=redirect_uri) as client:
            url, _ = client.create_authorization_url(self.endpoints.authorize_url, state=state, **params)
        return AuthorizationRequest(url, verifier)

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str | None) -> TokenSet:
        extra = {"code_verifier": code_verifier} if code_verifier else {}
        with self._oauth_call(), self._oauth_client(redirect_uri=redirect_uri) as client:
            token = client.fetch_token(
                self.endpoints.token_url, grant_type="authorization_code", code=code, redirect_uri=redirect_uri, **extra
            )
        return self.parse_token(dict(token))

    def refresh(self, refresh_token: str) -> TokenSet:
        if not refresh_token:
            raise AuthError(self.identifier, f"{self.title} gave no refresh token; the account must be reconnected.")
        with self._oauth_call(), self._oauth_client() as client:
            token = client.refresh_token(self.endpoints.token_url, refresh_token=refresh_token)
        return self.parse_token(dict(token))

    def revoke(self, token: str) -> bool:
        """Revoke at the platform; False when the platform has no revocation endpoint."""
        if not self.endpoints.revoke_url:
            return False
        with self._oauth_call(), self._oauth_client() as client:
            response = client.revoke_token(self.endpoints.revoke_url, token=token)
        if response.status_code >= 400:
            raise self.classify(response) or PermanentError(self.identifier, "The platform refused to revoke.")
        return True

    def parse_token(self, token: Mapping[str, Any]) -> TokenSet:
        if not token.get("access_token"):
            # authlib stores any JSON answer without an "error" field as a token (Pinterest's {code, message},
            # for one); one without an access token is a refusal in the platform's own shape.
            raise AuthError(
                self.identifier,
                f"{self.title} did not accept the sign-in; connect the account again.",
                code=str(token.get("code") or token.get("error") or "no_access_token"),
                platform_message=str(token.get("message") or token.get("error_description") or "no access token"),
            )
        now = datetime.now(UTC)
        expires_at = None
        if token.get("expires_at"):
            expires_at = datetime.fromtimestamp(float(token["expires_at"]), UTC)
        elif token.get("expires_in"):
            expires_at = now + timedelta(seconds=int(token["expires_in"]))
        refresh_expires = None
        if token.get("refresh_token_expires_in"):
            refresh_expires = now + timedelta(seconds=int(token["refresh_token_expires_in"]))
        scope = token.get("scope") or ""
        scopes = tuple(s for s in scope.replace(",", " ").split() if s) if isinstance(scope, str) else tuple(scope)
        return TokenSet(str(token["access_token"]), token.get("refresh_token"), expires_at, refresh_expires, scopes)

    def _oauth_call(self) -> Any:
        """authlib raises its own errors for OAuth error responses; map them like any other failure."""
        return _OAuthErrors(self)

    def poll_waits(self, *, first: float, ceiling: float, budget: float) -> Iterator[float]:
        """Drive a status-polling loop: yields the seconds waited so far before each poll, pausing between
        polls for ``first`` seconds, doubling up to ``ceiling``; ends once ``budget`` seconds are spent, and
        the caller then reports the platform as still busy."""
        waited, delay = 0.0, first
        while True:
            yield waited
            if waited >= budget:
                return
            self.sleep(delay)
            waited += delay
            delay = min(delay * 2, ceiling)

    # -- what each platform implements ------------------------------------------------------------------

    @abstractmethod
    def identity(self, access_token: str) -> list[AccountIdentity]:
        """The account(s) this token can publish as; multi-account platforms return several to pick from."""

    def option_choices(self, access_token: str, account: AccountIdentity, name: str) -> list[tuple[str, str]]:
        """The values an "account_choice" option field can take for this account, as (value, label)."""
        return []

    @staticmethod
    def text_length(text: str) -> int:
        """The text's length as this platform counts it against ``capabilities.text_limit`` (for live counters)."""
        return len(text)

    @abstractmethod
    def validate(self, draft: Draft) -> list[str]:
        """Every problem with the draft for this platform, in words a person understands (empty: fine)."""

    @abstractmethod
    def publish(
        self, access_token: str, account: AccountIdentity, draft: Draft, *, on_handle: HandleCallback | None = None
    ) -> PublishResult:
        """Publish, including any upload and async processing. Calls ``on_handle`` with the server-side
        handle (container id, upload URI…) just before the irreversible step, where the platform has one;
        ``on_handle`` may raise (this attempt no longer owns the target), and then nothing more is sent."""

    @abstractmethod
    def lookup_existing(
        self, access_token: str, account: AccountIdentity, draft: Draft, *, since: datetime
    ) -> PublishResult | None:
        """After a lost response: the post this draft already became, if the platform has it.

        A platform whose ``lookup_authority`` is authoritative returns None only after reading its listing over
        the whole window since ``since``; a listing it could not read to the end raises a ``PlatformError``.
        """

    @classmethod
    def proves_absence(cls, draft: Draft) -> bool:
        """Whether ``lookup_existing`` returning None proves that an attempt at this draft never landed: the
        lookup is authoritative and this draft is recognisable in it.

        Also part of the bargain: the irreversible request follows the start of ``publish`` at once, or, when
        uploads or processing come first, follows the ``on_handle`` call at once (SocialHub re-arms there), so
        that "armed" dates the request.
        """
        return cls.lookup_authority.authoritative

    @abstractmethod
    def fetch_metrics(
        self, access_token: str, account: AccountIdentity, post_ids: list[str]
    ) -> dict[str, dict[str, int]]:
        """Current numbers per post id: {"likes": 3, "impressions": 120, …} (names per PLATFORMS.md)."""

    @abstractmethod
    def classify(self, response: httpx.Response) -> PlatformError | None:
        """The platform's error signals on a response, as a PlatformError; None when it is a success."""

    # -- shared HTTP ------------------------------------------------------------------------------------

    def request(self, method: str, url: str, *, access_token: str | None = None, **kwargs: Any) -> httpx.Response:
        """One API call: auth header, transport errors translated, rate-limit signals read, errors classified."""
        headers = dict(kwargs.pop("headers", None) or {})
        if access_token:
            headers["Authorization"] = f"Bearer {access_token}"
        with translate_transport_errors(self.identifier):
            response = self._http.request(method, url, headers=headers, **kwargs)
        self.read_rate_limit(response)
        error = self.classify(response)
        if error is not None:
            raise error
        return response

    def read_rate_limit(self, response: httpx.Response) -> None:
        """Default: the common x-ratelimit-* headers (reset as epoch seconds or seconds from now)."""
        headers = response.headers
        limit = headers.get("x-rate-limit-limit") or headers.get("x-ratelimit-limit")
        remaining = headers.get("x-rate-limit-remaining") or headers.get("x-ratelimit-remaining")
        reset = headers.get("x-rate-limit-reset") or headers.get("x-ratelimit-reset")
        if limit is not None:
            self.rate_limit.limit = int(float(limit))
        if remaining is not None:
            self.rate_limit.remaining = int(float(remaining))
        if reset is not None:
            self.rate_limit.reset_at = reset_time(reset)

    def generic_error(
        self, response: httpx.Response, message: str | None = None, code: str | None = None
    ) -> PlatformError:
        """The class a status implies when the platform's body says nothing more specific."""
        status = response.status_code
        said = message or response.reason_phrase
        if status == 401:
            return AuthError(
                self.identifier,
                f"{self.title} no longer accepts this account's sign-in.",
                code=code or "401",
                platform_message=said,
                status_code=status,
            )
        if status == 429:
            return RateLimited(
                self.identifier,
                f"{self.title} is limiting how often we may post.",
                code=code or "429",
                platform_message=said,
                status_code=status,
                reset_at=self.rate_limit.reset_at or datetime.now(UTC) + timedelta(seconds=60),
            )
        if status >= 500 or status in (408,):
            return TransientError(
                self.identifier,
                f"{self.title} had a temporary problem.",
                code=code or str(status),
                platform_message=said,
                status_code=status,
            )
        return PermanentError(
            self.identifier,
            f"{self.title} refused the post.",
            code=code or str(status),
            platform_message=said,
            status_code=status,
        )


def reset_time(value: str | float) -> datetime:
    """Rate-limit resets come as epoch seconds or as seconds from now; tell them apart by size."""
    number = float(value)
    if number > 1_000_000_000:
        return datetime.fromtimestamp(number, UTC)
    return datetime.now(UTC) + timedelta(seconds=number)


class _OAuthErrors:
    def __init__(self, client: PlatformClient) -> None:
        self.client = client
        self._transport = translate_transport_errors(client.identifier)

    def __enter__(self) -> None:
        self._transport.__enter__()

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        from authlib.integrations.base_client import OAuthError
        from authlib.oauth2.rfc6749.errors import OAuth2Error

        if isinstance(exc, httpx.HTTPStatusError):  # authlib's raise_for_status on a non-OAuth error page
            raise self.client.classify(exc.response) or self.client.generic_error(exc.response) from exc
        if exc is not None and isinstance(exc, httpx.HTTPError):
            return bool(self._transport.__exit__(exc_type, exc, tb))
        if isinstance(exc, (OAuthError, OAuth2Error)):
            code = getattr(exc, "error", None) or "oauth_error"
            description = getattr(exc, "description", None) or str(exc)
            title = self.client.title
            if code in ("invalid_grant", "invalid_token", "unauthorized_client", "access_denied"):
                raise AuthError(
                    self.client.identifier,
                    f"{title} did not accept the sign-in; connect the account again.",
                    code=code,
                    platform_message=description,
                ) from exc
            if code in ("temporarily_unavailable", "server_error"):
                raise TransientError(
                    self.client.identifier,
                    f"{title}'s sign-in service had a temporary problem.",
                    code=code,
                    platform_message=description,
                ) from exc
            raise PermanentError(
                self.client.identifier, f"{title} refused the sign-in request.", code=code, platform_message=description
            ) from exc
        return False
