"""Rule actions that tell someone outside Parley: post to Slack, send an e-mail, call a
webhook. Each is checked when the rule is saved; when it fires, what it will send is fixed
and stored as a `Delivery` in the rule's transaction, and sent by a task once that commits.

    {"type": "notify_slack", "slack": 3, "text": "Refund from {customer.name}: {conversation.url}"}
    {"type": "notify_email", "to": ["ops@shop.example"], "subject": "…", "text": "…"}
    {"type": "call_webhook", "webhook": 5}

Texts may use the placeholders in PLACEHOLDERS, replaced by plain lookup; any other
`{name}` is refused when the rule is saved.
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from parley.conversations.models import Conversation, Direction, Priority
from parley.core.errors import InvalidInput
from parley.core.oncommit import enqueue_on_commit
from parley.core.text import storable

from . import slack
from .models import (
    Delivery,
    DeliveryAttempt,
    DeliveryKind,
    DeliveryStatus,
    SlackWebhook,
    WebhookEndpoint,
)
from .outbound import Outcome

Apply = Callable[[Conversation], str | None]
PLACEHOLDERS = (
    "conversation.id",
    "conversation.url",
    "customer.name",
    "channel",
    "subject",
    "preview",
    "rule",
)
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")
MAX_RECIPIENTS = 20
MAX_SUBJECT = 200
MAX_TEXT = 3000
PREVIEW_CHARS = 200
MAX_ATTEMPTS = 6
EVENT = "rule.fired"


def compile_notification(raw: dict, where: str, rule: str) -> tuple[Apply, str]:
    """(what to do when the rule fires, what the timeline says it did) for one action."""
    return COMPILERS[raw["type"]](raw, where, rule)


def _template(raw: dict, key: str, where: str, limit: int) -> str:
    text = raw.get(key)
    if not isinstance(text, str) or not text.strip() or len(text) > limit or "\x00" in text:
        raise InvalidInput(f"{where}.{key}: 1 to {limit} characters", code="invalid_rule")
    for found in PLACEHOLDER.finditer(text):
        if found[1] not in PLACEHOLDERS:
            known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
            raise InvalidInput(
                f"{where}.{key}: unknown placeholder {found[0]}; use {known}", code="invalid_rule"
            )
    return text.strip()


def _target(model: type[SlackWebhook] | type[WebhookEndpoint], pk: object, where: str):  # type: ignore[no-untyped-def]
    if isinstance(pk, bool) or not isinstance(pk, int):
        raise InvalidInput(f"{where}: an id", code="invalid_rule")
    found = model.objects.filter(pk=pk).first()
    if found is None:
        noun = "Slack webhook" if model is SlackWebhook else "webhook endpoint"
        raise InvalidInput(f"{where}: no such {noun} {pk}", code="invalid_rule")
    return found


def _notify_slack(raw: dict, where: str, rule: str) -> tuple[Apply, str]:
    hook = _target(SlackWebhook, raw.get("slack"), f"{where}.slack")
    text = _template(raw, "text", where, MAX_TEXT)

    def apply(conversation: Conversation) -> str | None:
        now = SlackWebhook.objects.filter(pk=hook.pk).first()
        if now is None or not now.enabled:
            return f"did not post to Slack “{hook}”: it was deleted or disabled"
        values = {k: slack.escape(v) for k, v in _values(conversation, rule).items()}
        payload = {"text": _render(text, values)}
        queue_delivery(DeliveryKind.SLACK, conversation, rule, payload, slack=now)
        return None

    return apply, f"posted to Slack “{hook}”"


def _notify_email(raw: dict, where: str, rule: str) -> tuple[Apply, str]:
    to = _addresses(raw.get("to"), f"{where}.to")
    subject = _template(raw, "subject", where, MAX_SUBJECT)
    text = _template(raw, "text", where, MAX_TEXT)

    def apply(conversation: Conversation) -> None:
        values = _values(conversation, rule)
        # One line: a customer's subject must not add mail headers.
        line = " ".join(_render(subject, values).split())[:MAX_SUBJECT]
        payload = {"to": to, "subject": line, "text": _render(text, values)}
        queue_delivery(DeliveryKind.EMAIL, conversation, rule, payload)

    return apply, "e-mailed " + ", ".join(to)


def _addresses(raw: object, where: str) -> list[str]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_RECIPIENTS:
        raise InvalidInput(f"{where}: 1 to {MAX_RECIPIENTS} e-mail addresses", code="invalid_rule")
    for address in raw:
        try:
            if not isinstance(address, str):  # the validator raises TypeError on a number
                raise ValidationError("not a string")
            validate_email(address)
        except ValidationError:
            raise InvalidInput(
                f"{where}: {str(address)[:100]!r} is not an e-mail address", code="invalid_rule"
            ) from None
    return [address.strip() for address in raw]


def _call_webhook(raw: dict, where: str, rule: str) -> tuple[Apply, str]:
    endpoint = _target(WebhookEndpoint, raw.get("webhook"), f"{where}.webhook")

    def apply(conversation: Conversation) -> str | None:
        now = WebhookEndpoint.objects.filter(pk=endpoint.pk).first()
        if now is None or not now.enabled:
            return f"did not call webhook “{endpoint}”: it was deleted or disabled"
        key = uuid.uuid4()
        body = webhook_body(conversation, rule, str(key))
        queue_delivery(DeliveryKind.WEBHOOK, conversation, rule, body, webhook=now, uuid=key)
        return None

    return apply, f"called webhook “{endpoint}”"


COMPILERS: dict[str, Callable[[dict, str, str], tuple[Apply, str]]] = {
    "notify_slack": _notify_slack,
    "notify_email": _notify_email,
    "call_webhook": _call_webhook,
}


def _render(text: str, values: dict[str, str]) -> str:
    # A plain lookup: the placeholders were checked when the rule was saved.
    return PLACEHOLDER.sub(lambda found: values.get(found[1], found[0]), text)


def _latest_text(conversation: Conversation) -> str:
    latest = conversation.messages.filter(direction=Direction.INBOUND).order_by("-pk").first()
    return " ".join((latest.text if latest else "").split())[:PREVIEW_CHARS]


def conversation_url(conversation: Conversation) -> str:
    return settings.PUBLIC_URL + reverse("conversation", args=[conversation.pk])


def _values(conversation: Conversation, rule: str) -> dict[str, str]:
    return {
        "conversation.id": str(conversation.pk),
        "conversation.url": conversation_url(conversation),
        "customer.name": str(conversation.customer),
        "channel": conversation.channel.name,
        "subject": conversation.subject,
        "preview": _latest_text(conversation),
        "rule": rule,
    }


def webhook_body(conversation: Conversation, rule: str, delivery_id: str) -> dict:
    """What a webhook receives (documented in docs/integrations/webhooks.md)."""
    return {
        "id": delivery_id,
        "event": EVENT,
        "rule": rule,
        "occurred_at": timezone.now().isoformat(),
        "conversation": {
            "id": conversation.pk,
            "url": conversation_url(conversation),
            "status": conversation.status,
            "priority": Priority(conversation.priority).name.lower(),
            "tags": sorted(conversation.tags.values_list("name", flat=True)),
            "channel_kind": conversation.channel.kind,
            "subject": conversation.subject,
        },
        "customer": {"id": conversation.customer_id, "name": str(conversation.customer)},
        "preview": _latest_text(conversation),
    }


def queue_delivery(
    kind: str, conversation: Conversation | None, rule: str, payload: dict, **target: object
) -> Delivery:
    """Store what to send and send it once the current transaction commits."""
    from .tasks import deliver_notification

    delivery = Delivery.objects.create(
        kind=kind, conversation=conversation, rule=rule, payload=payload, **target
    )
    enqueue_on_commit(deliver_notification, delivery.pk)
    return delivery


def replay_delivery(delivery: Delivery) -> None:
    """Send a delivery again from the start (same payload, same delivery id, so a receiver
    that already has it can tell); its earlier attempts stay on record."""
    from .tasks import deliver_notification

    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, attempts=0, reason="", response_code=None
        )
        enqueue_on_commit(deliver_notification, delivery.pk)


def record_attempt(delivery: Delivery, outcome: Outcome, duration_ms: int) -> str:
    """Keep one attempt and move the delivery on: delivered, failed, or retrying later (the
    retry is queued with a backoff that honours the other side's Retry-After)."""
    # The other side's words are kept as the database can hold them (no NUL in PostgreSQL
    # text): a failed write here would leave the delivery pending, never retried.
    outcome = replace(
        outcome, reason=storable(outcome.reason), response_body=storable(outcome.response_body)
    )
    attempts = delivery.attempts + 1
    retry = outcome.retry_after is not None and attempts < MAX_ATTEMPTS
    if outcome.delivered:
        status = DeliveryStatus.DELIVERED
    else:
        status = DeliveryStatus.RETRYING if retry else DeliveryStatus.FAILED
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            succeeded=outcome.delivered,
            response_code=outcome.response_code,
            response_body=outcome.response_body,
            reason=outcome.reason,
            duration_ms=duration_ms,
        )
        Delivery.objects.filter(pk=delivery.pk).update(
            status=status,
            attempts=F("attempts") + 1,
            response_code=outcome.response_code,
            reason=outcome.reason,
            updated_at=timezone.now(),
        )
        _note_slack_health(delivery, outcome)
        if status == DeliveryStatus.RETRYING:
            _retry_later(delivery.pk, attempts, outcome.retry_after or 0.0)
    return status


def _retry_later(delivery_id: int, attempts: int, at_least: float) -> None:
    from .tasks import deliver_notification

    delay = max(at_least, min(30 * 2 ** (attempts - 1), 3600))
    run_after = timezone.now() + timedelta(seconds=delay)
    transaction.on_commit(
        lambda: deliver_notification.using(run_after=run_after).enqueue(delivery_id)
    )


def _note_slack_health(delivery: Delivery, outcome: Outcome) -> None:
    if delivery.kind != DeliveryKind.SLACK or delivery.slack_id is None:
        return
    hooks = SlackWebhook.objects.filter(pk=delivery.slack_id)
    if outcome.delivered:
        hooks.exclude(health_problem="").update(health_problem="")
    elif slack.breaks_webhook(outcome):
        hooks.update(health_problem=outcome.reason)
