"""The connector protocol: what every channel module provides, and the records it speaks.

A connector is a module (or object) with three functions:

    verify(channel, request) -> None          raise WebhookRejected on a bad signature/token
    parse(channel, event) -> list[Normalized] turn one stored InboundEvent into records
    send(channel, message) -> SendResult      deliver one outbound message, or raise

To add a channel: write `connectors/<kind>.py` with those three functions and register it in
`registry.py`. Guards that apply to every channel (never send notes, never re-send inbound
messages) live once in `conversations.tasks.deliver_message`, not in connectors.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from django.http import HttpRequest

from parley.core.errors import ParleyError
from parley.customers.resolve import IdentityRef

from .models import Channel


class WebhookRejected(ParleyError):
    code = "webhook_rejected"
    http_status = 401


class TransientSendError(Exception):
    """The platform may accept a retry (timeouts, 5xx, rate limits)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class PermanentSendError(Exception):
    """The platform refused the message for good; the reason is shown to the agent."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class InboundMessage:
    channel_id: int
    external_id: str
    thread_ref: str
    sender: IdentityRef
    text: str = ""
    html: str = ""
    subject: str = ""
    sent_at: datetime | None = None
    reply_to_external_id: str | None = None
    attachments: tuple[InboundAttachment, ...] = ()


@dataclass(frozen=True)
class DeliveryUpdate:
    channel_id: int
    external_id: str
    status: str
    reason: str = ""


Normalized = InboundMessage | DeliveryUpdate


@dataclass(frozen=True)
class OutboundMessage:
    message_id: int
    conversation_id: int
    thread_ref: str
    recipient: list[IdentityRef]
    text: str
    html: str
    subject: str
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)


@dataclass(frozen=True)
class SendResult:
    external_id: str | None


class Connector(Protocol):
    def verify(self, channel: Channel, request: HttpRequest) -> None: ...

    def parse(self, channel: Channel, headers: dict, body: str) -> list[Normalized]: ...

    def send(self, channel: Channel, message: OutboundMessage) -> SendResult: ...
