"""Platform channels against the fake Graph API (real HTTP on 127.0.0.1)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from parley.connectors.actions import save_channel
from parley.conversations.models import Conversation
from tests.fakes.graph import FakeGraph, sign

APP_SECRET = "app-secret-for-tests"
VERIFY_TOKEN = "verify-me-please"
PAGE_ID = "104000000000001"
IG_ID = "17841400000000001"
PHONE_NUMBER_ID = "106540000000001"
WABA_ID = "102290129340398"


@pytest.fixture
def graph(settings):
    fake = FakeGraph().start()
    settings.PARLEY_GRAPH_API_URL = fake.url
    yield fake
    fake.stop()


def platform_channel(kind: str, token: str = "page-token", **settings: str):  # noqa: S107
    return save_channel(
        None,
        kind=kind,
        name=f"{kind} test",
        settings=settings,
        secrets={"access_token": token, "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN},
    )


@pytest.fixture
def page(db):
    return platform_channel("messenger", page_id=PAGE_ID)


@pytest.fixture
def instagram(db):
    return platform_channel("instagram", instagram_account_id=IG_ID)


@pytest.fixture
def whatsapp(db):
    return platform_channel(
        "whatsapp", token="wa-token", phone_number_id=PHONE_NUMBER_ID, waba_id=WABA_ID
    )


@pytest.fixture
def deliver(client, commit):
    """POST a signed webhook to the channel's URL; its processing task runs on commit."""

    def post(channel, payload: dict, *, signature: str | None = None):
        body = json.dumps(payload, ensure_ascii=False).encode()
        with commit():
            return client.post(
                f"/hooks/{channel.kind}/{channel.pk}",
                body,
                content_type="application/json",
                HTTP_X_HUB_SIGNATURE_256=signature or sign(body, APP_SECRET),
            )

    return post


def customer_wrote(conversation: Conversation, ago: timedelta) -> None:
    """Move the customer's last message into the past (the messaging windows)."""
    Conversation.objects.filter(pk=conversation.pk).update(
        last_customer_message_at=timezone.now() - ago
    )
    conversation.refresh_from_db()
