"""Each conversation's SLA clocks: which policy applies, when each target is due, when it
was met, and when it was breached.

Everything is computed again from facts at each change: the start times, the policy's
targets, the pauses, and the replies and status read from the conversation. So a change of
priority re-picks the policy and recomputes from the original start times, and a reply
recorded by any path (an agent, another app) meets the target on the next update.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from parley.automation.hours import hours_for, schedule_of
from parley.conversations import timeline
from parley.conversations.models import Conversation, Status
from parley.core.errors import InvalidInput
from parley.realtime.push import push_conversation_on_commit

from .counting import Counting, Pause, due_time
from .models import TARGETS, ConversationSla, SlaPolicy

logger = logging.getLogger(__name__)
# The clocks stand still while the ball is in the customer's court or the work is done.
PAUSED = (Status.PENDING, Status.RESOLVED, Status.CLOSED)
# Conversations the periodic check marks per run; the rest wait for the next run.
BATCH = 500


def pick_policy(conversation: Conversation) -> SlaPolicy | None:
    """The first enabled policy, by position, that applies to the conversation."""
    kind = conversation.channel.kind
    for policy in SlaPolicy.objects.filter(enabled=True):
        if policy.applies_to(conversation.priority, kind):
            return policy
    return None


def counting_for(conversation: Conversation, policy: SlaPolicy | None) -> Counting:
    """The team's business hours (or the workspace's), or calendar time."""
    hours = hours_for(conversation) if policy is not None and policy.business_hours else None
    if hours is None:
        return Counting()
    try:
        return Counting(schedule_of(hours))
    except InvalidInput:
        logger.warning("business hours %s no longer make sense; counting calendar time", hours.pk)
        return Counting()


def track_sla(
    conversation: Conversation,
    *,
    now: datetime | None = None,
    repick: bool = False,
    customer_wrote_at: datetime | None = None,
) -> ConversationSla | None:
    """Bring the clocks up to date after a change, inside the change's transaction.
    `repick` after a priority change; `customer_wrote_at` for a customer message, which
    also starts the clocks of a conversation that has none."""
    now = now or timezone.now()
    sla = (
        ConversationSla.objects.select_for_update(of=("self",))
        .select_related("policy")
        .filter(conversation=conversation)
        .first()
    )
    if sla is None:
        sla = _start(conversation) if repick or customer_wrote_at else None
        if sla is None:
            return None
    elif repick:
        sla.policy = pick_policy(conversation)
    _follow_status(sla, conversation.status, customer_wrote_at or now)
    _note_progress(sla, conversation, customer_wrote_at, now)
    refresh(sla, conversation)
    sla.save()
    return sla


def _start(conversation: Conversation) -> ConversationSla | None:
    """Clocks for a conversation with a policy, counted from its start — or from the
    policy's creation when the conversation was already open then."""
    policy = pick_policy(conversation)
    if policy is None:
        return None
    started = max(conversation.created_at, policy.created_at)
    return ConversationSla(conversation=conversation, policy=policy, started_at=started)


def _follow_status(sla: ConversationSla, status: str, at: datetime) -> None:
    """Open a pause when the conversation stops waiting on us, close it when it waits again."""
    if status in PAUSED and not sla.paused:
        sla.pauses = [*sla.pauses, [at.isoformat(), None]]
    elif status not in PAUSED and sla.paused:
        began = datetime.fromisoformat(sla.pauses[-1][0])
        sla.pauses = [*sla.pauses[:-1], [began.isoformat(), max(at, began).isoformat()]]


def _note_progress(
    sla: ConversationSla, conversation: Conversation, wrote_at: datetime | None, now: datetime
) -> None:
    """Met times from the conversation's replies and status; a customer message after a
    reply starts the next-response clock."""
    sla.first_response_met_at = sla.first_response_met_at or conversation.first_response_at
    answered = sla.next_response_met_at or sla.first_response_met_at
    running = sla.next_response_started_at is not None and sla.next_response_met_at is None
    if wrote_at is not None and answered is not None and wrote_at > answered and not running:
        sla.next_response_started_at = wrote_at
        sla.next_response_met_at = sla.next_response_breached_at = None
    replied = conversation.last_agent_message_at
    started = sla.next_response_started_at
    if started and sla.next_response_met_at is None and replied and replied >= started:
        sla.next_response_met_at = replied
    if conversation.status in (Status.RESOLVED, Status.CLOSED):
        sla.resolution_met_at = sla.resolution_met_at or conversation.resolved_at or now
    else:  # reopened: the resolution clock goes on from where it stopped
        sla.resolution_met_at = None


def pauses_of(sla: ConversationSla) -> list[Pause]:
    return [
        (datetime.fromisoformat(began), datetime.fromisoformat(ended) if ended else None)
        for began, ended in sla.pauses
    ]


def _target_start(sla: ConversationSla, target: str) -> datetime | None:
    return sla.next_response_started_at if target == "next_response" else sla.started_at


def refresh(sla: ConversationSla, conversation: Conversation) -> None:
    """Due times from the start times, the policy and the pauses; the soonest unmet one."""
    counting = counting_for(conversation, sla.policy)
    pauses = pauses_of(sla)
    unmet, unmarked = [], []
    for target in TARGETS:
        minutes = sla.policy.minutes(target) if sla.policy else None
        start = _target_start(sla, target)
        due = None
        if minutes is not None and start is not None:
            due = due_time(counting, start, minutes * 60, pauses)
        setattr(sla, f"{target}_due_at", due)
        if due is None or getattr(sla, f"{target}_met_at") is not None:
            continue
        unmet.append(due)
        if getattr(sla, f"{target}_breached_at") is None:
            unmarked.append(due)
    running = not sla.paused
    sla.next_due_at = min(unmet, default=None) if running else None
    sla.check_at = min(unmarked, default=None) if running else None


def mark_breaches(now: datetime | None = None) -> int:
    """Periodic: targets whose due time has passed unmet are marked breached, once each,
    on the timeline and pushed; how many were marked."""
    now = now or timezone.now()
    due = ConversationSla.objects.filter(check_at__lte=now).order_by("check_at")
    marked = 0
    for conversation_id in due.values_list("conversation_id", flat=True)[:BATCH]:
        marked += _mark_breaches_of(conversation_id, now)
    return marked


@transaction.atomic
def _mark_breaches_of(conversation_id: int, now: datetime) -> int:
    conversation = (
        Conversation.objects.select_for_update()
        .select_related("channel")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        return 0
    sla = track_sla(conversation, now=now)
    if sla is None or sla.paused:
        return 0
    breached = [
        target
        for target in TARGETS
        if _overdue(sla, target, now) and getattr(sla, f"{target}_breached_at") is None
    ]
    for target in breached:
        due = getattr(sla, f"{target}_due_at")
        setattr(sla, f"{target}_breached_at", due)
        sla.breached_at = min(sla.breached_at or due, due)
        policy = sla.policy.name if sla.policy else ""
        timeline.sla_breached(conversation=conversation, target=target, due=due, policy=policy)
    if breached:
        refresh(sla, conversation)
        sla.save()
        push_conversation_on_commit(conversation, "sla")
    return len(breached)


def _overdue(sla: ConversationSla, target: str, now: datetime) -> bool:
    due = getattr(sla, f"{target}_due_at")
    return due is not None and due <= now and getattr(sla, f"{target}_met_at") is None
