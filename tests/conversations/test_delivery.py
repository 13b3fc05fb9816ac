"""Delivering replies through a channel's connector, against a real HTTP endpoint."""

import hashlib
import hmac

import pytest
from django_tasks_db.models import DBTaskResult

from parley.conversations import actions
from parley.conversations.models import DeliveryStatus, EntryKind
from parley.conversations.tasks import deliver_message
from tests.factories import inbound, make_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def callback_channel(recorder):
    channel = make_channel("api", callback_url=recorder.url + "/parley")
    channel.set_secret("callback_secret", "s3cret")
    channel.save()
    return channel


def test_reply_is_posted_signed_to_the_callback(callback_channel, recorder, agent, commit):
    recorder.responses.append((200, {"id": "their-77"}, {}))
    conversation = inbound(callback_channel, "hi", sender="ann@example.com").conversation

    with commit():
        message = actions.send_reply(agent, conversation, "Hello Ann")

    request = recorder.requests[0]
    expected = hmac.new(b"s3cret", request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Parley-Signature"] == "sha256=" + expected
    assert request.json()["text"] == "Hello Ann"
    assert request.json()["recipient"] == [{"kind": "email", "id": "ann@example.com"}]
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT
    assert message.external_id == "their-77"


def test_a_refusal_fails_the_message_with_the_reason_on_the_timeline(
    callback_channel, recorder, agent, commit
):
    recorder.responses.append((400, {"error": "no such user"}, {}))
    conversation = inbound(callback_channel).conversation

    with commit():
        message = actions.send_reply(agent, conversation, "Hello")

    message.refresh_from_db()
    assert message.status == DeliveryStatus.FAILED
    assert "HTTP 400" in message.failure_reason
    failed = conversation.timeline.get(kind=EntryKind.DELIVERY_FAILED)
    assert "HTTP 400" in failed.data["reason"]


def test_a_transient_error_is_retried_later_honouring_retry_after(
    callback_channel, recorder, agent, commit, db_task_backend
):
    recorder.responses.append((503, {}, {"Retry-After": "120"}))
    conversation = inbound(callback_channel).conversation
    message = actions.send_reply(agent, conversation, "Hello")

    with commit():
        outcome = deliver_message.call(message.pk)

    assert outcome == "retrying"
    message.refresh_from_db()
    assert message.status == DeliveryStatus.QUEUED
    assert message.attempts == 1
    retry = DBTaskResult.objects.filter(task_path__endswith="deliver_message").last()
    assert retry is not None
    assert (retry.run_after - retry.enqueued_at).total_seconds() == pytest.approx(120, abs=5)


def test_notes_and_inbound_messages_never_reach_a_connector(
    callback_channel, recorder, agent, commit
):
    conversation = inbound(callback_channel, "customer text").conversation
    with commit():
        note = actions.add_note(agent, conversation, "secret internal remark")

    assert deliver_message.call(note.pk) == "not a reply"
    assert deliver_message.call(conversation.messages.first().pk) == "not a reply"
    assert recorder.requests == []


def test_demo_channels_accept_replies_locally(agent, commit):
    channel = make_channel("instagram", demo=True)
    conversation = inbound(channel, "hi", kind="instagram", sender="1789").conversation

    with commit():
        message = actions.send_reply(agent, conversation, "hello")

    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT
    assert message.external_id.startswith("demo-")


def test_kinds_without_a_connector_fail_with_a_plain_reason(agent, commit):
    channel = make_channel("x")
    conversation = inbound(channel, "hi", kind="x", sender="12345").conversation

    with commit():
        message = actions.send_reply(agent, conversation, "hello")

    message.refresh_from_db()
    assert message.status == DeliveryStatus.FAILED
    assert "not available yet" in message.failure_reason
