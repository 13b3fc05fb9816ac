"""Stand-in connector for demo channels and for kinds whose connector has not shipped."""

import uuid

from .base import (
    Normalized,
    OutboundMessage,
    PermanentSendError,
    SendResult,
    WebhookRejected,
    WebhookRequest,
)
from .models import Channel


def verify(channel: Channel, request: WebhookRequest) -> None:
    raise WebhookRejected("demo channels accept no webhooks")


def parse(channel: Channel, headers: dict, body: str) -> list[Normalized]:
    return []


def send(channel: Channel, message: OutboundMessage) -> SendResult:
    return SendResult(external_id=f"demo-{uuid.uuid4().hex}")


class NotConnected:
    """Any channel kind without a connector yet: nothing goes out, and the agent is told why."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def verify(self, channel: Channel, request: WebhookRequest) -> None:
        raise WebhookRejected(f"{self.kind} channels cannot receive webhooks yet")

    def parse(self, channel: Channel, headers: dict, body: str) -> list[Normalized]:
        return []

    def send(self, channel: Channel, message: OutboundMessage) -> SendResult:
        raise PermanentSendError(f"sending through {self.kind} channels is not available yet")
