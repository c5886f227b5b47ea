"""Loopback implementations of the platforms' APIs: the tests' fakes and the product's Sandbox mode.

``create_sandbox()`` mounts every platform's app under ``/<platform>`` (Sandbox mode serves it as its own server
on the web port + 1). Adding a platform: one module here with ``build()``, one line below. With ``state_dir`` each
platform's state is kept there across restarts (``store.py``); without it, in memory.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount

from socialhub.sandbox.common import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxState
from socialhub.sandbox.store import StateStore

Builder = Callable[[], tuple[Any, SandboxState]]


SANDBOXES: dict[str, str] = {
    "x": "socialhub.sandbox.x",
    "linkedin": "socialhub.sandbox.linkedin",
    "facebook": "socialhub.sandbox.facebook",
    "reddit": "socialhub.sandbox.reddit",
    "pinterest": "socialhub.sandbox.pinterest",
}


def available() -> list[str]:
    """Platforms whose sandbox module exists (all of SANDBOXES once every platform has landed)."""
    return [name for name, module in SANDBOXES.items() if importlib.util.find_spec(module) is not None]


def create_sandbox(
    platforms: list[str] | None = None, *, latency_ms: int = 0, state_dir: Path | None = None
) -> tuple[Starlette, dict[str, SandboxState]]:
    """Every sandbox platform under ``/<name>``; ``latency_ms`` delays each answer (benchmarks, demos)."""
    apps, states = [], {}
    for name in available():
        if platforms is None or name in platforms:
            build: Builder = importlib.import_module(SANDBOXES[name]).build
            app, state = build()
            state.default_latency_ms = state.latency_ms = latency_ms
            apps.append(Mount(f"/{name}", app=app))
            states[name] = state
    store = StateStore(state_dir, states) if state_dir is not None else None

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        if store is not None:
            store.close()  # what changed in the last moments before shutdown

    async def no_platform(request: Request, _exc: Exception) -> Response:
        message = f"No sandbox platform at {request.url.path}; the platforms are under /{{{', '.join(states)}}}/."
        return JSONResponse({"error": "not_found", "message": message, "platforms": list(states)}, status_code=404)

    root = Starlette(routes=apps, lifespan=lifespan, exception_handlers={404: no_platform})
    root.state.platforms = states
    root.state.store = store
    return root, states


__all__ = ["SANDBOX_CLIENT_ID", "SANDBOX_CLIENT_SECRET", "SandboxState", "create_sandbox"]
