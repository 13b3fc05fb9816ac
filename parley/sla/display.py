"""What agents read about a conversation's clocks: "First response due in 12 minutes"."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import formats, timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

from parley.conversations.models import Conversation, Status

from .models import TARGET_LABELS, TARGETS, ConversationSla


def soon_window() -> timedelta:
    """How far ahead "breaching soon" looks (PARLEY_SLA_SOON_MINUTES)."""
    return timedelta(minutes=settings.PARLEY_SLA_SOON_MINUTES)


@dataclass(frozen=True)
class DueLabel:
    state: str  # "breached", "soon", "due" or "paused": the CSS class
    text: str
    at: datetime | None


def sla_of(conversation: Conversation) -> ConversationSla | None:
    try:
        return conversation.sla  # type: ignore[attr-defined]
    except ConversationSla.DoesNotExist:
        return None


def next_target(sla: ConversationSla) -> str | None:
    """The unmet target whose due time is the conversation's next one."""
    for target in TARGETS:
        due = getattr(sla, f"{target}_due_at")
        if due is not None and due == sla.next_due_at and getattr(sla, f"{target}_met_at") is None:
            return target
    return None


def due_label(conversation: Conversation, now: datetime | None = None) -> DueLabel | None:
    now = now or timezone.now()
    sla = sla_of(conversation)
    if sla is None:
        return None
    if sla.paused and conversation.status == Status.PENDING and sla.policy_id:
        return DueLabel("paused", _("SLA paused while pending"), None)
    target = next_target(sla)
    due = sla.next_due_at
    if target is None or due is None:
        return None
    name = TARGET_LABELS[target]
    if due <= now:
        text = _("%(target)s breached %(since)s ago") % {
            "target": name,
            "since": timesince(due, now),
        }
        return DueLabel("breached", text, due)
    text = _("%(target)s due in %(left)s") % {"target": name, "left": timeuntil(due, now)}
    return DueLabel("soon" if due <= now + soon_window() else "due", text, due)


def breach_summary(policy: str, data: dict) -> str:
    """The timeline line of a breach."""
    due = datetime.fromisoformat(data.get("due", ""))
    return _("SLA “%(policy)s”: %(target)s missed, due %(due)s") % {
        "policy": policy,
        "target": TARGET_LABELS.get(data.get("target", ""), data.get("target", "")),
        "due": formats.date_format(timezone.localtime(due), "SHORT_DATETIME_FORMAT"),
    }
