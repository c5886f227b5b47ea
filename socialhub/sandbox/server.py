"""The sandbox as its own ASGI server: `uvicorn socialhub.sandbox.server:app`.

Sandbox mode runs it beside the web app (the launcher starts it on the next port), so the product reaches
the fake platforms over the network exactly as it reaches the real ones, from a separate process.

The one place the sandbox reads SocialHub settings: ``SANDBOX_LATENCY_MS`` (simulated latency of every answer, for
the publish benchmark and for demos that should feel like a real network) and ``DATA_DIR``, where each platform's
state (tokens, posts, uploads, boards…) is kept in ``sandbox/<platform>.json``, so connected accounts and published
posts survive a restart of ``dev.py run``.
"""

from socialhub.sandbox import create_sandbox
from socialhub.settings import get_settings

_settings = get_settings()
app, states = create_sandbox(latency_ms=_settings.sandbox_latency_ms, state_dir=_settings.data_dir / "sandbox")
