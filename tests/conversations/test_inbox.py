"""Group commit: concurrent payloads share transactions and each gets its own stored row."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from parley.conversations.inbox import GroupCommit
from parley.conversations.ingest import RawInbound
from parley.conversations.models import InboundEvent, InboundStatus

pytestmark = pytest.mark.django_db


def test_concurrent_payloads_are_written_in_shared_batches(api_channel, commit):
    committer = GroupCommit()
    payloads = [RawInbound(api_channel.pk, {}, f'{{"n": {i}}}') for i in range(50)]

    async def accept_all():
        return await asyncio.gather(*(committer.accept(p) for p in payloads))

    with CaptureQueriesContext(connection) as queries, commit():
        events = async_to_sync(accept_all)()

    assert [e.body for e in events] == [p.body for p in payloads]
    assert len({e.pk for e in events}) == 50
    assert InboundEvent.objects.count() == 50
    inserts = [q for q in queries if q["sql"].startswith("INSERT INTO")]
    event_inserts = [q for q in inserts if "inboundevent" in q["sql"]]
    assert len(event_inserts) < 5  # 50 payloads, a handful of statements


def test_invalid_payloads_are_stored_failed_and_not_processed(api_channel, commit):
    committer = GroupCommit()
    bad = RawInbound(api_channel.pk, {}, "{", invalid_reason="body: Invalid JSON")

    with commit():
        event = async_to_sync(committer.accept)(bad)

    event.refresh_from_db()
    assert event.status == InboundStatus.FAILED
    assert event.error == "body: Invalid JSON"


@pytest.mark.django_db(transaction=True)
def test_a_failed_write_fails_every_waiter_in_the_batch():
    committer = GroupCommit()
    orphan = RawInbound(999_999, {}, "{}")  # no such channel: the foreign key refuses it

    async def accept():
        return await committer.accept(orphan)

    with pytest.raises(IntegrityError):
        async_to_sync(accept)()
    assert committer.pending == []


@pytest.mark.django_db(transaction=True)
def test_one_bad_payload_does_not_fail_the_others_in_its_batch():
    from tests.factories import make_channel

    channel = make_channel("api")
    committer = GroupCommit()
    good = [RawInbound(channel.pk, {}, f'{{"n": {i}}}') for i in range(3)]
    orphan = RawInbound(999_999, {}, "{}")

    async def accept_all():
        return await asyncio.gather(
            *(committer.accept(p) for p in [good[0], orphan, *good[1:]]), return_exceptions=True
        )

    results = async_to_sync(accept_all)()

    assert isinstance(results[1], IntegrityError)
    assert [r.body for r in results if isinstance(r, InboundEvent)] == [p.body for p in good]
    assert InboundEvent.objects.count() == 3
