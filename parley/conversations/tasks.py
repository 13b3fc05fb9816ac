"""Background work: processing stored inbound events and delivering replies.

Tasks take ids and are idempotent: running one twice does no harm.
"""

import logging
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from parley.automation.outside_hours import replaces_acknowledgement
from parley.connectors.actions import report_channel_problem
from parley.connectors.base import (
    Normalized,
    OutboundMessage,
    PermanentSendError,
    TransientSendError,
    Unhandled,
)
from parley.connectors.registry import connector_for
from parley.core.text import storable
from parley.core.writes import one_writer
from parley.customers.resolve import IdentityRef
from parley.realtime.push import batched_pushes

from .actions import record_delivery_status, send_automatic_reply
from .ingest import can_ingest_together, ingest_event, ingest_messages
from .models import (
    Conversation,
    DeliveryStatus,
    Direction,
    InboundEvent,
    InboundStatus,
    Message,
)

logger = logging.getLogger(__name__)
MAX_DELIVERY_ATTEMPTS = 6


# Events are processed in the batches they were accepted in: one task per batch keeps the
# queue's own bookkeeping from costing more than the work under load. Runs of plain
# messages are ingested together (up to EVENTS_TOGETHER events in one transaction); the
# rest, and any run that conflicts with concurrent work, one event at a time, a few events
# a transaction (each in its own savepoint). Both bounds keep SQLite's write lock short.
EVENTS_TOGETHER = 100
EVENTS_PER_TRANSACTION = 5


@task()
def process_inbound_events(event_ids: list[int]) -> dict[str, int]:
    events = list(
        InboundEvent.objects.select_related("channel").filter(pk__in=event_ids).order_by("pk")
    )
    pending = [event for event in events if event.status != InboundStatus.PROCESSED]
    outcomes = Counter({"skipped": len(events) - len(pending)})
    # Parsed once: parsing may call the platform (profiles), which must not happen twice.
    parsed = {event.pk: _parse(event) for event in pending}
    with batched_pushes():
        for run, plain in _runs(pending, parsed):
            records = [parsed[event.pk] or [] for event in run]
            if plain and _process_together(run, records):
                outcomes.update(_outcome(each) for each in records)
            else:
                _process_one_by_one(run, outcomes, parsed)
    return {outcome: count for outcome, count in outcomes.items() if count}


def _runs(
    events: list[InboundEvent], parsed: dict[int, list[Normalized] | None]
) -> Iterator[tuple[list[InboundEvent], bool]]:
    """Runs of consecutive events whose records are all plain messages (True), and each
    other event alone (False)."""
    run: list[InboundEvent] = []
    for event in events:
        records = parsed[event.pk]
        if records is not None and all(can_ingest_together(r) for r in records):
            if len(run) == EVENTS_TOGETHER:
                yield run, True
                run = []
            run.append(event)
            continue
        if run:
            yield run, True
            run = []
        yield [event], False
    if run:
        yield run, True


def _parse(event: InboundEvent) -> list[Normalized] | None:
    try:
        return connector_for(event.channel).parse(event.channel, event.headers, event.body)
    except Exception:  # process_event parses again and records why.
        return None


def _process_together(run: list[InboundEvent], records: list[list[Normalized]]) -> bool:
    messages = [record for parsed in records for record in parsed if can_ingest_together(record)]
    try:
        with one_writer(), transaction.atomic():
            ingest_messages(messages)
            now = timezone.now()
            for outcome in (InboundStatus.PROCESSED, InboundStatus.IGNORED):
                ids = [e.pk for e, p in zip(run, records, strict=True) if _outcome(p) == outcome]
                InboundEvent.objects.filter(pk__in=ids).update(
                    status=outcome, error="", processed_at=now, attempts=F("attempts") + 1
                )
    except Exception as exc:  # Redone one at a time, which records any real failure.
        logger.info("ingesting %d events together failed (%s); one at a time", len(run), exc)
        return False
    return True


def _outcome(records: list[Normalized]) -> str:
    return InboundStatus.PROCESSED if records else InboundStatus.IGNORED


def _process_one_by_one(
    events: list[InboundEvent],
    outcomes: Counter[str],
    parsed: dict[int, list[Normalized] | None],
) -> None:
    for start in range(0, len(events), EVENTS_PER_TRANSACTION):
        with one_writer(), transaction.atomic():
            for event in events[start : start + EVENTS_PER_TRANSACTION]:
                outcomes[process_event(event, parsed.get(event.pk))] += 1


def process_event(event: InboundEvent, records: list[Normalized] | None = None) -> str:
    """Parse (unless already parsed) and ingest one stored payload, recording success or
    the reason it failed. Its records are stored all together or not at all."""
    event.attempts += 1
    try:
        with transaction.atomic():
            if records is None:
                records = connector_for(event.channel).parse(
                    event.channel, event.headers, event.body
                )
            for record in records:
                ingest_event(record)
    except Exception as exc:  # Any failure is kept on the event for `parley replay`.
        logger.warning("inbound event %s failed: %s", event.pk, exc)
        event.status = InboundStatus.FAILED
        event.error = storable(f"{type(exc).__name__}: {exc}"[:4000])
    else:
        unhandled = [record.what for record in records if isinstance(record, Unhandled)]
        # Partly handled payloads are listed with the unhandled ones: nothing goes unseen.
        event.status = (
            InboundStatus.IGNORED if unhandled or not records else InboundStatus.PROCESSED
        )
        event.error = storable(("Not handled: " + "; ".join(unhandled))[:4000]) if unhandled else ""
    event.processed_at = timezone.now()
    event.save(update_fields=["status", "error", "attempts", "processed_at"])
    return event.status


def recover_inbound_events(batch_size: int = 500) -> int:
    """Re-enqueue payloads still marked received: those a crashed worker never finished."""
    ids = list(
        InboundEvent.objects.filter(status=InboundStatus.RECEIVED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), batch_size):
        process_inbound_events.enqueue(ids[start : start + batch_size])
    return len(ids)


@task()
def send_acknowledgement(conversation_id: int) -> str:
    """The channel's acknowledgement, once per conversation (the task may run twice)."""
    with transaction.atomic():
        # Locked: two workers running this task at once must not both send.
        conversation = (
            Conversation.objects.select_for_update()
            .select_related("channel")
            .filter(pk=conversation_id)
            .first()
        )
        if conversation is None:
            return "gone"
        text = str(conversation.channel.settings.get("acknowledgement") or "").strip()
        already = conversation.messages.filter(details__automatic=True).exists()
        if not text or already:
            return "nothing to send"
        if replaces_acknowledgement(conversation):
            return "the outside-hours reply answers instead"
        send_automatic_reply(conversation, text, why="acknowledgement")
    return "sent"


@task()
def deliver_message(message_id: int) -> str:
    message = (
        Message.objects.select_related("conversation", "channel", "conversation__customer")
        .filter(pk=message_id)
        .first()
    )
    # The one guard every channel shares: only queued agent replies ever leave Parley.
    if message is None or message.direction != Direction.OUTBOUND:
        return "not a reply"
    if message.status != DeliveryStatus.QUEUED:
        return "already " + message.status
    return _attempt_delivery(message)


def _attempt_delivery(message: Message) -> str:
    Message.objects.filter(pk=message.pk).update(attempts=message.attempts + 1)
    try:
        result = connector_for(message.channel).send(message.channel, outbound_from(message))
    except TransientSendError as exc:
        if message.attempts + 1 >= MAX_DELIVERY_ATTEMPTS:
            record_delivery_status(message.pk, DeliveryStatus.FAILED, reason=exc.reason)
            return "failed"
        delay = exc.retry_after or min(30 * 2**message.attempts, 3600)
        run_after = timezone.now() + timedelta(seconds=delay)
        transaction.on_commit(
            lambda: deliver_message.using(run_after=run_after).enqueue(message.pk)
        )
        return "retrying"
    except PermanentSendError as exc:
        record_delivery_status(message.pk, DeliveryStatus.FAILED, reason=exc.reason)
        if exc.channel_problem:
            report_channel_problem(message.channel, exc.reason)
        return "failed"
    record_delivery_status(message.pk, DeliveryStatus.SENT, external_id=result.external_id)
    return "sent"


def outbound_from(message: Message) -> OutboundMessage:
    conversation = message.conversation
    last_from_customer = (
        conversation.messages.filter(direction=Direction.INBOUND, external_id__isnull=False)
        .order_by("-created_at", "-pk")
        .values_list("external_id", flat=True)
        .first()
    )
    recipients = [
        IdentityRef(identity.kind, identity.value)
        for identity in conversation.customer.identities.all()
    ]
    return OutboundMessage(
        message_id=message.pk,
        conversation_id=conversation.pk,
        thread_ref=conversation.thread_ref,
        recipient=recipients,
        text=message.text,
        html=message.html,
        subject=conversation.subject,
        attachments=[
            (a.filename, a.content_type, a.file.read()) for a in message.attachments.all()
        ],
        customer_wrote_at=conversation.last_customer_message_at,
        last_customer_external_id=last_from_customer,
        details=message.details,
    )
