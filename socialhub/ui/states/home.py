"""State of the home page: what the system is running on, asked of the services on load."""

import reflex as rx

from socialhub.services.system import system_status


class HomeState(rx.State):
    database: str = ""
    database_ok: bool = False
    schema: str = ""
    schema_current: bool = False
    queue: str = ""
    queue_ok: bool = False
    sandbox_mode: bool = False
    version: str = ""
    loaded: bool = False

    @rx.event
    def load(self) -> None:
        status = system_status()
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
        self.loaded = True
