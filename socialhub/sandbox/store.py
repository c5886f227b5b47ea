"""Sandbox mode's memory: each platform's state in ``<dir>/<platform>.json``, so a restart keeps what it had.

What is kept: issued codes, access and refresh tokens, published posts, counters and ``state.objects`` (uploads,
media, boards, page tokens, processing progress, test knobs). Injected faults and latency are a test's business
and are not kept. The tests' in-process sandbox has no store and stays in memory.

Writing: every answered request marks the state changed; the state is serialised on the event loop (where every
handler runs, so nothing changes under the serialiser) at most every ``interval`` seconds, and written by one
background thread to a temporary file that then replaces the old one (``os.replace``), so a crash never leaves
half a file. Shutdown writes whatever is pending. The interval is a second, not "after every request": a state
of a thousand posts takes milliseconds to serialise (tens on a busy machine), and a kill -9 loses at most that
last second. Reading: a file that cannot be read is reported, moved aside
(``<platform>.json.corrupt-<time>``) and the platform starts fresh; it never stops the sandbox.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from socialhub.sandbox.common import Published, SandboxState, Token

log = logging.getLogger("socialhub.sandbox")
FORMAT = 1


# --- state ⇄ JSON ---------------------------------------------------------------------------------------------


def _tagged(value: Any) -> Any:
    """What JSON has no type for, as the platforms keep it in ``state.objects``: bytes and sets, tagged."""
    if isinstance(value, (bytes, bytearray)):
        tag = "$bytearray" if isinstance(value, bytearray) else "$bytes"
        return {tag: base64.b64encode(value).decode("ascii")}
    if isinstance(value, (set, frozenset)):
        return {"$set": sorted(value, key=str)}
    raise TypeError(f"sandbox state cannot save a {type(value).__name__}")


def _decode(value: dict[str, Any]) -> Any:
    if len(value) == 1:
        ((tag, item),) = value.items()
        if tag == "$bytes":
            return base64.b64decode(item)
        if tag == "$bytearray":
            return bytearray(base64.b64decode(item))
        if tag == "$set":
            return set(item)
    return value


def dump_state(state: SandboxState) -> str:
    """The state as JSON (json's C encoder walks it; tuples come back as lists). The platforms key their tables
    by strings only: json would save a number key as a string, and refuses a tuple key (TypeError)."""
    with state.lock:
        body = {
            "format": FORMAT,
            "platform": state.platform,
            "codes": state.codes,
            "tokens": [vars(token) for token in state.tokens.values()],
            # A refresh token names the access token it belongs to; loading links them to one object again.
            "refresh_tokens": {value: token.access_token for value, token in state.refresh_tokens.items()},
            "published": [vars(post) for post in state.published],
            "counters": state.counters,
            "objects": state.objects,
        }
        return json.dumps(body, default=_tagged, separators=(",", ":"))


def load_state(state: SandboxState, text: str) -> None:
    """Replace ``state``'s memory with a saved one; raises ValueError (nothing changed) if it is not one."""
    try:
        body = json.loads(text, object_hook=_decode)
        if body.get("format") != FORMAT or body.get("platform") != state.platform:
            raise ValueError(f"not a {state.platform} sandbox state (format {body.get('format')!r})")
        tokens = {item["access_token"]: Token(**item) for item in body["tokens"]}
        refresh = {value: tokens[access] for value, access in body["refresh_tokens"].items()}
        published = [Published(**item) for item in body["published"]]
        codes, counters, objects = dict(body["codes"]), dict(body["counters"]), dict(body["objects"])
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed sandbox state: {exc!r}") from exc
    with state.lock:
        state.codes, state.tokens, state.refresh_tokens = codes, tokens, refresh
        state.published, state.counters, state.objects = published, counters, objects


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- the store ------------------------------------------------------------------------------------------------


class StateStore:
    """Loads each platform's saved state, then saves it as it changes (see the module's docstring)."""

    def __init__(self, directory: Path, states: dict[str, SandboxState], *, interval: float = 1.0) -> None:
        self.directory, self.states, self.interval = directory, states, interval
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-store")  # keeps writes in order
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._closed = False
        for name, state in states.items():
            self.restore(name, state)
            state.on_change = lambda name=name: self.schedule(name)

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.json"

    def restore(self, name: str, state: SandboxState) -> None:
        path = self.path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as exc:
            self._set_aside(path, exc)
            return
        try:
            load_state(state, text)
        except ValueError as exc:
            self._set_aside(path, exc)

    def _set_aside(self, path: Path, problem: Exception) -> None:
        aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
        try:
            path.replace(aside)
            kept = f"kept as {aside.name}"
        except OSError:
            kept = "it could not be moved aside"
        log.warning("sandbox state %s could not be read (%s); %s, and this platform starts fresh", path, problem, kept)

    def schedule(self, name: str) -> None:
        """After a request: save this platform within ``interval`` (several changes, one write)."""
        with self._lock:
            if name in self._pending:
                return
            self._pending.add(name)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on the server's loop (a direct call): save now
            self.save(name)
            return
        loop.call_later(self.interval, self._save_if_pending, name)

    def _save_if_pending(self, name: str) -> None:
        with self._lock:
            pending = name in self._pending
        if pending:  # not already written by a flush
            self.save(name)

    def save(self, name: str) -> None:
        with self._lock:
            self._pending.discard(name)
        text = dump_state(self.states[name])
        if self._closed:  # a change after shutdown began: no writer thread any more
            self._write(self.path(name), text)
        else:
            self._writer.submit(self._write, self.path(name), text)

    def _write(self, path: Path, text: str) -> None:
        try:
            _write_atomically(path, text)
        except OSError as exc:
            log.warning("sandbox state %s could not be written: %s", path, exc)

    def flush(self) -> None:
        """Save every platform with unsaved changes and wait for the writes (shutdown)."""
        with self._lock:
            pending = sorted(self._pending)
        for name in pending:
            self.save(name)
        self._writer.submit(lambda: None).result()

    def close(self) -> None:
        self.flush()
        self._closed = True
        self._writer.shutdown(wait=True)


__all__ = ["StateStore", "dump_state", "load_state"]
