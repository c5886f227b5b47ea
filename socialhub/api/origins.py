"""Which browser origins may use the app: its websocket, Reflex's upload route and the REST API.

* Always: the origins of ``APP_URL`` and ``CORS_ORIGINS``.
* Outside production, also the loopback aliases of those on this machine: ``run`` sets
  ``APP_URL=http://localhost:3000``, and people type ``http://127.0.0.1:3000`` just as often. This static list
  is what Reflex's CORS middleware and the API's are given, so Reflex's dev mode (page on the front-end port,
  websocket and uploads on the backend port) works from either name.
* Outside production, the websocket also accepts the page's own origin: the request's scheme and ``Host``,
  when that host is an IP address or a loopback name. That is a phone on the same network opening
  ``http://192.168.1.20:3000``. A DNS name is not enough on its own: an attacker's name rebound to this
  machine would pass as "same origin".

In production only the configured list counts: behind a proxy the ``Host`` header says little, and the operator
knows the public address. A refused websocket is logged (once per origin per process) with what to set.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from socialhub.settings import Environment, Settings

__all__ = ["WebsocketOrigins", "allowed_origins", "origin_of"]

log = logging.getLogger("socialhub.origins")

_DEFAULT_PORTS = {"http": 80, "https": 443}
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
_MAX_REMEMBERED_REFUSALS = 100  # refusals are logged once per origin; a flood of made-up origins stays bounded


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of a URL or origin, lower-cased, the scheme's default port left out; None if none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}" if port in (None, _DEFAULT_PORTS[scheme]) else f"{scheme}://{host}:{port}"


def _parts(origin: str) -> tuple[str, str, str]:
    """(scheme, host — bracketed if IPv6 —, ":port" or "") of a normalised origin."""
    parts = urlsplit(origin)
    host = parts.hostname or ""
    return parts.scheme, f"[{host}]" if ":" in host else host, f":{parts.port}" if parts.port else ""


def _is_loopback(host: str) -> bool:
    return host in _LOOPBACK_NAMES or host.endswith(".localhost") or host.startswith("127.")


def _loopback_aliases(origin: str) -> list[str]:
    scheme, host, port = _parts(origin)
    return [f"{scheme}://{name}{port}" for name in _LOOPBACK_NAMES] if _is_loopback(host) else []


def allowed_origins(settings: Settings) -> list[str]:
    """The configured origins, normalised, with their loopback aliases outside production; in a stable order."""
    configured = [o for o in (origin_of(u) for u in (settings.app_url, *settings.cors_origins)) if o]
    found = list(configured)
    if settings.environment is not Environment.PRODUCTION:
        for origin in configured:
            found.extend(_loopback_aliases(origin))
    return list(dict.fromkeys(found))


def _is_address_or_loopback(host: str) -> bool:
    if _is_loopback(host):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class WebsocketOrigins:
    """python-engineio's ``cors_allowed_origins`` hook: ``policy(origin, environ) -> bool``.

    Reflex hands engineio a fixed list; the page's own origin (whatever host was typed) needs the request, which
    only a callable gets. engineio calls it for every handshake that carries an ``Origin`` header.
    """

    def __init__(self, settings: Settings) -> None:
        self.allowed = frozenset(allowed_origins(settings))
        self.same_origin_ok = settings.environment is not Environment.PRODUCTION
        self._refused: set[str] = set()

    def __call__(self, origin: str | None, environ: Mapping[str, Any] | None = None) -> bool:
        normalised = origin_of(origin or "")
        if normalised and (normalised in self.allowed or self._is_own_origin(normalised, environ)):
            return True
        self._log_refusal(origin or "")
        return False

    def _is_own_origin(self, origin: str, environ: Mapping[str, Any] | None) -> bool:
        return (
            self.same_origin_ok
            and environ is not None
            and origin == _request_origin(environ)
            and _is_address_or_loopback(_parts(origin)[1])
        )

    def _log_refusal(self, origin: str) -> None:
        if origin in self._refused or len(self._refused) >= _MAX_REMEMBERED_REFUSALS:
            return
        self._refused.add(origin)
        suggestion = origin_of(origin) or origin
        log.warning(
            "refused the web app's websocket from origin %r: it is not an allowed origin (%s). If people open "
            "SocialHub at that address, set APP_URL=%s (the address links are built from) or add it to "
            "CORS_ORIGINS (comma-separated).",
            origin,
            ", ".join(sorted(self.allowed)) or "none",
            suggestion,
        )


def _request_origin(environ: Mapping[str, Any]) -> str | None:
    """The origin the request itself was made to: its scheme (ws → http, wss → https) and Host header."""
    scope = environ.get("asgi.scope") or {}
    scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme", ""), scope.get("scheme") or "http")
    host = environ.get("HTTP_HOST")
    return origin_of(f"{scheme}://{host}") if host else None
