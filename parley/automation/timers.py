"""Time-based rules: no agent reply for N minutes, pending for N hours, SLA due within N
minutes.

A periodic task (tasks.run_time_rules, once a minute) asks one query per enabled rule for
the conversations whose time has come and that rule has not judged yet, oldest first, a
bounded batch at a time. Each occurrence is judged once — a waiting period by the time of
the customer's last message, a pending stretch by when it began, an SLA by its due time —
and the judgement is stored with a unique constraint (engine.fire_once), so ticks that
repeat or overlap on several workers never fire a rule twice for the same occurrence.
Conditions are read when the time comes, against the latest customer message.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from parley.conversations.models import (
    QUEUE_STATUSES,
    Conversation,
    EntryKind,
    Status,
    TimelineEntry,
)
from parley.core.errors import InvalidInput

from .engine import CompiledRule, active_rules, fire_once, latest_customer_message
from .models import RuleFiring

logger = logging.getLogger(__name__)
# Conversations one rule handles per tick; the rest wait for the next tick, oldest first.
BATCH = 200


def _no_reply_for(n: int, now: datetime) -> QuerySet[Conversation]:
    """Waiting for an answer, the customer's last message N minutes old or more."""
    since = now - timedelta(minutes=n)
    # waiting_since (indexed with status) is never after the last message: a coarse bound.
    return Conversation.objects.filter(
        status__in=(Status.NEW, Status.OPEN),
        waiting_since__lte=since,
        last_customer_message_at__lte=since,
    ).annotate(occurrence=F("last_customer_message_at"))


def _pending_for(n: int, now: datetime) -> QuerySet[Conversation]:
    """Pending for N hours or more, counted from the status change that made it pending."""
    became = (
        TimelineEntry.objects.filter(conversation=OuterRef("pk"), kind=EntryKind.STATUS_CHANGED)
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    return (
        Conversation.objects.filter(status=Status.PENDING)
        .annotate(occurrence=Subquery(became))
        .filter(occurrence__lte=now - timedelta(hours=n))
    )


def _sla_breach_within(n: int, now: datetime) -> QuerySet[Conversation]:
    """In the queue, the SLA's next due time still ahead and at most N minutes away (an
    earlier target's breach does not silence the warning for the next one)."""
    if not apps.is_installed("parley.sla"):
        return Conversation.objects.none()
    # Named in a dict: the relation exists only once the SLA app is installed.
    sla = {"sla__next_due_at__gt": now, "sla__next_due_at__lte": now + timedelta(minutes=n)}
    return Conversation.objects.filter(status__in=QUEUE_STATUSES, **sla).annotate(
        occurrence=F("sla__next_due_at")
    )


@dataclass(frozen=True)
class Timer:
    unit: str  # what the rule's threshold counts
    most: int
    due: Callable[[int, datetime], QuerySet[Conversation]]


TIMERS: dict[str, Timer] = {
    "no_reply_for": Timer("minutes", 30 * 24 * 60, _no_reply_for),
    "pending_for": Timer("hours", 90 * 24, _pending_for),
    "sla_breach_within": Timer("minutes", 7 * 24 * 60, _sla_breach_within),
}


def check_threshold(trigger: str, threshold: object) -> int | None:
    """The rule's N, checked for its trigger; InvalidInput names what is wrong."""
    timer = TIMERS.get(trigger)
    if timer is None:
        if threshold is not None:
            problem = f"threshold: only the time-based triggers ({', '.join(TIMERS)}) take one"
            raise InvalidInput(problem, code="invalid_rule")
        return None
    if (
        not isinstance(threshold, int)
        or isinstance(threshold, bool)
        or not 1 <= threshold <= timer.most
    ):
        problem = (
            f"threshold: for {trigger}, a whole number of {timer.unit} "
            f"from 1 to {timer.most} (got {threshold!r})"
        )
        raise InvalidInput(problem, code="invalid_rule")
    return threshold


def unjudged(trigger: str, rule: CompiledRule, now: datetime) -> QuerySet[Conversation]:
    """The conversations whose time for this rule has come, without its judgement yet."""
    judged = RuleFiring.objects.filter(
        rule_id=rule.id, conversation=OuterRef("pk"), occurrence=OuterRef("occurrence")
    )
    due = TIMERS[trigger].due(int(rule.threshold or 0), now)
    return due.exclude(Exists(judged))


def fire_due_rules(now: datetime | None = None) -> int:
    """Judge every time-based rule on the conversations whose time has come; how many
    firings."""
    now = now or timezone.now()
    fired = 0
    for trigger in TIMERS:
        for rule in active_rules(trigger):
            if rule.threshold is None:
                logger.warning("time-based rule %s (%s) has no threshold", rule.id, rule.name)
                continue
            fired += _fire_due(trigger, rule, now)
    return fired


def _fire_due(trigger: str, rule: CompiledRule, now: datetime) -> int:
    fired = 0
    due = unjudged(trigger, rule, now).select_related("channel", "customer")
    for listed in due.order_by(F("occurrence").asc(), "pk")[:BATCH]:
        try:
            fired += _fire_listed(trigger, rule, now, listed)
        except Exception:  # one broken conversation must not stop the rule for the others
            logger.exception("rule %s (%s) on conversation %s", rule.id, rule.name, listed.pk)
    return fired


def _fire_listed(trigger: str, rule: CompiledRule, now: datetime, listed: Conversation) -> int:
    with transaction.atomic():
        # Still due once locked: an agent may have answered since the query. Judged and
        # acted on as read now: the actions save the conversation, and the listed copy
        # would undo what happened to it since the batch was listed.
        conversation = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("channel", "customer")
            .filter(pk=listed.pk)
            .first()
        )
        if conversation is None or not _still_due(trigger, rule, now, listed):
            return 0
        latest = latest_customer_message(conversation)
        return fire_once(conversation, rule, latest, listed.occurrence)  # type: ignore[attr-defined]


def _still_due(trigger: str, rule: CompiledRule, now: datetime, conversation: Conversation) -> bool:
    occurrence = conversation.occurrence  # type: ignore[attr-defined]
    return (
        TIMERS[trigger]
        .due(int(rule.threshold or 0), now)
        .filter(Q(pk=conversation.pk) & Q(occurrence=occurrence))
        .exists()
    )
