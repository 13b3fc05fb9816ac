"""Running tasks: a standalone worker process, or a worker inside the web server's event loop.

Inside `parley serve` the worker runs each task in a thread started from the server's event
loop, so pushes made by tasks reach the in-memory channel layer's sockets in the same process.
"""

import asyncio
import contextlib
import logging
import time

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.db.models import QuerySet
from django.db.utils import OperationalError
from django.utils.crypto import get_random_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from . import pressure
from .clock import Clock

logger = logging.getLogger(__name__)
# Under a burst of inbound payloads the in-process worker takes at most ~4 tasks a second.
MAX_YIELD_SECONDS = 0.25
# Inbound batches waiting together are processed as one task (decision 0007): each task
# costs a claim and a dozen statements whatever its size, which small group commits
# would otherwise pay per handful of events. Bounded so one task stays short, and inside
# `parley serve` only while no payload is arriving (a long task would slow answers).
COALESCED_TASK = "parley.conversations.tasks.process_inbound_events"
MAX_COALESCED_EVENTS = 300


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
        self.clock = Clock()

    def run(self) -> None:
        """The standalone worker's loop: run_one until told to stop."""
        while self.running:
            if not self.run_one():
                time.sleep(self.interval)

    def run_one(self, coalesce: bool = True) -> bool:
        """Claim and run one ready task (with the inbound batches waiting behind it,
        when `coalesce`); False when there was none."""
        close_old_connections()
        self.clock.tick()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        companions: list[DBTaskResult] = []
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
                    if coalesce:
                        companions = self._claim_companions(tasks, task_result)
            except OperationalError as exc:
                if not is_locked_database_exception(exc):
                    raise
                task_result, companions = None, []
        if task_result is None:
            return False
        self.run_task(task_result)
        for companion in companions:
            if task_result.status == TaskResultStatus.SUCCESSFUL:
                companion.set_successful({"processed_with": str(task_result.pk)})
            else:
                companion.set_failed(RuntimeError(f"processed with {task_result.pk}, which failed"))
        return True

    def _claim_companions(self, tasks: QuerySet, first: DBTaskResult) -> list[DBTaskResult]:
        """Claim further ready inbound batches and fold their events into `first`'s
        arguments (in memory: each row keeps what it was enqueued with)."""
        if first.task_path != COALESCED_TASK or not _event_ids_only(first):
            return []
        event_ids = list(first.args_kwargs["args"][0])
        claimed = []
        for companion in (
            tasks.filter(task_path=COALESCED_TASK)
            .exclude(pk=first.pk)
            .order_by("enqueued_at")
            .select_for_update(skip_locked=True)[:50]
        ):
            if not _event_ids_only(companion):
                continue
            more = companion.args_kwargs["args"][0]
            if len(event_ids) + len(more) > MAX_COALESCED_EVENTS:
                break
            companion.claim(self.worker_id)
            event_ids.extend(more)
            claimed.append(companion)
        first.args_kwargs = {"args": [event_ids], "kwargs": {}}
        return claimed


def _event_ids_only(result: DBTaskResult) -> bool:
    args = result.args_kwargs
    return (
        not args.get("kwargs")
        and len(args.get("args", [])) == 1
        and isinstance(args["args"][0], list)
    )


async def run_in_loop(stop: asyncio.Event, interval: float) -> None:
    worker = ParleyWorker(interval)
    run_one = sync_to_async(worker.run_one, thread_sensitive=False)
    while not stop.is_set():
        await pressure.quiet_moment(MAX_YIELD_SECONDS)
        try:
            ran = await run_one(pressure.is_calm(time.monotonic()))
        except Exception:
            logger.exception("worker loop error")
            ran = False
        if not ran:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
