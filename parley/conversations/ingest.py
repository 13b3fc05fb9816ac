"""ingest_event: the one pipeline every channel's normalized events go through.

dedupe on (channel, external_id) → resolve the customer → thread onto the open
conversation (or reopen / start one) → persist → timeline → push on commit.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeGuard

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from parley.automation.hooks import automate_on_commit
from parley.connectors.base import (
    DeliveryUpdate,
    IdentityLink,
    InboundAttachment,
    InboundMessage,
    MediaUnavailable,
    Normalized,
    Reaction,
    ReadUpTo,
    Removal,
)
from parley.connectors.models import Channel
from parley.core.oncommit import enqueue_on_commit
from parley.core.text import preview, sanitize_html, storable
from parley.customers.duplicates import suggest_merge
from parley.customers.models import Customer, SuggestionReason
from parley.customers.orders import mentioned_order_numbers, orders_named
from parley.customers.resolve import (
    find_customer,
    link_identity,
    resolve_customer,
    resolve_customers,
)
from parley.realtime.push import push_conversation_on_commit

from . import timeline
from .actions import record_delivery_status
from .models import (
    DELIVERY_ORDER,
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
    """Apply one normalized record; Unhandled ones are left to the caller to report."""
    if isinstance(event, InboundMessage):
        return ingest_message(event)
    if isinstance(event, DeliveryUpdate):
        ingest_delivery_update(event)
    elif isinstance(event, ReadUpTo):
        ingest_read_up_to(event)
    elif isinstance(event, Reaction):
        ingest_reaction(event)
    elif isinstance(event, Removal):
        ingest_removal(event)
    elif isinstance(event, IdentityLink):
        link_identity(event.known, event.new)
    return None


def ingest_message(event: InboundMessage) -> Message | None:
    """Store one inbound message; the same external id twice gives one message. None when
    it belongs to no conversation (a page's own comment under its post)."""
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


def _store_message(event: InboundMessage) -> Message | None:
    if event.from_business:
        return _store_business_message(event)
    channel = Channel.objects.get(pk=event.channel_id)
    customer = resolve_customer(event.sender)
    conversation = _conversation_for(channel, customer, event)
    message = _create_message(event, conversation, Direction.INBOUND, DeliveryStatus.RECEIVED)
    _note_customer_message(conversation, message, waiting=not event.automatic)
    timeline.message_received(conversation=conversation, message=message)
    _link_named_orders(conversation, customer, event)
    if not event.automatic:
        automate_on_commit([message])
    push_conversation_on_commit(conversation, "message")
    return message


def _link_named_orders(
    conversation: Conversation, customer: Customer, event: InboundMessage
) -> None:
    """Orders the message names go beside the conversation; naming someone else's order
    suggests that the two profiles are one shopper."""
    orders = orders_named(customer, _order_numbers(event))
    if not orders:
        return
    conversation.orders.add(*orders)
    for order in orders:
        if order.customer_id != customer.pk:
            suggest_merge(
                customer, order.customer, SuggestionReason.SAME_ORDER, f"order #{order.number}"
            )


def _create_message(
    event: InboundMessage, conversation: Conversation, direction: str, status: str
) -> Message:
    message = Message.objects.create(
        conversation=conversation,
        channel_id=event.channel_id,
        direction=direction,
        text=storable(event.text),
        html=storable(sanitize_html(event.html)) if event.html else "",
        external_id=event.external_id,
        reply_to=_find_message(event.channel_id, event.reply_to_external_id)
        if event.reply_to_external_id
        else None,
        status=status,
        sent_at=event.sent_at,
        details=event.details,
    )
    _store_attachments(message, event.attachments)
    return message


def _store_business_message(event: InboundMessage) -> Message | None:
    """A message the business sent from elsewhere (the page's app, another tool, a reply
    under a comment): recorded as a reply in the customer's conversation — or, with no
    conversation yet, in a new one waiting on the customer."""
    conversation = _conversation_replied_to(event)
    if conversation is None and not event.sender.value:
        return None  # A page's own comment under its post, not in any customer's thread.
    if conversation is None:
        channel = Channel.objects.get(pk=event.channel_id)
        customer = resolve_customer(event.sender)
        conversation = _active_conversation(channel, customer, event.thread_ref)
        if conversation is None:
            conversation = _start_conversation(channel, customer, event, status=Status.PENDING)
    own = _own_reply_awaiting_its_id(conversation, event)
    if own is not None:
        return own
    message = _create_message(event, conversation, Direction.OUTBOUND, DeliveryStatus.SENT)
    now = timezone.now()
    conversation.last_agent_message_at = now
    conversation.first_response_at = conversation.first_response_at or now
    conversation.waiting_since = None
    conversation.save()
    timeline.reply_recorded(conversation=conversation, message=message)
    push_conversation_on_commit(conversation, "message")
    return message


def _own_reply_awaiting_its_id(conversation: Conversation, event: InboundMessage) -> Message | None:
    """Platforms echo Parley's own replies too, sometimes before the send call has returned
    the id: the echo then names the agent's reply, not a message from elsewhere."""
    reply = (
        conversation.messages.filter(
            direction=Direction.OUTBOUND,
            author__isnull=False,
            external_id__isnull=True,
            text=storable(event.text),
        )
        .order_by("-created_at")
        .first()
    )
    if reply is not None:
        reply.external_id = event.external_id
        reply.save(update_fields=["external_id"])
    return reply


def _conversation_replied_to(event: InboundMessage) -> Conversation | None:
    if not event.reply_to_external_id:
        return None
    replied = _find_message(event.channel_id, event.reply_to_external_id)
    return replied.conversation if replied else None


def _conversation_for(channel: Channel, customer: Customer, event: InboundMessage) -> Conversation:
    """The active conversation for this thread; a closed one is never reused."""
    conversation = _named_conversation(event) or _active_conversation(
        channel, customer, event.thread_ref
    )
    if conversation is None:
        conversation = _start_conversation(channel, customer, event)
        if not event.automatic:
            acknowledge_on_commit(channel, conversation)
    elif conversation.status in REOPENABLE and not event.automatic:
        old = conversation.status
        conversation.status = Status.OPEN
        conversation.resolved_at = None
        timeline.status_changed(
            conversation=conversation, old=old, new=Status.OPEN, actor=None, actor_label="customer"
        )
    return conversation


def _named_conversation(event: InboundMessage) -> Conversation | None:
    if event.conversation_id is None:
        return None
    return (
        Conversation.objects.select_for_update()
        .filter(pk=event.conversation_id)
        .exclude(status=Status.CLOSED)
        .first()
    )


def acknowledge_on_commit(channel: Channel, conversation: Conversation) -> None:
    """The channel's automatic acknowledgement, once a customer's message starts a
    conversation (never in answer to a machine)."""
    from .tasks import send_acknowledgement

    if channel.settings.get("acknowledgement"):
        enqueue_on_commit(send_acknowledgement, conversation.pk)


def _active_conversation(
    channel: Channel, customer: Customer, thread_ref: str
) -> Conversation | None:
    return (
        Conversation.objects.select_for_update()
        .filter(channel=channel, thread_ref=thread_ref, customer=customer)
        .exclude(status=Status.CLOSED)
        .order_by("-created_at")
        .first()
    )


def _new_conversation(channel: Channel, customer: Customer, event: InboundMessage) -> Conversation:
    """The conversation a first message starts, not saved yet."""
    return Conversation(
        channel=channel,
        customer=customer,
        thread_ref=event.thread_ref,
        # One line: a subject goes into mail headers.
        subject=storable(" ".join(event.subject.split())[:255]),
        team=channel.team,
        origin=event.origin,
    )


def _start_conversation(
    channel: Channel, customer: Customer, event: InboundMessage, status: str = Status.NEW
) -> Conversation:
    conversation = _new_conversation(channel, customer, event)
    conversation.status = status
    conversation.save(force_insert=True)
    timeline.conversation_created(conversation=conversation)
    return conversation


def _note_customer_message(conversation: Conversation, message: Message, *, waiting: bool) -> None:
    now = timezone.now()
    conversation.last_customer_message_at = _latest_wrote(conversation, message, now)
    if waiting and conversation.waiting_since is None:
        conversation.waiting_since = now
    conversation.preview = preview(message.text or message.html, 160)
    conversation.save()


def _latest_wrote(conversation: Conversation, message: Message, now: datetime) -> datetime:
    """When the customer last wrote, by the platform's clock: messaging windows count from
    there, not from when a delayed or replayed webhook was processed."""
    wrote = min(message.sent_at, now) if message.sent_at else now
    earlier = conversation.last_customer_message_at
    return max(wrote, earlier) if earlier else wrote


def can_ingest_together(event: Normalized) -> TypeGuard[InboundMessage]:
    """What ingest_messages handles; everything else takes the one-at-a-time path."""
    return (
        isinstance(event, InboundMessage)
        and not event.attachments
        and not event.from_business
        and event.conversation_id is None
        and not event.automatic
        and not _order_numbers(event)
    )


def _order_numbers(event: InboundMessage) -> list[str]:
    written = mentioned_order_numbers(f"{event.subject}\n{event.text}")
    return list(dict.fromkeys([*event.order_numbers, *written]))


def ingest_messages(events: Sequence[InboundMessage]) -> None:
    """ingest_message for each event in order, with a handful of statements for all of
    them: one query per stage (known ids, identities, active conversations) and one insert
    per table. A conflict with concurrent work raises; the caller then redoes the events one
    at a time, which is the definition of what they must do."""
    fresh = _unseen(events)
    if not fresh:
        return
    batch = _Threading(
        channels=Channel.objects.in_bulk({event.channel_id for event in fresh}),
        replied_to=_replied_to(fresh),
    )
    customers = resolve_customers([event.sender for event in fresh])
    batch.threads = _active_conversations(fresh, customers)
    for event, customer in zip(fresh, customers, strict=True):
        batch.add(event, customer)
    Conversation.objects.bulk_create(batch.created)
    _update_touched(batch)
    Message.objects.bulk_create(batch.messages)
    _record_arrivals(batch)


@dataclass
class _Threading:
    """The rows a batch of inbound messages creates or changes, built before any is written."""

    channels: dict[int, Channel]
    replied_to: dict[tuple[int, str], Message]
    threads: dict[tuple[int, str, int], Conversation] = field(default_factory=dict)
    created: list[Conversation] = field(default_factory=list)
    reopened: dict[int, str] = field(default_factory=dict)  # conversation pk → old status
    touched: dict[int, Conversation] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    now: datetime = field(default_factory=timezone.now)

    def add(self, event: InboundMessage, customer: Customer) -> None:
        conversation = self._conversation(event, customer)
        message = _inbound_message(event, conversation, self.replied_to)
        self.messages.append(message)
        conversation.last_customer_message_at = _latest_wrote(conversation, message, self.now)
        conversation.waiting_since = conversation.waiting_since or self.now
        conversation.preview = preview(message.text or message.html, 160)
        conversation.updated_at = self.now

    def _conversation(self, event: InboundMessage, customer: Customer) -> Conversation:
        key = (event.channel_id, event.thread_ref, customer.pk)
        conversation = self.threads.get(key)
        if conversation is None:
            channel = self.channels[event.channel_id]
            conversation = self.threads[key] = _new_conversation(channel, customer, event)
            self.created.append(conversation)
            return conversation
        if conversation.pk is not None:
            self.touched[conversation.pk] = conversation
        if conversation.status in REOPENABLE:
            self.reopened[conversation.pk] = conversation.status
            conversation.status = Status.OPEN
            conversation.resolved_at = None
        return conversation


def _update_touched(batch: _Threading) -> None:
    """What the batch changed on existing conversations, in three statements: the fields
    every one of them shares, the reopened ones, and the per-row values (bulk_update builds
    a CASE per field and row, so it gets only those two)."""
    touched = Conversation.objects.filter(pk__in=batch.touched)
    touched.update(
        updated_at=batch.now,
        waiting_since=Coalesce("waiting_since", Value(batch.now)),
    )
    if batch.reopened:
        touched.filter(pk__in=batch.reopened).update(status=Status.OPEN, resolved_at=None)
    Conversation.objects.bulk_update(
        batch.touched.values(), ["preview", "last_customer_message_at"]
    )


def _unseen(events: Sequence[InboundMessage]) -> list[InboundMessage]:
    """The events not stored before and not repeated earlier in the batch."""
    known = set(
        Message.objects.filter(
            channel_id__in={event.channel_id for event in events},
            external_id__in={event.external_id for event in events},
        ).values_list("channel_id", "external_id")
    )
    fresh = []
    for event in events:
        key = (event.channel_id, event.external_id)
        if key not in known:
            known.add(key)
            fresh.append(event)
    return fresh


def _active_conversations(
    events: list[InboundMessage], customers: list[Customer]
) -> dict[tuple[int, str, int], Conversation]:
    """The newest conversation that is not closed for each (channel, thread, customer)."""
    candidates = (
        Conversation.objects.select_for_update()
        .filter(
            channel_id__in={event.channel_id for event in events},
            thread_ref__in={event.thread_ref for event in events},
            customer_id__in={customer.pk for customer in customers},
        )
        .exclude(status=Status.CLOSED)
        .order_by("created_at", "pk")
    )
    # Ascending order: the newest of each key is the one left in the dict.
    return {(c.channel_id, c.thread_ref, c.customer_id): c for c in candidates}


def _replied_to(events: list[InboundMessage]) -> dict[tuple[int, str], Message]:
    wanted = {(e.channel_id, e.reply_to_external_id) for e in events if e.reply_to_external_id}
    if not wanted:
        return {}
    if wanted & {(e.channel_id, e.external_id) for e in events}:
        # A reply to a message in the same batch: its row does not exist yet.
        raise NotTogether("a message replies to another in the same batch")
    found = Message.objects.filter(
        channel_id__in={channel_id for channel_id, _ in wanted},
        external_id__in={external_id for _, external_id in wanted},
    )
    return {(m.channel_id, m.external_id): m for m in found if m.external_id}


def _inbound_message(
    event: InboundMessage, conversation: Conversation, replied_to: dict[tuple[int, str], Message]
) -> Message:
    return Message(
        conversation=conversation,
        channel_id=event.channel_id,
        direction=Direction.INBOUND,
        text=storable(event.text),
        html=storable(sanitize_html(event.html)) if event.html else "",
        external_id=event.external_id,
        reply_to=replied_to.get((event.channel_id, event.reply_to_external_id or "")),
        status=DeliveryStatus.RECEIVED,
        sent_at=event.sent_at,
        details=event.details,
    )


def _record_arrivals(batch: _Threading) -> None:
    """The timeline entries ingest_message would have written, in the same order."""
    announced: set[int] = set()
    created = {conversation.pk for conversation in batch.created}
    with timeline.recorded_together():
        for message in batch.messages:
            conversation = message.conversation
            if conversation.pk not in announced:
                announced.add(conversation.pk)
                _announce(conversation, batch.reopened.get(conversation.pk), created)
            timeline.message_received(conversation=conversation, message=message)
    for conversation in batch.threads.values():
        if conversation.pk in announced:
            push_conversation_on_commit(conversation, "message")
    for conversation in batch.created:
        acknowledge_on_commit(batch.channels[conversation.channel_id], conversation)
    automate_on_commit(batch.messages)


def _announce(conversation: Conversation, reopened_from: str | None, created: set[int]) -> None:
    if reopened_from is not None:
        timeline.status_changed(
            conversation=conversation,
            old=reopened_from,
            new=Status.OPEN,
            actor=None,
            actor_label="customer",
        )
    elif conversation.pk in created:
        timeline.conversation_created(conversation=conversation)


class NotTogether(Exception):
    """This batch has to be ingested one event at a time."""


def _store_attachments(message: Message, attachments: tuple[InboundAttachment, ...]) -> None:
    for item in attachments:
        content, content_type, problem = item.content, item.content_type, ""
        if item.fetch is not None:
            try:
                content, fetched_type = item.fetch()
                content_type = fetched_type or content_type
            except MediaUnavailable as exc:
                problem = f"Could not be downloaded: {exc}"
        attachment = Attachment(
            message=message,
            filename=item.filename[:255],
            content_type=(content_type or "application/octet-stream")[:120],
            size=len(content),
            problem=storable(problem[:300]),
        )
        if problem:
            attachment.save()
        else:
            attachment.file.save(item.filename[:100], ContentFile(content), save=True)


def ingest_delivery_update(event: DeliveryUpdate) -> None:
    message = _find_message(event.channel_id, event.external_id)
    if message is not None:
        record_delivery_status(message.pk, event.status, reason=event.reason)


# Watermarks are bounded: only recent replies can still be waiting for a receipt.
WATERMARK_SCAN = 200


def ingest_read_up_to(event: ReadUpTo) -> None:
    """Every reply to this customer sent before the watermark reached the status."""
    customer = find_customer(event.customer)
    if customer is None:
        return
    behind = [
        status for status, rank in DELIVERY_ORDER.items() if rank < DELIVERY_ORDER[event.status]
    ]
    waiting = Message.objects.filter(
        channel_id=event.channel_id,
        conversation__customer=customer,
        direction=Direction.OUTBOUND,
        status__in=[s for s in behind if s != DeliveryStatus.QUEUED],
        sent_at__lte=event.up_to,
    ).order_by("-sent_at")[:WATERMARK_SCAN]
    for message_id in waiting.values_list("pk", flat=True):
        record_delivery_status(message_id, event.status)


def ingest_reaction(event: Reaction) -> None:
    """Shown on the message it reacts to; never a new conversation."""
    message = _find_message(event.channel_id, event.external_id)
    if message is None:
        return
    who = event.sender.value or "customer"
    if event.emoji:
        message.reactions[who] = storable(event.emoji[:32])
    else:
        message.reactions.pop(who, None)
    message.save(update_fields=["reactions"])
    push_conversation_on_commit(message.conversation, "message")


def _drop_from_preview(deleted: Message) -> None:
    """The inbox preview shows the latest message still there, never a deleted one."""
    latest = (
        deleted.conversation.messages.filter(deleted_at__isnull=True)
        .exclude(direction=Direction.NOTE)
        .exclude(pk=deleted.pk)
        .order_by("-created_at", "-pk")
        .first()
    )
    text = preview(latest.text or latest.html, 160) if latest else ""
    Conversation.objects.filter(pk=deleted.conversation_id).update(preview=text)


def ingest_removal(event: Removal) -> None:
    """Deleted messages keep their text for leads and admins; hidden ones are marked."""
    message = _find_message(event.channel_id, event.external_id)
    if message is None:
        return
    if event.how == "deleted":
        message.deleted_at = message.deleted_at or timezone.now()
        _drop_from_preview(message)
    elif event.how == "hidden":
        message.details = {**message.details, "hidden": True}
    else:
        message.details = {k: v for k, v in message.details.items() if k != "hidden"}
    message.save(update_fields=["deleted_at", "details"])
    push_conversation_on_commit(message.conversation, "message")
