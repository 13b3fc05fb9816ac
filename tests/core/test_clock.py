"""Workers enqueue periodic tasks on a schedule, one waiting copy at most."""

from django_tasks import task
from django_tasks_db.models import DBTaskResult

from parley.core.clock import Clock
from parley.core.worker import ParleyWorker

RUNS: list[int] = []
PROBE = "tests.core.test_clock.probe"


@task()
def probe() -> int:
    RUNS.append(1)
    return len(RUNS)


def test_a_due_task_is_enqueued_once_while_it_waits(db, db_task_backend, settings):
    settings.PARLEY_PERIODIC_TASKS = {PROBE: 60}
    first, second = Clock(), Clock()  # two workers

    assert first.tick(now=0) == [PROBE]
    assert second.tick(now=0) == []  # the first worker's copy is still waiting
    assert first.tick(now=30) == []  # not due yet
    assert DBTaskResult.objects.filter(task_path=PROBE).count() == 1

    DBTaskResult.objects.update(status="SUCCESSFUL")
    assert first.tick(now=61) == [PROBE]
    assert DBTaskResult.objects.filter(task_path=PROBE, status="READY").count() == 1


def test_a_task_that_cannot_be_enqueued_does_not_stop_the_others(db, db_task_backend, settings):
    settings.PARLEY_PERIODIC_TASKS = {"tests.core.test_clock.missing": 60, PROBE: 60}
    assert Clock().tick(now=0) == [PROBE]


def test_the_worker_ticks_the_clock_and_runs_what_it_enqueued(
    transactional_db, db_task_backend, settings
):
    settings.PARLEY_PERIODIC_TASKS = {PROBE: 3600}
    RUNS.clear()
    worker = ParleyWorker(interval=0)

    assert worker.run_one() is True
    assert worker.run_one() is False  # not due again for an hour
    assert RUNS == [1]
