"""The connector protocol: what every channel module provides, and the records it speaks.

A connector is a module (or object) with three functions:

    verify(channel, request: WebhookRequest) -> str | None
        raise WebhookRejected on a bad signature/token; return text to answer a
        subscription handshake with; None to store the payload
    parse(channel, headers, body) -> list[Normalized]
        turn one stored payload into records (may call the platform: profiles, media)
    send(channel, message) -> SendResult      deliver one outbound message, or raise

To add a channel: write `connectors/<kind>.py` with those three functions and register it in
`registry.py`. Guards that apply to every channel (never send notes, never re-send inbound
messages) live once in `conversations.tasks.deliver_message`, not in connectors.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from parley.core.errors import ParleyError
from parley.customers.resolve import IdentityRef

from .models import Channel


@dataclass(frozen=True)
class WebhookRequest:
    """A webhook call as connectors see it, from Django's request or the lean ASGI path."""

    method: str
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-case names
    body: bytes


class WebhookRejected(ParleyError):
    code = "webhook_rejected"
    http_status = 401


class BadSignature(WebhookRejected):
    code = "bad_signature"
    http_status = 403


class TransientSendError(Exception):
    """The platform may accept a retry (timeouts, 5xx, rate limits)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class PermanentSendError(Exception):
    """The platform refused the message for good; the reason is shown to the agent.
    `channel_problem` marks a fault of the channel itself (an invalid token), which
    admins must fix before anything else goes out."""

    def __init__(self, reason: str, *, channel_problem: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.channel_problem = channel_problem


class MediaUnavailable(Exception):
    """An attachment the platform would not hand over: the message is kept and says why."""


@dataclass(frozen=True)
class InboundAttachment:
    """Content inline, or `fetch` to download it while the message is stored (platform
    media URLs expire: we keep a copy, never a link)."""

    filename: str
    content_type: str
    content: bytes = b""
    # Returns the content and its type (the platform's, when it says).
    fetch: Callable[[], tuple[bytes, str]] | None = None


@dataclass(frozen=True)
class InboundMessage:
    """A message in a conversation. `from_business` marks one the business sent from
    elsewhere (the page's own app, another tool): `sender` is then the customer it went to,
    and it is recorded as a reply, never as the customer's message."""

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
    from_business: bool = False
    # Structured extras shown with the message: quick reply / postback payloads, story,
    # location, contacts, order, comment visibility…
    details: dict = field(default_factory=dict)
    # What a new conversation is about (a comment thread's post link and caption).
    origin: dict = field(default_factory=dict)
    # The conversation the message itself names (an email's In-Reply-To / References or
    # ticket reference): followed over thread_ref while that conversation is not closed.
    conversation_id: int | None = None
    # Sent by a machine (an out-of-office, a mailing list): threaded and shown, but it
    # never reopens a conversation nor triggers Parley's own automatic replies.
    automatic: bool = False
    # Order numbers the message states outright (a form's order-number field); numbers
    # written in the text are found by ingest.
    order_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeliveryUpdate:
    channel_id: int
    external_id: str
    status: str
    reason: str = ""


@dataclass(frozen=True)
class ReadUpTo:
    """Every reply to this customer on this channel sent before `up_to` reached `status`
    (Messenger's delivery and read watermarks)."""

    channel_id: int
    customer: IdentityRef
    status: str
    up_to: datetime


@dataclass(frozen=True)
class Reaction:
    """The customer reacted to a message; an empty emoji removes their reaction."""

    channel_id: int
    external_id: str
    sender: IdentityRef
    emoji: str


@dataclass(frozen=True)
class Removal:
    """A message was unsent or deleted ("deleted"), or hidden / shown again ("hidden",
    "unhidden") on the platform."""

    channel_id: int
    external_id: str
    how: str


@dataclass(frozen=True)
class IdentityLink:
    """The customer behind `known` also goes by `new` (a WhatsApp number change)."""

    known: IdentityRef
    new: IdentityRef


@dataclass(frozen=True)
class Unhandled:
    """Part of a payload Parley does not act on: kept with the event and listed as
    unprocessed, never an error."""

    what: str


Normalized = (
    InboundMessage | DeliveryUpdate | ReadUpTo | Reaction | Removal | IdentityLink | Unhandled
)


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
    # When the customer last wrote: platforms with messaging windows check it.
    customer_wrote_at: datetime | None = None
    # The customer's latest message on the platform (the comment a reply goes under).
    last_customer_external_id: str | None = None
    # Channel-specific choices made in the composer: {"comment_reply": "public"|"private"},
    # {"template": {"name", "language", "parameters": [...]}}.
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SendResult:
    external_id: str | None


class Connector(Protocol):
    def verify(self, channel: Channel, request: WebhookRequest) -> str | None: ...

    def parse(self, channel: Channel, headers: dict, body: str) -> list[Normalized]: ...

    def send(self, channel: Channel, message: OutboundMessage) -> SendResult: ...
