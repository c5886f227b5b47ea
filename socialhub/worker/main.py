"""What the consumer runs: the instance plus every task module, so no task goes unregistered."""

from socialhub.worker import tasks  # noqa: F401
from socialhub.worker.huey import huey

__all__ = ["huey"]
