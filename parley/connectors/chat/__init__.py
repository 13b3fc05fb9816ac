"""The live chat channel: the embeddable widget on a customer's site.

Inbound: visitors write over the widget's WebSocket (consumer.py) or, with an attachment,
over HTTP (views.py); both store the payload with `accept_inbound_events` first, like every
channel, and `parse` below turns it into records later. A payload is our own JSON:

    {"type": "message", "visitor": {id, name, email, verified}, "client_id", "text",
     "sent_at", "page", "attachments": [{filename, content_type, data (base64)}]}
    {"type": "contact", "visitor": {…}}      the visitor left their email

Outbound: a reply goes to the visitor's open widgets; when none confirms it (the visitor
left), it continues by email through the channel named in settings["email_channel_id"],
to the address the visitor gave.
"""

import base64
import binascii
import json
import logging
from datetime import datetime

from asgiref.sync import async_to_sync

from parley.conversations.models import Message
from parley.customers.models import IdentityKind
from parley.realtime.presence import send_and_confirm

from ..base import (
    IdentityLink,
    InboundAttachment,
    InboundMessage,
    Normalized,
    OutboundMessage,
    SendResult,
    WebhookRejected,
    WebhookRequest,
)
from ..models import Channel, ChannelKind
from .frames import message_frame, visitor_group
from .identity import Visitor

logger = logging.getLogger(__name__)


def verify(channel: Channel, request: WebhookRequest) -> None:
    raise WebhookRejected("chat visitors write through the widget, not a webhook")


def parse(channel: Channel, headers: dict, body: str) -> list[Normalized]:
    payload = json.loads(body)
    visitor = Visitor(**payload["visitor"])
    sender = visitor.sender(channel)
    records: list[Normalized] = []
    if payload["type"] == "message":
        records.append(_message(channel, visitor, payload))
    elif payload["type"] != "contact":
        raise ValueError(f"unknown chat payload type {payload['type']!r}")
    linked = visitor.linked(channel)
    if linked is not None:
        # After the message: the identity it links to must exist by then.
        records.append(IdentityLink(known=sender, new=linked))
    return records


def _message(channel: Channel, visitor: Visitor, payload: dict) -> InboundMessage:
    return InboundMessage(
        channel_id=channel.pk,
        external_id=f"{visitor.id}:{payload['client_id']}"[:255],
        thread_ref=visitor.id,
        sender=visitor.sender(channel),
        text=payload.get("text", ""),
        sent_at=datetime.fromisoformat(payload["sent_at"]),
        attachments=tuple(_attachment(item) for item in payload.get("attachments", [])),
        details=_details(visitor, payload),
    )


def _details(visitor: Visitor, payload: dict) -> dict:
    details = {"page": str(payload["page"])[:500]} if payload.get("page") else {}
    if visitor.email and not visitor.verified:
        # Where replies continue by email, even when the address is another customer's
        # and so not linked to this one (joining them is an agent's call).
        details["visitor_email"] = visitor.email
    return details


def _attachment(item: dict) -> InboundAttachment:
    try:
        content = base64.b64decode(item["data"], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"attachment {item.get('filename')!r} is not valid base64") from None
    return InboundAttachment(item["filename"], item["content_type"], content)


def send(channel: Channel, message: OutboundMessage) -> SendResult:
    reply = Message.objects.select_related("author").get(pk=message.message_id)
    event = {"type": "chat.frame", "frame": message_frame(channel, reply)}
    group = visitor_group(channel.pk, message.thread_ref)
    if async_to_sync(send_and_confirm)(group, event):
        return SendResult(external_id=None)
    return _continue_by_email(channel, message)


def _continue_by_email(channel: Channel, message: OutboundMessage) -> SendResult:
    """The visitor is gone: the reply waits in their widget and, when they left an
    address and the channel names an email channel, goes to them by email too."""
    address = _visitor_address(message)
    email_channel = Channel.objects.filter(
        pk=channel.settings.get("email_channel_id") or 0, kind=ChannelKind.EMAIL, active=True
    ).first()
    if address is None or email_channel is None:
        return SendResult(external_id=None)
    from parley.connectors.email.send import send_as_email

    return send_as_email(email_channel, message, address)


def _visitor_address(message: OutboundMessage) -> str | None:
    given = (
        Message.objects.filter(
            conversation_id=message.conversation_id, details__has_key="visitor_email"
        )
        .order_by("-created_at", "-pk")
        .values_list("details__visitor_email", flat=True)
        .first()
    )
    known = (r.value for r in message.recipient if r.kind == IdentityKind.EMAIL)
    return given or next(known, None)
