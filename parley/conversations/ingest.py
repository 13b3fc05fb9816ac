"""ingest_event: the one pipeline every channel's normalized events go through.

dedupe on (channel, external_id) → resolve the customer → thread onto the open
conversation (or reopen / start one) → persist → timeline → push on commit.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from parley.connectors.base import DeliveryUpdate, InboundAttachment, InboundMessage, Normalized
from parley.connectors.models import Channel
from parley.core.oncommit import enqueue_on_commit
from parley.core.text import preview, sanitize_html, storable
from parley.customers.models import Customer
from parley.customers.resolve import resolve_customer
from parley.realtime.push import push_conversation_on_commit

from . import timeline
from .actions import record_delivery_status
from .models import (
    REOPENABLE,
    Attachment,
    Conversation,
    DeliveryStatus,
    Direction,
    InboundEvent,
    InboundStatus,
    Message,
    Status,
)


@dataclass(frozen=True)
class RawInbound:
    """A payload as it arrived, with the reason it is already known to be invalid, if any."""

    channel_id: int
    headers: dict
    body: str
    invalid_reason: str = ""


def accept_inbound_events(payloads: Sequence[RawInbound]) -> list[InboundEvent]:
    """Store raw payloads in the durable inbox in one transaction and, once committed,
    enqueue one task to process the valid ones."""
    from .tasks import process_inbound_events

    with transaction.atomic():
        events = InboundEvent.objects.bulk_create(
            InboundEvent(
                channel_id=raw.channel_id,
                headers=raw.headers,
                body=storable(raw.body),
                status=InboundStatus.FAILED if raw.invalid_reason else InboundStatus.RECEIVED,
                error=storable(raw.invalid_reason),
            )
            for raw in payloads
        )
        valid = [event.pk for event in events if event.status == InboundStatus.RECEIVED]
        if valid:
            enqueue_on_commit(process_inbound_events, valid)
    return events


def ingest_event(event: Normalized) -> Message | None:
    if isinstance(event, DeliveryUpdate):
        ingest_delivery_update(event)
        return None
    return ingest_message(event)


def ingest_message(event: InboundMessage) -> Message:
    """Store one inbound message; the same external id twice gives one message."""
    existing = _find_message(event.channel_id, event.external_id)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _store_message(event)
    except IntegrityError:
        # A concurrent worker stored the same message first.
        duplicate = _find_message(event.channel_id, event.external_id)
        if duplicate is None:
            raise
        return duplicate


def _find_message(channel_id: int, external_id: str) -> Message | None:
    return Message.objects.filter(channel_id=channel_id, external_id=external_id).first()


def _store_message(event: InboundMessage) -> Message:
    channel = Channel.objects.get(pk=event.channel_id)
    customer = resolve_customer(event.sender)
    conversation = _conversation_for(channel, customer, event)
    message = Message.objects.create(
        conversation=conversation,
        channel=channel,
        direction=Direction.INBOUND,
        text=storable(event.text),
        html=storable(sanitize_html(event.html)) if event.html else "",
        external_id=event.external_id,
        reply_to=_find_message(channel.pk, event.reply_to_external_id)
        if event.reply_to_external_id
        else None,
        status=DeliveryStatus.RECEIVED,
        sent_at=event.sent_at,
    )
    _store_attachments(message, event.attachments)
    _note_customer_message(conversation, message)
    timeline.message_received(conversation=conversation, message=message)
    push_conversation_on_commit(conversation, "message")
    return message


def _conversation_for(channel: Channel, customer: Customer, event: InboundMessage) -> Conversation:
    """The active conversation for this thread; a closed one is never reused."""
    conversation = (
        Conversation.objects.select_for_update()
        .filter(channel=channel, thread_ref=event.thread_ref, customer=customer)
        .exclude(status=Status.CLOSED)
        .order_by("-created_at")
        .first()
    )
    if conversation is None:
        conversation = Conversation.objects.create(
            channel=channel,
            customer=customer,
            thread_ref=event.thread_ref,
            subject=storable(event.subject[:255]),
            team=channel.team,
        )
        timeline.conversation_created(conversation=conversation)
    elif conversation.status in REOPENABLE:
        old = conversation.status
        conversation.status = Status.OPEN
        conversation.resolved_at = None
        timeline.status_changed(
            conversation=conversation, old=old, new=Status.OPEN, actor=None, actor_label="customer"
        )
    return conversation


def _note_customer_message(conversation: Conversation, message: Message) -> None:
    now = timezone.now()
    conversation.last_customer_message_at = now
    if conversation.waiting_since is None:
        conversation.waiting_since = now
    conversation.preview = preview(message.text or message.html, 160)
    conversation.save()


def _store_attachments(message: Message, attachments: tuple[InboundAttachment, ...]) -> None:
    for item in attachments:
        attachment = Attachment(
            message=message,
            filename=item.filename[:255],
            content_type=item.content_type[:120],
            size=len(item.content),
        )
        attachment.file.save(item.filename[:100], ContentFile(item.content), save=True)


def ingest_delivery_update(event: DeliveryUpdate) -> None:
    message = _find_message(event.channel_id, event.external_id)
    if message is not None:
        record_delivery_status(message.pk, event.status, reason=event.reason)
