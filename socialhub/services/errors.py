"""The domain's error root. Entry points render these (API: JSON error body; UI: a toast; CLI: a line)."""

from __future__ import annotations

from typing import Any


class SocialHubError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    @property
    def headers(self) -> dict[str, str]:
        """Protocol headers an HTTP rendering should carry (e.g. Retry-After); plain strings, no framework."""
        return {}


class NotFound(SocialHubError):
    code, status = "not_found", 404


class NotPermitted(SocialHubError):
    code, status = "not_permitted", 403


class Conflict(SocialHubError):
    code, status = "conflict", 409


class Invalid(SocialHubError):
    code, status = "invalid", 422


class TooLarge(SocialHubError):
    code, status = "payload_too_large", 413


class UnsupportedMediaType(SocialHubError):
    code, status = "unsupported_media_type", 415


class QuotaExceeded(Conflict):
    code = "quota_exceeded"


class Unavailable(SocialHubError):
    """A service SocialHub depends on (storage, a queue) failed; trying again later may work."""

    code, status = "unavailable", 503
