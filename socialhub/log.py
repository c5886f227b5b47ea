"""Logging for the app's processes: one JSON object per line on stderr.

The access log already writes JSON (``socialhub.access``); every other record is wrapped the same way, so a
log shipper reads one format. Called once per process (idempotent).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

_MARK = "_socialhub_handler"


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if record.name == "socialhub.access":
            return record.getMessage()
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
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
