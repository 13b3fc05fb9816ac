"""Processing stored events in batches: runs of plain messages are ingested together, and
must end exactly as ingesting them one at a time would."""

import json

import pytest

from parley.conversations import actions
from parley.conversations.ingest import RawInbound, accept_inbound_events
from parley.conversations.models import (
    Conversation,
    InboundEvent,
    InboundStatus,
    Message,
    Status,
)
from parley.conversations.tasks import process_event, process_inbound_events
from parley.customers.models import Customer
from tests.factories import inbound, make_agent, make_channel

pytestmark = pytest.mark.django_db


def payload(external_id, sender, text="Hello", **extra):
    kind = "phone" if sender.startswith("+") else "email"
    sent_by = {"kind": kind, "id": sender}
    return {"external_id": external_id, "sender": sent_by, "text": text} | extra


def store(channel, payloads):
    raws = [RawInbound(channel.pk, {}, json.dumps(p)) for p in payloads]
    return [event.pk for event in accept_inbound_events(raws)]


def scenario(prefix, run_events):
    """Earlier history plus one batch that covers every threading case, on a channel of its
    own; senders are prefixed so the two runs of a comparison share no customers."""
    channel = make_channel("api")
    admin = make_agent("admin")
    old = inbound(channel, "old", sender=f"{prefix}x@example.com", external_id="old-1")
    actions.set_status(admin, old.conversation, Status.RESOLVED)
    gone = inbound(channel, "bye", sender=f"{prefix}y@example.com", external_id="old-2")
    actions.set_status(admin, gone.conversation, Status.CLOSED)
    ids = store(
        channel,
        [
            payload("m1", f"{prefix}ann@example.com", "Where is my order?", subject="Order"),
            payload("m2", f"{prefix}ANN@example.com", "Any news?"),
            payload("m1", f"{prefix}ann@example.com", "Where is my order?"),
            payload("m3", f"{prefix}x@example.com", "Not fixed after all"),
            payload("m4", f"{prefix}y@example.com", "New question"),
            payload("old-1", f"{prefix}x@example.com", "old"),
            payload("m5", f"{prefix}bob@example.com", "About this", reply_to="old-1"),
            payload("m6", f"{prefix}bob@example.com", "", html="<b>hi</b><script>x()</script>"),
            payload("m7", "+82 10-1234-5678", "배송 언제 되나요?", thread=f"{prefix}kr"),
        ],
    )
    run_events(ids)
    return channel, ids


def snapshot(channel, prefix):
    """The channel's conversations, messages and timelines, without ids or the prefix."""

    def strip(value):
        return str(value).replace(prefix, "")

    rows = []
    for conversation in Conversation.objects.filter(channel=channel).order_by("pk"):
        rows.append(
            (
                strip(conversation.customer.identities.get().value),
                strip(conversation.thread_ref),
                conversation.status,
                conversation.subject,
                conversation.preview,
                conversation.waiting_since is not None,
                [
                    (m.external_id, m.text, m.html, m.reply_to and m.reply_to.external_id)
                    for m in conversation.messages.order_by("pk")
                ],
                [(e.kind, e.actor_label, e.data) for e in conversation.timeline.order_by("pk")],
            )
        )
    return rows


def one_at_a_time(ids):
    for event in InboundEvent.objects.filter(pk__in=ids).order_by("pk"):
        process_event(event)


def test_a_batch_ends_exactly_as_one_event_at_a_time():
    together, ids = scenario("a-", lambda ids: process_inbound_events.call(ids))
    alone, _ = scenario("b-", one_at_a_time)

    assert snapshot(together, "a-") == snapshot(alone, "b-")
    assert InboundEvent.objects.filter(pk__in=ids, status=InboundStatus.PROCESSED).count() == 9


def test_a_batch_threads_dedupes_and_reopens():
    channel, _ = scenario("a-", lambda ids: process_inbound_events.call(ids))

    conversations = Conversation.objects.filter(channel=channel).order_by("pk")
    assert [c.status for c in conversations] == [
        Status.OPEN,  # x: resolved, reopened by m3
        Status.CLOSED,  # y: closed stays closed
        Status.NEW,  # ann: m1 + m2 (same identity, case-folded)
        Status.NEW,  # y again: a new conversation after closed
        Status.NEW,  # bob: m5 + m6
        Status.NEW,  # the Korean phone number
    ]
    assert Message.objects.filter(channel=channel).count() == 2 + 7
    assert Message.objects.get(channel=channel, external_id="m5").reply_to.external_id == "old-1"
    assert Customer.objects.filter(name="a-ann").count() == 1


def test_a_batch_takes_a_handful_of_queries(django_assert_max_num_queries):
    channel = make_channel("api")
    ids = store(channel, [payload(f"m{n}", f"c{n % 20}@example.com") for n in range(60)])

    with django_assert_max_num_queries(25):
        outcome = process_inbound_events.call(ids)

    assert outcome == {"processed": 60}
    assert Message.objects.filter(channel=channel).count() == 60
    assert Conversation.objects.filter(channel=channel).count() == 20
    assert Customer.objects.count() == 20


def test_a_bad_event_in_a_batch_fails_alone_and_the_rest_are_stored():
    channel = make_channel("api")
    ids = store(
        channel,
        [
            payload("m1", "ann@example.com"),
            payload("m2", "not an address"),
            payload("m3", "bob@example.com"),
        ],
    )

    outcome = process_inbound_events.call(ids)

    assert outcome == {"processed": 2, "failed": 1}
    bad = InboundEvent.objects.get(pk=ids[1])
    assert bad.status == InboundStatus.FAILED
    assert "not an e-mail address" in bad.error
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["m1", "m3"]


def test_an_event_with_an_attachment_splits_the_batch_and_keeps_the_order():
    channel = make_channel("api")
    attachment = {"filename": "a.txt", "content_type": "text/plain", "data": "aGk="}
    ids = store(
        channel,
        [
            payload("m1", "ann@example.com", "first"),
            payload("m2", "ann@example.com", "second", attachments=[attachment]),
            payload("m3", "ann@example.com", "third"),
        ],
    )

    assert process_inbound_events.call(ids) == {"processed": 3}
    conversation = Conversation.objects.get()
    assert [m.text for m in conversation.messages.order_by("pk")] == ["first", "second", "third"]
    assert conversation.messages.get(external_id="m2").attachments.count() == 1


def test_processed_events_are_skipped_when_a_batch_runs_again():
    channel = make_channel("api")
    ids = store(channel, [payload("m1", "ann@example.com"), payload("m2", "bob@example.com")])

    process_inbound_events.call(ids)
    assert process_inbound_events.call(ids) == {"skipped": 2}
    assert Message.objects.count() == 2


def test_a_batch_that_cannot_go_together_is_redone_one_at_a_time(caplog):
    channel = make_channel("api")
    ids = store(
        channel,
        [
            payload("m1", "ann@example.com", "first"),
            payload("m2", "bob@example.com", "replying to ann?", reply_to="m1"),
        ],
    )

    caplog.set_level("INFO")
    assert process_inbound_events.call(ids) == {"processed": 2}
    assert "one at a time" in caplog.text
    assert Message.objects.get(external_id="m2").reply_to.external_id == "m1"
