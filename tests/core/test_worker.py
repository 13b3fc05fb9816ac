"""The worker folds inbound batches waiting together into one task."""

import json

from django_tasks_db.models import DBTaskResult

from parley.conversations.ingest import RawInbound, accept_inbound_events
from parley.conversations.models import InboundEvent, InboundStatus, Message
from parley.core.worker import COALESCED_TASK, ParleyWorker


def payload(n: int) -> str:
    return json.dumps(
        {
            "external_id": f"e{n}",
            "sender": {"kind": "email", "id": f"c{n}@example.com"},
            "text": "hi",
        }
    )


# Committed for real: the worker manages its own connection and transactions.
def test_waiting_inbound_batches_are_processed_as_one_task(
    transactional_db, api_channel, db_task_backend, settings
):
    settings.PARLEY_PERIODIC_TASKS = {}
    for batch in range(3):
        accept_inbound_events(
            [RawInbound(api_channel.pk, {}, payload(batch * 2 + k)) for k in range(2)]
        )
    inbound = DBTaskResult.objects.filter(task_path=COALESCED_TASK)
    assert inbound.filter(status="READY").count() == 3

    worker = ParleyWorker(interval=0)
    assert worker.run_one() is True

    assert Message.objects.count() == 6
    assert set(InboundEvent.objects.values_list("status", flat=True)) == {InboundStatus.PROCESSED}
    results = list(inbound.order_by("enqueued_at"))
    assert [r.status for r in results] == ["SUCCESSFUL"] * 3
    assert results[1].return_value == {"processed_with": str(results[0].pk)}
    for _ in range(10):  # what the batch queued on commit: SLA clocks, priority scores
        if not worker.run_one():
            break
    assert not DBTaskResult.objects.filter(status="READY").exists()
