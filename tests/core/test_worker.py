"""The worker folds inbound batches waiting together into one task."""

import json

from django_tasks_db.models import DBTaskResult

from parley.conversations.ingest import RawInbound, accept_inbound_events
from parley.conversations.models import InboundEvent, InboundStatus, Message
from parley.core.worker import ParleyWorker


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
    transactional_db, api_channel, db_task_backend
):
    for batch in range(3):
        accept_inbound_events(
            [RawInbound(api_channel.pk, {}, payload(batch * 2 + k)) for k in range(2)]
        )
    assert DBTaskResult.objects.filter(status="READY").count() == 3

    worker = ParleyWorker(interval=0)
    assert worker.run_one() is True

    assert Message.objects.count() == 6
    assert set(InboundEvent.objects.values_list("status", flat=True)) == {InboundStatus.PROCESSED}
    results = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [r.status for r in results] == ["SUCCESSFUL"] * 3
    assert results[1].return_value == {"processed_with": str(results[0].pk)}
    assert worker.run_one() is False
