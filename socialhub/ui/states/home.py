"""States of the home page: who is looking, and — for a team's owners and admins only — what the system runs on.

The state is sent to the browser, so the installation's facts are filled in only after the services have said
this person may see them (``installation_status``); for everyone else the fields stay empty.
"""

import reflex as rx

from socialhub.services.errors import NotPermitted
from socialhub.services.system import installation_status
from socialhub.ui.states.auth import AuthState


class HomeState(AuthState):
    @rx.event
    def load(self) -> None:
        """on_load of the home page: signed-in visitors get a way into the app instead of the sign-up pitch."""
        identity = self.identity()
        if identity is None:
            self._forget()
        else:
            self._remember(identity)


class InstallationState(AuthState):
    checked: bool = False  # the services have answered, whether or not this person may see the facts
    visible: bool = False
    database: str = ""
    database_ok: bool = False
    schema: str = ""
    schema_current: bool = False
    queue: str = ""
    queue_ok: bool = False
    sandbox_mode: bool = False
    version: str = ""

    @rx.event
    def load(self) -> None:
        """on_mount of the installation card."""
        ctx = self.context()
        try:
            if ctx is None:
                raise NotPermitted("Sign in as an owner or admin to see the installation.")
            status = installation_status(ctx)
        except NotPermitted:
            self.reset()
            self.checked = True
            return
        self.database = status.database
        self.database_ok = status.database_ok
        self.schema_current = status.schema_current
        self.schema = (
            f"at revision {status.schema_head}"
            if status.schema_current
            else f"at {status.schema_revision or 'nothing'}, newest is {status.schema_head}"
        )
        self.queue = status.queue if status.queue_ok else f"{status.queue}: not answering"
        self.queue_ok = status.queue_ok
        self.sandbox_mode = status.sandbox_mode
        self.version = status.version
        self.visible = self.checked = True
