"""The sandbox as its own ASGI server: `uvicorn socialhub.sandbox.server:app`.

Sandbox mode runs it beside the web app (the launcher starts it on the next port), so the product reaches
the fake platforms over the network exactly as it reaches the real ones, from a separate process.
"""

from socialhub.sandbox import create_sandbox

app, states = create_sandbox()
