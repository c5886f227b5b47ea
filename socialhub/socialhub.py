"""The Reflex app: pages, plus the REST API under /api/v1 (FastAPI, mounted by api_transformer)."""

import reflex as rx
from reflex import constants

from socialhub.api.app import create_api
from socialhub.api.origins import WebsocketOrigins
from socialhub.settings import get_settings
from socialhub.ui import routes
from socialhub.ui.pages import accounts, composer, dashboard, posts, session, settings, team
from socialhub.ui.pages.calendar import calendar_page
from socialhub.ui.pages.home import home
from socialhub.ui.pages.not_found import not_found_page
from socialhub.ui.states.accounts import AccountsState, CallbackState
from socialhub.ui.states.auth import AuthState
from socialhub.ui.states.calendar import CalendarState
from socialhub.ui.states.composer import ComposerState
from socialhub.ui.states.dashboard import DashboardState
from socialhub.ui.states.home import HomeState
from socialhub.ui.states.posts import PostDetailState, PostsState
from socialhub.ui.states.session_forms import InviteState
from socialhub.ui.states.settings import SettingsState
from socialhub.ui.states.team import TeamState

app = rx.App(
    api_transformer=create_api(),
    # On a phone, toasts rise above the bottom tab bar (ui/layout.py phone_nav) instead of covering it.
    toaster=rx.toast.provider(custom_attrs={"mobileOffset": {"bottom": "calc(4em + 16px)"}}),
)
# Reflex gives engineio a fixed origin list; the page's own origin (whatever host was typed) needs the request.
app.sio.eio.cors_allowed_origins = WebsocketOrigins(get_settings())  # type: ignore[union-attr]
app.add_page(home, route=routes.HOME, title="SocialHub", on_load=HomeState.load)
app.add_page(session.login, route=routes.LOGIN, title="Sign in · SocialHub", on_load=AuthState.redirect_if_signed_in)
app.add_page(
    session.register, route=routes.REGISTER, title="Create a team · SocialHub", on_load=AuthState.redirect_if_signed_in
)
app.add_page(session.invite, route=routes.INVITE, title="Invitation · SocialHub", on_load=InviteState.load)
app.add_page(dashboard.dashboard, route=routes.DASHBOARD, title="Dashboard · SocialHub", on_load=DashboardState.load)
app.add_page(team.team_page, route=routes.TEAM, title="Team · SocialHub", on_load=TeamState.load)
app.add_page(settings.settings_page, route=routes.SETTINGS, title="Settings · SocialHub", on_load=SettingsState.load)
app.add_page(accounts.accounts_page, route=routes.ACCOUNTS, title="Accounts · SocialHub", on_load=AccountsState.load)
app.add_page(
    accounts.callback_page,
    route=routes.ACCOUNTS_CALLBACK,
    title=CallbackState.heading + " · SocialHub",
    on_load=CallbackState.finish,
)
app.add_page(posts.posts_page, route=routes.POSTS, title="Posts · SocialHub", on_load=PostsState.load)
app.add_page(posts.post_detail_page, route=routes.POST_DETAIL, title="Post · SocialHub", on_load=PostDetailState.load)
app.add_page(composer.composer_page, route=routes.COMPOSE, title="Compose · SocialHub", on_load=ComposerState.load)
app.add_page(calendar_page, route=routes.CALENDAR, title="Calendar · SocialHub", on_load=CalendarState.load)
# Reflex 0.10 has no add_custom_404_page: a page at its 404 slug replaces the built-in bare one.
app.add_page(not_found_page, route=constants.Page404.SLUG, title="Page not found · SocialHub")
