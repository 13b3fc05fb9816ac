"""One small keyword-only recorder per timeline entry kind, called inside the action."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from parley.accounts.models import Agent, Team

from .models import Conversation, EntryKind, Message, TimelineEntry

_deferred = threading.local()


@contextmanager
def recorded_together() -> Iterator[None]:
    """Entries recorded inside are inserted in one statement, in order, on the way out:
    the batch ingest records hundreds at a time."""
    _deferred.entries = []
    try:
        yield
        TimelineEntry.objects.bulk_create(_deferred.entries)
    finally:
        _deferred.entries = None


def _record(
    conversation: Conversation,
    kind: str,
    *,
    actor: Agent | None = None,
    actor_label: str = "",
    message: Message | None = None,
    **data: object,
) -> TimelineEntry:
    entry = TimelineEntry(
        conversation=conversation,
        kind=kind,
        actor=actor,
        actor_label=actor_label,
        message=message,
        data=data,
    )
    pending = getattr(_deferred, "entries", None)
    if pending is None:
        entry.save(force_insert=True)
    else:
        pending.append(entry)
    return entry


def conversation_created(*, conversation: Conversation) -> TimelineEntry:
    return _record(conversation, EntryKind.CREATED, actor_label="customer")


def message_received(*, conversation: Conversation, message: Message) -> TimelineEntry:
    return _record(
        conversation, EntryKind.MESSAGE_RECEIVED, actor_label="customer", message=message
    )


def reply_sent(*, conversation: Conversation, message: Message, actor: Agent) -> TimelineEntry:
    return _record(conversation, EntryKind.REPLY_SENT, actor=actor, message=message)


def automatic_reply_sent(
    *, conversation: Conversation, message: Message, why: str
) -> TimelineEntry:
    return _record(conversation, EntryKind.REPLY_SENT, actor_label=why, message=message)


def reply_recorded(*, conversation: Conversation, message: Message) -> TimelineEntry:
    """A reply the business sent outside Parley (the platform's own app, another tool)."""
    return _record(
        conversation, EntryKind.REPLY_SENT, actor_label="sent elsewhere", message=message
    )


def note_added(
    *, conversation: Conversation, message: Message, actor: Agent | None
) -> TimelineEntry:
    return _record(conversation, EntryKind.NOTE_ADDED, actor=actor, message=message)


def assigned(
    *,
    conversation: Conversation,
    actor: Agent | None,
    assignee: Agent | None,
    team: Team | None,
    actor_label: str = "",
) -> TimelineEntry:
    return _record(
        conversation,
        EntryKind.ASSIGNED,
        actor=actor,
        actor_label=actor_label,
        assignee=str(assignee) if assignee else None,
        team=str(team) if team else None,
    )


def handed_off(
    *,
    conversation: Conversation,
    actor: Agent | None,
    from_agent: Agent | None,
    assignee: Agent | None,
    team: Team | None,
    note: str,
    actor_label: str = "",
) -> TimelineEntry:
    return _record(
        conversation,
        EntryKind.HANDOFF,
        actor=actor,
        actor_label=actor_label,
        from_agent=str(from_agent) if from_agent else None,
        assignee=str(assignee) if assignee else None,
        team=str(team) if team else None,
        note=note,
    )


def status_changed(
    *, conversation: Conversation, old: str, new: str, actor: Agent | None, actor_label: str = ""
) -> TimelineEntry:
    return _record(
        conversation,
        EntryKind.STATUS_CHANGED,
        actor=actor,
        actor_label=actor_label,
        old=old,
        new=new,
    )


def priority_changed(
    *, conversation: Conversation, old: int, new: int, actor: Agent | None
) -> TimelineEntry:
    return _record(conversation, EntryKind.PRIORITY_CHANGED, actor=actor, old=old, new=new)


def tags_changed(
    *, conversation: Conversation, added: list[str], removed: list[str], actor: Agent | None
) -> TimelineEntry:
    return _record(conversation, EntryKind.TAGS_CHANGED, actor=actor, added=added, removed=removed)


def delivery_failed(*, conversation: Conversation, message: Message, reason: str) -> TimelineEntry:
    return _record(
        conversation,
        EntryKind.DELIVERY_FAILED,
        actor_label="system",
        message=message,
        reason=reason,
    )


def customer_merged(
    *, conversation: Conversation, actor: Agent, merge_id: int, source: str, target: str
) -> TimelineEntry:
    return _record(
        conversation,
        EntryKind.CUSTOMER_MERGED,
        actor=actor,
        merge=merge_id,
        source=source,
        target=target,
    )


def customer_unmerged(
    *, conversation: Conversation, actor: Agent, merge_id: int, target: str
) -> TimelineEntry:
    return _record(
        conversation, EntryKind.CUSTOMER_UNMERGED, actor=actor, merge=merge_id, target=target
    )


def rule_fired(*, conversation: Conversation, rule: str, did: list[str]) -> TimelineEntry:
    return _record(conversation, EntryKind.RULE_FIRED, actor_label=f"rule: {rule}", did=did)


def sla_breached(
    *, conversation: Conversation, target: str, due: datetime, policy: str
) -> TimelineEntry:
    # Recorded as an automation entry (no kind of its own yet: that needs a conversations
    # migration); `target` tells it apart and names the clock that ran out.
    return _record(
        conversation,
        EntryKind.RULE_FIRED,
        actor_label=f"sla: {policy}",
        target=target,
        due=due.isoformat(),
    )
