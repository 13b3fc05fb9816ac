"""The generic webhook endpoint refuses what it cannot verify, and stores nothing then."""

import pytest

from parley.conversations.models import InboundEvent
from tests.factories import make_channel

pytestmark = pytest.mark.django_db


def test_unknown_channel_is_404(client):
    response = client.post("/hooks/messenger/999999", b"{}", content_type="application/json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_kind_that_does_not_match_the_channel_is_404(client):
    channel = make_channel("email", address="support@shop.example")

    response = client.post(f"/hooks/whatsapp/{channel.pk}", b"{}", content_type="application/json")

    assert response.status_code == 404


@pytest.mark.parametrize("kind", ["email", "api"])
def test_channels_that_cannot_verify_webhooks_refuse_them(client, kind):
    channel = make_channel(kind, **({"address": "support@shop.example"} if kind == "email" else {}))

    response = client.post(f"/hooks/{kind}/{channel.pk}", b"{}", content_type="application/json")

    assert response.status_code == 401
    assert response.json()["code"] == "webhook_rejected"
    assert InboundEvent.objects.count() == 0


def test_oversized_webhooks_are_413(client, settings):
    settings.PARLEY_MAX_WEBHOOK_BYTES = 10
    channel = make_channel("whatsapp", phone_number_id="1", waba_id="2")

    response = client.post(f"/hooks/whatsapp/{channel.pk}", b"x" * 11, content_type="text/plain")

    assert response.status_code == 413
    assert InboundEvent.objects.count() == 0
