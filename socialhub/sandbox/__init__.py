"""Loopback implementations of the platforms' APIs: the tests' fakes and the product's Sandbox mode.

``create_sandbox()`` mounts every platform's app under ``/<platform>`` (the product serves it under
``/sandbox`` when sandbox mode is on). Adding a platform: one module here with ``build()``, one line below.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount

from socialhub.sandbox.common import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxState

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
    platforms: list[str] | None = None, *, latency_ms: int = 0
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
    root = Starlette(routes=apps)
    root.state.platforms = states
    return root, states


__all__ = ["SANDBOX_CLIENT_ID", "SANDBOX_CLIENT_SECRET", "SandboxState", "create_sandbox"]
