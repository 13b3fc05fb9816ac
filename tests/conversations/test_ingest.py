"""The one ingest pipeline: dedupe, customer resolution, threading, reopening."""

import pytest

from parley.connectors.base import InboundAttachment
from parley.conversations import actions
from parley.conversations.models import (
    Conversation,
    EntryKind,
    Message,
    Status,
    TimelineEntry,
)
from parley.customers.models import Customer
from tests.factories import inbound

pytestmark = pytest.mark.django_db


def test_first_message_starts_a_new_conversation_for_a_new_customer(api_channel):
    message = inbound(api_channel, "Where is order #1042?", sender="Ann@Example.COM", name="Ann")

    conversation = message.conversation
    assert conversation.status == Status.NEW
    assert conversation.customer.name == "Ann"
    assert conversation.customer.identities.get().value == "ann@example.com"
    assert conversation.waiting_since is not None
    assert conversation.preview == "Where is order #1042?"
    kinds = list(conversation.timeline.values_list("kind", flat=True))
    assert kinds == [EntryKind.CREATED, EntryKind.MESSAGE_RECEIVED]


def test_the_same_external_id_twice_gives_one_message(api_channel):
    first = inbound(api_channel, external_id="m-1")
    second = inbound(api_channel, "changed text", external_id="m-1")

    assert first.pk == second.pk
    assert Message.objects.count() == 1
    assert TimelineEntry.objects.filter(kind=EntryKind.MESSAGE_RECEIVED).count() == 1


def test_same_external_id_on_another_channel_is_another_message(api_channel):
    from tests.factories import make_channel

    other = make_channel("api")
    inbound(api_channel, external_id="m-1")
    inbound(other, external_id="m-1")

    assert Message.objects.count() == 2


def test_messages_in_one_thread_join_the_open_conversation(api_channel):
    first = inbound(api_channel, "one")
    second = inbound(api_channel, "two")

    assert first.conversation_id == second.conversation_id
    assert Conversation.objects.count() == 1


def test_other_thread_refs_start_separate_conversations(api_channel):
    a = inbound(api_channel, thread="order-1")
    b = inbound(api_channel, thread="order-2")

    assert a.conversation_id != b.conversation_id
    assert Customer.objects.count() == 1


@pytest.mark.parametrize("status_case", [Status.PENDING, Status.RESOLVED])
def test_a_customer_reply_reopens_pending_and_resolved(api_channel, admin, status_case):
    conversation = inbound(api_channel, "one").conversation
    actions.set_status(admin, conversation, status_case)

    again = inbound(api_channel, "still broken").conversation

    assert again.pk == conversation.pk
    assert again.status == Status.OPEN
    assert again.resolved_at is None
    reopened = again.timeline.filter(kind=EntryKind.STATUS_CHANGED).last()
    assert reopened.data == {"old": status_case, "new": Status.OPEN}
    assert reopened.actor_label == "customer"


def test_after_closed_a_new_conversation_starts(api_channel, admin):
    conversation = inbound(api_channel, "one").conversation
    actions.set_status(admin, conversation, Status.CLOSED)

    again = inbound(api_channel, "new question").conversation

    assert again.pk != conversation.pk
    assert again.status == Status.NEW
    assert again.customer_id == conversation.customer_id


def test_attachments_are_stored_and_reply_to_is_linked(api_channel):
    original = inbound(api_channel, "photo coming", external_id="a")
    photo = InboundAttachment("shoe.png", "image/png", b"\x89PNG fake")
    reply = inbound(
        api_channel, "here", external_id="b", attachments=(photo,), reply_to_external_id="a"
    )

    stored = reply.attachments.get()
    assert stored.filename == "shoe.png"
    assert stored.size == len(b"\x89PNG fake")
    assert stored.file.read() == b"\x89PNG fake"
    assert reply.reply_to_id == original.pk


def test_hostile_html_is_sanitized(api_channel):
    message = inbound(api_channel, "x", html='<p onclick="x()">hi<script>alert(1)</script></p>')

    assert "script" not in message.html
    assert "onclick" not in message.html
    assert "hi" in message.html


def test_new_conversation_takes_the_channel_team(db):
    from tests.factories import make_channel, make_team

    team = make_team("Care")
    channel = make_channel("api")
    channel.team = team
    channel.save()

    assert inbound(channel).conversation.team == team
