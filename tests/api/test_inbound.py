"""POST /api/v1/channels/{id}/messages: the API channel's durable inbound endpoint."""

import base64
import json

import pytest

from parley.conversations.models import Conversation, InboundEvent, InboundStatus, Message
from tests.conftest import api_client
from tests.factories import make_agent, make_channel

pytestmark = pytest.mark.django_db


def post(client, channel, payload, **kwargs):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(
        f"/api/v1/channels/{channel.pk}/messages", body, content_type="application/json", **kwargs
    )


def message(external_id="m-1", **extra):
    return {
        "external_id": external_id,
        "sender": {"kind": "email", "id": "ann@example.com", "name": "Ann"},
        "text": "Where is my order #1042?",
        **extra,
    }


def test_a_valid_message_is_stored_then_ingested(api, api_channel, commit):
    with commit():
        response = post(api, api_channel, message())

    assert response.status_code == 202
    event = InboundEvent.objects.get(pk=response.json()["event_id"])
    assert event.status == InboundStatus.PROCESSED
    conversation = Conversation.objects.get()
    assert conversation.customer.name == "Ann"
    assert conversation.messages.get().text == "Where is my order #1042?"


def test_the_same_payload_twice_creates_one_message(api, api_channel, commit):
    with commit():
        post(api, api_channel, message())
        post(api, api_channel, message())

    assert InboundEvent.objects.count() == 2
    assert Message.objects.count() == 1
    assert Conversation.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("{not json", "Invalid JSON"),
        ({"sender": {"kind": "email", "id": "a@b.c"}, "text": "x"}, "external_id"),
        (message(sender={"kind": "fax", "id": "1"}), "sender.kind"),
        (message(text=""), "needs text"),
        (message(attachments=[{"filename": "a.png", "data": "%%%"}]), "not valid base64"),
        (message(external_id="x" * 300), "external_id"),
        ([1, 2, 3], "body"),
    ],
)
def test_malformed_payloads_get_a_400_naming_the_problem_and_are_kept(
    api, api_channel, payload, reason, commit
):
    with commit():
        response = post(api, api_channel, payload)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_payload"
    assert reason in response.json()["detail"]
    kept = InboundEvent.objects.get()
    assert kept.status == InboundStatus.FAILED
    assert reason in kept.error
    assert Message.objects.count() == 0


def test_a_payload_with_an_invalid_identity_value_fails_in_processing_and_is_kept(
    api, api_channel, commit
):
    with commit():
        response = post(api, api_channel, message(sender={"kind": "email", "id": "nobody"}))

    assert response.status_code == 202
    event = InboundEvent.objects.get()
    assert event.status == InboundStatus.FAILED
    assert "not an e-mail address" in event.error


def test_attachments_arrive_decoded(api, api_channel, commit):
    data = base64.b64encode(b"%PDF-1.4 invoice").decode()
    attachments = [{"filename": "invoice.pdf", "content_type": "application/pdf", "data": data}]
    with commit():
        post(api, api_channel, message(attachments=attachments))

    stored = Message.objects.get().attachments.get()
    assert stored.file.read() == b"%PDF-1.4 invoice"


def test_oversized_attachments_are_refused(api, api_channel, settings, commit):
    settings.PARLEY_MAX_ATTACHMENT_BYTES = 10
    data = base64.b64encode(b"x" * 11).decode()
    with commit():
        response = post(api, api_channel, message(attachments=[{"filename": "big", "data": data}]))

    assert response.status_code == 400
    assert "larger than 10 bytes" in response.json()["detail"]


def test_oversized_payloads_get_413_and_nothing_is_stored(api, api_channel, settings):
    settings.PARLEY_MAX_WEBHOOK_BYTES = 100

    response = post(api, api_channel, message(text="x" * 200))

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert InboundEvent.objects.count() == 0


def test_no_token_gets_401_and_nothing_is_stored(client, api_channel):
    response = post(client, api_channel, message())

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert InboundEvent.objects.count() == 0


def test_a_plain_agent_token_may_not_feed_channels(api_channel):
    response = post(api_client(make_agent("agent")), api_channel, message())

    assert response.status_code == 403
    assert InboundEvent.objects.count() == 0


def test_only_api_channels_accept_this_endpoint(api):
    email = make_channel("email", address="support@shop.example")

    assert post(api, email, message()).status_code == 404
