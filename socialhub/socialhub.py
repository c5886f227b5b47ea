"""The Reflex app: pages, plus the REST API under /api/v1 (FastAPI, mounted by api_transformer)."""

import reflex as rx

from socialhub.api.app import create_api
from socialhub.ui.pages.home import home
from socialhub.ui.states.home import HomeState

app = rx.App(api_transformer=create_api())
app.add_page(home, route="/", title="SocialHub", on_load=HomeState.load)
