"""Work that runs on a schedule (SLA timers, time-based rules, away agents).

Every worker — the standalone `parley worker` and the one inside `parley serve` — ticks the
clock between tasks. A tick enqueues each periodic task whose interval has passed and that
is not already waiting in the queue, so a worker that fell behind never piles copies up
(two workers ticking at the same instant may each add one). The tasks are idempotent and
lock what they change: a second run finds nothing left to do.
"""

import logging
import time

from django.conf import settings
from django.utils.module_loading import import_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


class Clock:
    def __init__(self) -> None:
        # task path → monotonic time it is next due; all are due at a worker's start.
        self._due: dict[str, float] = {}

    def tick(self, now: float | None = None) -> list[str]:
        """Enqueue what is due; the paths enqueued."""
        now = time.monotonic() if now is None else now
        enqueued = []
        for path, seconds in settings.PARLEY_PERIODIC_TASKS.items():
            if self._due.get(path, 0.0) > now:
                continue
            self._due[path] = now + seconds
            if _waiting(path):
                continue
            try:
                import_string(path).enqueue()
            except Exception:  # a broken task must not stop the worker or the others
                logger.exception("periodic task %s could not be enqueued", path)
                continue
            enqueued.append(path)
        return enqueued


def _waiting(path: str) -> bool:
    return DBTaskResult.objects.filter(task_path=path, status=TaskResultStatus.READY).exists()
