"""What went wrong at a platform, in five kinds the publishing pipeline knows how to handle.

* PlatformError                  (the platform's own code and words, plus ours for people)
  + AuthError                    token expired or revoked → refresh once, then "reconnect the account"
  + RateLimited(reset_at)        → wait until the reset the platform gave (app_wide: every account waits)
  + TransientError               5xx, timeouts, connection drops → back off and retry (at most 3 times)
  + PermanentError               the request itself is wrong → fail with the platform's words
  + DuplicateIsSuccess(post_id)  the platform already has this post (e.g. LinkedIn 422 naming it) → done

Each client classifies its platform's signals (PLATFORMS.md §1–9, §11) into these in one place, and
``translate_transport_errors`` maps httpx's own failures at the edge. Never "Unknown error".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum

import httpx


class ErrorKind(StrEnum):
    """Same values as ``socialhub.models.ErrorClass`` (a test keeps them aligned)."""

    AUTH = "auth"
    RATE = "rate"
    TRANSIENT = "transient"
    PERMANENT = "permanent"
    DUPLICATE = "duplicate"


class PlatformError(Exception):
    kind: ErrorKind = ErrorKind.PERMANENT
    default_action = "Check the post against the platform's rules and try again."

    def __init__(
        self,
        platform: str,
        explanation: str,
        *,
        code: str | None = None,
        platform_message: str | None = None,
        status_code: int | None = None,
        action: str | None = None,
    ) -> None:
        super().__init__(f"{platform}: {explanation}" + (f" ({platform_message})" if platform_message else ""))
        self.platform = platform
        self.explanation = explanation  # in words a person understands
        self.code = code  # the platform's own code, e.g. "190", "rate-limit-exceeded"
        self.platform_message = (platform_message or "")[:500] or None  # what the platform said, truncated
        self.status_code = status_code
        self.action = action or self.default_action

    @property
    def user_message(self) -> str:
        said = ""
        if self.platform_message:
            quoted = self.platform_message.rstrip()
            said = f" {self.platform_title} said: “{quoted}”" + ("" if quoted[-1:] in ".!?" else ".")
        return f"{self.explanation}{said} {self.action}".strip()

    @property
    def platform_title(self) -> str:
        return PLATFORM_TITLES.get(self.platform, self.platform)


class AuthError(PlatformError):
    kind = ErrorKind.AUTH
    default_action = "Reconnect the account on the Accounts page."


class RateLimited(PlatformError):
    kind = ErrorKind.RATE
    default_action = "SocialHub will try again when the platform allows it."

    def __init__(
        self,
        platform: str,
        explanation: str,
        *,
        reset_at: datetime | None = None,
        app_wide: bool = False,
        **kwargs: object,
    ) -> None:
        super().__init__(platform, explanation, **kwargs)  # type: ignore[arg-type]
        self.reset_at = reset_at
        # The limit is SocialHub's app's, not this account's (X's usage cap, Reddit's per-client quota, Meta's
        # code 4): every account on the platform waits for the reset, not only the one that met it.
        self.app_wide = app_wide


class TransientError(PlatformError):
    kind = ErrorKind.TRANSIENT
    default_action = "SocialHub will try again shortly."

    def __init__(self, platform: str, explanation: str, *, maybe_applied: bool = False, **kwargs: object) -> None:
        super().__init__(platform, explanation, **kwargs)  # type: ignore[arg-type]
        # True when the request may have reached the platform (read timeout, dropped response): after a
        # create call the post may exist, so it must be looked up, never blindly sent again.
        self.maybe_applied = maybe_applied


class PermanentError(PlatformError):
    kind = ErrorKind.PERMANENT


class DuplicateIsSuccess(PlatformError):
    """Not a failure: the platform says this exact post exists already (after a lost response, say)."""

    kind = ErrorKind.DUPLICATE
    default_action = "Nothing to do: the post is live."

    def __init__(
        self, platform: str, explanation: str, *, post_id: str, permalink: str | None = None, **kwargs: object
    ) -> None:
        super().__init__(platform, explanation, **kwargs)  # type: ignore[arg-type]
        self.post_id = post_id
        self.permalink = permalink


PLATFORM_TITLES = {
    "instagram": "Instagram",
    "facebook": "Facebook",
    "x": "X",
    "linkedin": "LinkedIn",
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "pinterest": "Pinterest",
    "threads": "Threads",
    "reddit": "Reddit",
}


@contextmanager
def translate_transport_errors(platform: str) -> Iterator[None]:
    """httpx's own failures (no HTTP answer at all) become TransientError, most specific first."""
    title = PLATFORM_TITLES.get(platform, platform)
    try:
        yield
    except (httpx.ConnectTimeout, httpx.ConnectError, httpx.PoolTimeout) as exc:  # nothing was sent
        raise TransientError(platform, f"Could not reach {title}.", code="connect") from exc
    except httpx.TimeoutException as exc:  # sent, then no (complete) answer
        raise TransientError(platform, f"{title} did not answer in time.", code="timeout", maybe_applied=True) from exc
    except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        raise TransientError(
            platform, f"{title} closed the connection before answering.", code="connection_lost", maybe_applied=True
        ) from exc
