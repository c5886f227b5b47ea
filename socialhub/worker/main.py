"""What the consumer runs: the instance plus every task module, so no task goes unregistered."""

from socialhub.log import configure_logging
from socialhub.settings import get_settings
from socialhub.worker import tasks  # noqa: F401
from socialhub.worker.huey import huey

configure_logging(get_settings().log_level)

__all__ = ["huey"]
