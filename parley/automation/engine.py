"""Running rules: which ones fire for a conversation, in order, and what they did.

Rules are compiled once and kept until one of them changes. Each firing is one transaction
and one timeline entry naming the rule. A rule's own changes never start another run, so a
rule cannot keep triggering itself (or another rule) in a loop.
"""

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Max

from parley.conversations import timeline
from parley.conversations.models import Conversation, Direction, Message, Status
from parley.core.errors import InvalidInput, ParleyError
from parley.customers.profile import lifetime_value
from parley.triage.language import detect_language
from parley.triage.priority import followers_of
from parley.triage.sentiment import sentiment

from .conditions import Facts, Test, compile_conditions, fold
from .effects import Effect, compile_actions
from .hours import open_now
from .models import Rule, RuleFiring

logger = logging.getLogger(__name__)
DRY_RUN_CONVERSATIONS = 500
_compiled = threading.local()


@dataclass(frozen=True)
class CompiledRule:
    id: int
    name: str
    test: Test
    effects: list[Effect]
    stop: bool
    threshold: int | None = None  # the N of a time-based trigger


def active_rules(trigger: str) -> list[CompiledRule]:
    """The enabled rules for a trigger, in order, compiled; recompiled when any changes."""
    rules = Rule.objects.filter(enabled=True, trigger=trigger)
    version = tuple(rules.aggregate(n=Count("id"), last=Max("updated_at")).values())
    cached = getattr(_compiled, trigger, None)
    if cached is not None and cached[0] == version:
        return cached[1]
    compiled = [found for rule in rules.order_by("position", "id") if (found := _compile(rule))]
    setattr(_compiled, trigger, (version, compiled))
    return compiled


def _compile(rule: Rule) -> CompiledRule | None:
    """None for a rule that no longer makes sense (its team was deleted since): skipped,
    so that one broken rule does not stop the others."""
    try:
        return CompiledRule(
            rule.pk,
            rule.name,
            compile_conditions(rule.conditions),
            compile_actions(rule.actions, rule=rule.name),
            rule.stop_processing,
            rule.threshold,
        )
    except InvalidInput as exc:
        logger.warning("rule %s (%s) skipped: %s", rule.pk, rule.name, exc.detail)
        return None


def facts_for(
    conversation: Conversation, message: Message | None, changed: Iterable[str] = ()
) -> Facts:
    customer = conversation.customer
    attributes = customer.attributes if isinstance(customer.attributes, dict) else {}
    text = (
        f"{conversation.subject}\n{message.text}" if message is not None else conversation.subject
    )
    values = lifetime_value(customer)  # per currency, as the profile shows it
    tags = attributes.get("tags")
    return Facts(
        channel_kind=conversation.channel.kind,
        channel_id=conversation.channel_id,
        text=fold(text[:5000]),
        is_comment=conversation.channel.kind.endswith("_comment"),
        status=conversation.status,
        priority=conversation.priority,
        assignee_id=conversation.assignee_id,
        team_id=conversation.team_id,
        tags=set(conversation.tags.values_list("name", flat=True)),
        customer_vip=bool(attributes.get("vip")),
        customer_tags={str(t).lower() for t in tags} if isinstance(tags, list) else set(),
        order_count=customer.orders.count(),
        # The currency the customer spends most in (a shop sells in one, mostly).
        lifetime_value=max((total for _, total in values), default=Decimal(0)),
        hours="open" if open_now(conversation) else "closed",
        language=detect_language(text),
        sentiment=sentiment(text).label,
        followers=followers_of(attributes),
        priority_score=conversation.priority_score,
        changed=set(changed),
    )


def run_rules(
    conversation: Conversation,
    trigger: str,
    message: Message | None = None,
    *,
    changed: Iterable[str] = (),
) -> list[str]:
    """Fire the matching rules; the names of those that fired. `changed` names what an
    agent changed (conversation_updated)."""
    rules = active_rules(trigger)
    if not rules:
        return []
    fired: list[str] = []
    facts = facts_for(conversation, message, changed)
    for rule in rules:
        if not rule.test(facts):
            continue
        _fire(conversation, rule)
        fired.append(rule.name)
        if rule.stop or conversation.status == Status.CLOSED:
            break  # a closed conversation is done with: later rules leave it alone
        # Later rules see what earlier ones changed.
        conversation.refresh_from_db()
        facts = facts_for(conversation, message, changed)
    return fired


def _fire(conversation: Conversation, rule: CompiledRule) -> None:
    did = []
    try:
        with transaction.atomic():
            for effect in rule.effects:
                did.append(effect.apply(conversation) or effect.describe)
    except ParleyError as exc:
        did = [f"could not act: {exc.detail}"]
        conversation.refresh_from_db()
    timeline.rule_fired(conversation=conversation, rule=rule.name, did=did)


def run_rules_for_message(message: Message) -> list[str]:
    """What ingest asks for after a customer's message: "conversation created" rules when
    it is the conversation's first, then "customer message received" rules."""
    conversation = _loaded(message.conversation_id)
    if conversation is None:
        return []
    first = not conversation.messages.filter(
        direction=Direction.INBOUND, pk__lt=message.pk
    ).exists()
    fired = run_rules(conversation, "created", message) if first else []
    conversation.refresh_from_db()
    return fired + run_rules(conversation, "message_received", message)


def _loaded(conversation_id: int) -> Conversation | None:
    return (
        Conversation.objects.select_related("channel", "customer")
        .filter(pk=conversation_id)
        .first()
    )


def latest_customer_message(conversation: Conversation) -> Message | None:
    return conversation.messages.filter(direction=Direction.INBOUND).order_by("-pk").first()


def run_rules_for_reply(message: Message) -> list[str]:
    """`reply_sent` rules, judged on the agent's reply."""
    conversation = _loaded(message.conversation_id)
    return run_rules(conversation, "reply_sent", message) if conversation else []


def run_rules_for_update(conversation_id: int, changed: Iterable[str]) -> list[str]:
    """`conversation_updated` rules, judged on the latest customer message."""
    conversation = _loaded(conversation_id)
    if conversation is None:
        return []
    latest = latest_customer_message(conversation)
    return run_rules(conversation, "conversation_updated", latest, changed=changed)


def fire_once(
    conversation: Conversation, rule: CompiledRule, message: Message | None, occurrence: datetime
) -> bool:
    """Judge a time-based rule once for one occurrence, however many workers try: the
    judgement is recorded with the firing, so a second try finds it and does nothing.
    True when the rule matched and fired."""
    with transaction.atomic():
        matched = rule.test(facts_for(conversation, message))
        try:
            with transaction.atomic():
                RuleFiring.objects.create(
                    rule_id=rule.id,
                    conversation=conversation,
                    occurrence=occurrence,
                    matched=matched,
                )
        except IntegrityError:
            return False  # judged already, or the rule was deleted meanwhile
        if matched:
            _fire(conversation, rule)
    return matched


def dry_run(
    conditions: object, *, limit: int = DRY_RUN_CONVERSATIONS
) -> tuple[int, list[Conversation]]:
    """Which of the last `limit` conversations these conditions match, judged on each one's
    latest customer message; (how many were looked at, the matches). Changes nothing."""
    test = compile_conditions(conditions)
    recent = list(
        Conversation.objects.select_related("channel", "customer")
        .prefetch_related("customer__orders")
        .order_by("-created_at", "-id")[:limit]
    )
    matched = []
    for conversation in recent:
        if test(facts_for(conversation, latest_customer_message(conversation))):
            matched.append(conversation)
    return len(recent), matched
