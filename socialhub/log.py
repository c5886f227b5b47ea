"""Logging for the app's processes: one JSON object per line on stderr, and no credential in any line.

The access log already writes JSON (``socialhub.access``); every other record is wrapped the same way, so a
log shipper reads one format. Called once per process (idempotent).

Credentials travel in URLs: invitation tokens in paths (``/invitations/{token}``), signed media links and OAuth
codes and states in query strings. Two rules keep them out of the log:

* ``loggable_path(scope)`` is how a request's path is written: the route template, with a parameter's value
  filled in only when the parameter is an id (``…_id``, ``platform``, ``name``) and the value has the shape of
  one (a UUID, maybe with a file extension, a short word or a short number). Anything else stays a
  ``{placeholder}``, so a new route with a credential in its path is safe without anyone remembering to list
  it. A path no route matched keeps only the segments with that shape. Query strings are never written.
* every line the formatter writes has credential-named query parameters (``token=``, ``code=``, ``state=``,
  ``access_token=``, …) and bearer tokens blanked, for URLs that end up in exception messages.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = ["JsonLineFormatter", "configure_logging", "loggable_path", "route_template", "scrub"]

_MARK = "_socialhub_handler"
REDACTED = "[redacted]"

_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")  # {name} or {name:convertor} in a route template
_ID_PARAMETER = re.compile(r"\w+_id|platform|name")
_ID_SHAPED = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\.[a-z0-9]{1,8})?|[a-z][a-z.-]{0,19}|\d{1,10}",
    re.IGNORECASE,
)
_SECRET_QUERY = re.compile(
    r"([?&;](?:token|code|state|access_token|refresh_token|id_token|client_secret|password|signature|sig|key)=)"
    r"[^&;#\s\"']+",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(\bBearer\s+)[A-Za-z0-9._~+/=-]+")


def route_template(scope: Mapping[str, Any]) -> str | None:
    """The template of the route that matched this request (``/invitations/{token}``), or None.

    ``scope["route"]`` can be left over from an enclosing mount when nothing inside matched, so the template
    counts only if, filled with the request's path parameters, it is the request's path.
    """
    template = getattr(scope.get("route"), "path", None)
    if not isinstance(template, str) or not template:
        return None
    params = scope.get("path_params") or {}
    filled = _PARAMETER.sub(lambda m: str(params.get(m.group(1), m.group(0))), template)
    return template if str(scope.get("root_path", "")) + filled == scope.get("path") else None


def loggable_path(scope: Mapping[str, Any]) -> str:
    """The request's path as a log line may show it (see the module's docstring)."""
    root, template = str(scope.get("root_path", "")), route_template(scope)
    if template is None:
        path = str(scope.get("path", ""))
        rest = path[len(root) :] if root and path.startswith(root) else path
        return root + "/".join(s if not s or _ID_SHAPED.fullmatch(s) else "{redacted}" for s in rest.split("/"))
    params = scope.get("path_params") or {}

    def fill(match: re.Match[str]) -> str:
        name, value = match.group(1), str(params.get(match.group(1), ""))
        return value if _ID_PARAMETER.fullmatch(name) and _ID_SHAPED.fullmatch(value) else "{" + name + "}"

    return root + _PARAMETER.sub(fill, template)


def scrub(text: str) -> str:
    """``text`` with credential query parameters and bearer tokens blanked."""
    return _BEARER.sub(r"\1" + REDACTED, _SECRET_QUERY.sub(r"\1" + REDACTED, text))


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if record.name == "socialhub.access":
            return record.getMessage()  # built from loggable_path and ids only
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        if record.exc_info:
            line["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(line, default=str, separators=(",", ":"))


def configure_logging(level: str = "INFO") -> None:
    logger = logging.getLogger("socialhub")
    if any(getattr(h, _MARK, False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    setattr(handler, _MARK, True)
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False  # not twice through the root logger some servers configure
    # URLs are logged by httpx at INFO; they can carry OAuth codes and tokens.
    logging.getLogger("httpx").setLevel(logging.WARNING)
