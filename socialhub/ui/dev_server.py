"""Reflex dev mode: make Vite's dev server listen where the backend listens (``--backend-host``), not everywhere.

Reflex starts the dev front end with ``react-router dev --host``, which binds every interface, and offers no
setting for it. A Vite plugin's ``config`` hook runs after the command line has been merged in, so the plugin this
injects into ``.web/vite.config.js`` sets ``server.host`` back to the backend's address (127.0.0.1 unless
``python -m socialhub run --host …`` asked for more). Production builds are served by the backend and are not
affected.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import reflex as rx
from reflex.config import get_config
from reflex_base.constants import ReactRouter

__all__ = ["BindDevServer", "bind_dev_server"]

log = logging.getLogger("socialhub.ui")

_PLUGIN_NAME = "socialhubBindDevServer"
_DEFINE_ANCHOR = "export default defineConfig"
_PLUGINS_ANCHOR = "alwaysUseReactDomServerNode(),"


def bind_dev_server(content: str, host: str) -> str:
    """``vite.config.js`` with a plugin that makes the dev server listen on ``host``."""
    if _PLUGIN_NAME in content:
        return content
    if _DEFINE_ANCHOR not in content or _PLUGINS_ANCHOR not in content:
        log.warning(
            "Reflex's vite.config.js changed shape: the dev server will listen on every interface, not on %s", host
        )
        return content
    definition = (
        f"function {_PLUGIN_NAME}() {{\n"
        f'  return {{ name: "socialhub-bind-dev-server", apply: "serve", '
        f"config(config) {{ config.server = {{ ...(config.server ?? {{}}), host: {json.dumps(host)} }}; }} }};\n"
        "}\n\n"
    )
    return content.replace(_DEFINE_ANCHOR, definition + _DEFINE_ANCHOR, 1).replace(
        _PLUGINS_ANCHOR, f"{_PLUGIN_NAME}(),\n    {_PLUGINS_ANCHOR}", 1
    )


class BindDevServer(rx.plugins.Plugin):
    def pre_compile(self, **context: Any) -> None:
        host = get_config().backend_host  # `reflex run --backend-host` has set it by the time pages compile
        context["add_modify_task"](ReactRouter.VITE_CONFIG_FILE, lambda content: bind_dev_server(content, host))
