"""A priority score per conversation, 0 to 100, with the reasons behind it.

`score` is pure: signals and weights in, score and reasons out. Each signal adds at most its
weight (PrioritySettings), more the stronger the signal, and never less when the signal grows;
the sum is capped at 100. Reasons are stored as data ({"signal", "points", "value"}) and
worded when shown (`explain`), so each agent reads them in their own language.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parley.conversations.models import QUEUE_STATUSES, Conversation, Direction
from parley.customers.profile import lifetime_value
from parley.realtime.push import batched_pushes, push_conversation_on_commit

from .models import PrioritySettings
from .sentiment import THRESHOLD, sentiment
from .urgency import urgent_words

ORDERS_FULL = 10
FOLLOWERS_FROM, FOLLOWERS_FULL = 1_000, 1_000_000
WAITING_FULL_MINUTES = 4 * 60
SLA_HORIZON_MINUTES = 4 * 60
# How much urgency one, two, three or more words carry.
URGENCY_SHARE = (0.0, 0.6, 0.8, 1.0)


@dataclass(frozen=True)
class Signals:
    urgent_words: tuple[str, ...] = ()
    sentiment: float = 0.0  # -1 … +1, as sentiment.sentiment() scores the message
    vip: bool = False
    order_count: int = 0
    lifetime_value: Decimal = Decimal(0)
    followers: int = 0
    waiting_minutes: float = 0.0  # how long the customer has waited for us
    sla_due_minutes: float | None = None  # until the SLA is due; negative: late; None: no SLA


@dataclass(frozen=True)
class Reason:
    signal: str
    points: int
    value: object  # what the signal was: the words, minutes, followers…

    def as_json(self) -> dict:
        return {"signal": self.signal, "points": self.points, "value": self.value}


def score(signals: Signals, weights: PrioritySettings) -> tuple[int, list[Reason]]:
    """The score (0 to 100) and the reasons that added to it, biggest first."""
    s = signals
    shares = [  # (signal, how much of its weight, what it was)
        ("urgency", _share_of_words(len(s.urgent_words)), list(s.urgent_words)),
        ("negative", _negativity(s.sentiment), round(s.sentiment, 2)),
        ("vip", 1.0 if s.vip else 0.0, True),
        ("orders", _clamp(s.order_count / ORDERS_FULL), s.order_count),
        ("lifetime_value", _share_of_value(s.lifetime_value, weights), str(s.lifetime_value)),
        ("followers", _share_of_followers(s.followers), s.followers),
        ("waiting", _clamp(s.waiting_minutes / WAITING_FULL_MINUTES), int(s.waiting_minutes)),
        ("sla", _share_of_sla(s.sla_due_minutes), _minutes(s.sla_due_minutes)),
    ]
    reasons = []
    for signal, share, value in shares:
        points = math.floor(getattr(weights, f"{signal}_points") * share + 0.5)
        if points > 0:
            reasons.append(Reason(signal, points, value))
    reasons.sort(key=lambda reason: -reason.points)
    return min(100, sum(reason.points for reason in reasons)), reasons


def _clamp(share: float) -> float:
    return min(max(share, 0.0), 1.0)


def _share_of_words(found: int) -> float:
    return URGENCY_SHARE[min(found, len(URGENCY_SHARE) - 1)]


def _negativity(sentiment: float) -> float:
    """Nothing until the message reads negative, then as negative as it reads."""
    return _clamp(-sentiment) if sentiment <= -THRESHOLD else 0.0


def _share_of_value(value: Decimal, weights: PrioritySettings) -> float:
    full = Decimal(weights.lifetime_value_full) or Decimal(1)
    return _clamp(float(value / full))


def _share_of_followers(followers: int) -> float:
    """Logarithmic: 10,000 followers is a third of the way from 1,000 to 1,000,000."""
    if followers < FOLLOWERS_FROM:
        return 0.0
    span = math.log10(FOLLOWERS_FULL) - math.log10(FOLLOWERS_FROM)
    return _clamp((math.log10(followers) - math.log10(FOLLOWERS_FROM)) / span)


def _share_of_sla(due_minutes: float | None) -> float:
    if due_minutes is None:
        return 0.0
    return _clamp(1 - due_minutes / SLA_HORIZON_MINUTES)


def _minutes(value: float | None) -> int | None:
    return None if value is None else math.floor(value)


def explain(reasons: Iterable[dict]) -> list[str]:
    """Stored reasons in words: "urgent words: refund, 환불 (+20)"; unknown ones skipped."""
    texts = []
    for reason in reasons:
        if not isinstance(reason, dict):
            continue
        words = _WORDING.get(str(reason.get("signal")))
        if words is not None:
            points = reason.get("points", 0)
            texts.append(f"{words(reason.get('value'))} (+{points})")
    return texts


def _duration(minutes: object) -> str:
    n = abs(int(minutes)) if isinstance(minutes, int | float) else 0
    if n < 60:
        return _("%(n)d min") % {"n": n}
    if n < 48 * 60:
        return _("%(n)d h") % {"n": n // 60}
    return ngettext("%(n)d day", "%(n)d days", n // 1440) % {"n": n // 1440}


def _sla(minutes: object) -> str:
    if isinstance(minutes, int | float) and minutes < 0:
        return _("SLA overdue by %(time)s") % {"time": _duration(minutes)}
    return _("SLA due in %(time)s") % {"time": _duration(minutes)}


def _count(value: object) -> int:
    return int(value) if isinstance(value, int | float) else 0


_WORDING = {
    "urgency": lambda words: (
        _("urgent words: %(words)s")
        % {"words": ", ".join(str(w) for w in words) if isinstance(words, list) else ""}
    ),
    "negative": lambda value: _("negative tone"),
    "vip": lambda value: _("VIP customer"),
    "orders": lambda n: ngettext("%(n)d order", "%(n)d orders", _count(n)) % {"n": _count(n)},
    "lifetime_value": lambda value: _("lifetime value %(value)s") % {"value": value},
    "followers": lambda n: _("%(n)s followers") % {"n": f"{_count(n):,}"},
    "waiting": lambda minutes: _("waiting %(time)s") % {"time": _duration(minutes)},
    "sla": _sla,
}


def followers_of(attributes: object) -> int:
    """The follower count a profile stored ("followers"), 0 when absent or not a count."""
    value = attributes.get("followers") if isinstance(attributes, dict) else None
    if isinstance(value, bool):
        return 0
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return max(int(value), 0) if isinstance(value, int | float) and math.isfinite(value) else 0


def waited_minutes(since: datetime | None, now: datetime) -> float:
    return max((now - since).total_seconds() / 60, 0.0) if since else 0.0


# -- from the database ----------------------------------------------------------------------

# The customer messages a score reads: those we have not answered yet, up to this many.
MESSAGES_READ = 5
# The periodic pass stores a new score only when it moves to another band of this many
# points: waiting time grows every minute, writes should not.
BAND = 5
PERIODIC_LIMIT = 2000
PERIODIC_BATCH = 200


def rescore_conversation(
    conversation_id: int,
    *,
    now: datetime | None = None,
    weights: PrioritySettings | None = None,
    band_only: bool = False,
) -> bool:
    """Score the conversation again and store the score and its reasons; True when they
    changed. `band_only`: store only a move to another band (the periodic pass)."""
    conversation = (
        Conversation.objects.select_related("customer").filter(pk=conversation_id).first()
    )
    if conversation is None:
        return False
    weights = weights or PrioritySettings.current()
    value, reasons = score(signals_of(conversation, weights, now or timezone.now()), weights)
    why = [reason.as_json() for reason in reasons]
    if value == conversation.priority_score and why == conversation.priority_why:
        return False
    if band_only and value // BAND == conversation.priority_score // BAND:
        return False
    Conversation.objects.filter(pk=conversation.pk).update(priority_score=value, priority_why=why)
    push_conversation_on_commit(conversation, "priority")
    return True


def signals_of(conversation: Conversation, weights: PrioritySettings, now: datetime) -> Signals:
    customer = conversation.customer
    attributes = customer.attributes if isinstance(customer.attributes, dict) else {}
    text = unanswered_text(conversation)
    values = lifetime_value(customer)  # per currency, as the profile shows it
    return Signals(
        urgent_words=tuple(urgent_words(text, weights.urgency_words)),
        sentiment=sentiment(text).score,
        vip=bool(attributes.get("vip")),
        order_count=customer.orders.count(),
        lifetime_value=max((total for _, total in values), default=Decimal(0)),
        followers=followers_of(attributes),
        waiting_minutes=waited_minutes(conversation.waiting_since, now),
        sla_due_minutes=_sla_due_minutes(conversation.pk, now),
    )


def unanswered_text(conversation: Conversation) -> str:
    """The subject and the customer's messages since our last reply; "" once we answered
    them all (what they said then is dealt with)."""
    inbound = conversation.messages.filter(direction=Direction.INBOUND)
    if conversation.last_agent_message_at:
        inbound = inbound.filter(created_at__gt=conversation.last_agent_message_at)
    texts = list(inbound.order_by("-pk").values_list("text", flat=True)[:MESSAGES_READ])
    return "\n".join([conversation.subject, *reversed(texts)])[:5000] if texts else ""


def _sla_due_minutes(conversation_id: int, now: datetime) -> float | None:
    """Minutes until the conversation's next SLA due time; None without a running SLA."""
    try:
        from parley.sla.models import ConversationSla
    except ImportError:
        return None
    due = (
        ConversationSla.objects.filter(conversation_id=conversation_id)
        .values_list("next_due_at", flat=True)
        .first()
    )
    return (due - now).total_seconds() / 60 if due else None


def rescore_waiting(now: datetime | None = None) -> int:
    """Periodic: the queue's waiting conversations, longest waiting first and at most
    PERIODIC_LIMIT, scored again (their waiting time and SLA moved on); how many changed."""
    now = now or timezone.now()
    weights = PrioritySettings.current()
    ids = list(
        Conversation.objects.filter(status__in=QUEUE_STATUSES, waiting_since__isnull=False)
        .order_by("waiting_since", "pk")
        .values_list("pk", flat=True)[:PERIODIC_LIMIT]
    )
    changed = 0
    for start in range(0, len(ids), PERIODIC_BATCH):
        with batched_pushes():
            for conversation_id in ids[start : start + PERIODIC_BATCH]:
                changed += rescore_conversation(
                    conversation_id, now=now, weights=weights, band_only=True
                )
    return changed
