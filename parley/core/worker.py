"""Running tasks: a standalone worker process, or a worker inside the web server's event loop.

Inside `parley serve` the worker runs each task in a thread started from the server's event
loop, so pushes made by tasks reach the in-memory channel layer's sockets in the same process.
"""

import asyncio
import contextlib
import logging

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.db.utils import OperationalError
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from . import pressure

logger = logging.getLogger(__name__)
# Under a burst of inbound payloads the in-process worker takes at most ~4 tasks a second.
MAX_YIELD_SECONDS = 0.25


class ParleyWorker(Worker):
    def __init__(self, interval: float) -> None:
        super().__init__(
            queue_names=["*"],
            interval=interval,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="parley-" + get_random_string(12),
            excluded_queue_names=[],
        )

    def run_one(self) -> bool:
        """Claim and run one ready task; False when there was none."""
        close_old_connections()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
            except OperationalError as exc:
                if not is_locked_database_exception(exc):
                    raise
                task_result = None
        if task_result is None:
            return False
        self.run_task(task_result)
        return True


async def run_in_loop(stop: asyncio.Event, interval: float) -> None:
    worker = ParleyWorker(interval)
    run_one = sync_to_async(worker.run_one, thread_sensitive=False)
    while not stop.is_set():
        await pressure.quiet_moment(MAX_YIELD_SECONDS)
        try:
            ran = await run_one()
        except Exception:
            logger.exception("worker loop error")
            ran = False
        if not ran:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
