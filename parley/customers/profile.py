"""What agents see of a customer: figures and lists built from their rows (read-only)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet

from parley.accounts.models import Agent
from parley.conversations.models import Conversation

from .models import Customer, CustomerMerge, MergeSuggestion, Order

# Orders that brought no money in.
UNPAID = {"refunded", "voided", "cancelled", "canceled"}


def lifetime_value(customer: Customer) -> list[tuple[str, Decimal]]:
    """The total of the customer's paid orders, per currency."""
    totals: dict[str, Decimal] = {}
    for currency, total, status in customer.orders.values_list(
        "currency", "total", "financial_status"
    ):
        if total is not None and status.lower() not in UNPAID:
            totals[currency] = totals.get(currency, Decimal(0)) + total
    return sorted(totals.items())


def orders_beside(customer: Customer, named: list[Order], *, limit: int = 5) -> list[Order]:
    """The orders a conversation names first, then the customer's latest."""
    latest = [order for order in customer.orders.all()[:limit] if order not in named]
    return (named + latest)[: max(limit, len(named))]


@dataclass
class Suggested:
    """Another profile that is likely this customer, with what it looks like."""

    suggestion: MergeSuggestion
    other: Customer
    latest: Conversation | None


def open_suggestions(customer: Customer, agent: Agent, *, limit: int = 10) -> list[Suggested]:
    """Other profiles likely to be this customer, among those the agent may see, each with
    its latest conversation the agent may see."""
    from parley.conversations.access import visible_conversations, visible_customers

    visible = visible_customers(agent).values("pk")
    suggestions = MergeSuggestion.objects.filter(
        Q(customer=customer) | Q(other=customer),
        resolved_at__isnull=True,
        customer__merged_into__isnull=True,
        other__merged_into__isnull=True,
        customer__in=visible,
        other__in=visible,
    ).select_related("customer", "other")[:limit]
    found = []
    for suggestion in suggestions:
        other = suggestion.other if suggestion.customer_id == customer.pk else suggestion.customer
        mine = visible_conversations(agent).filter(customer=other).select_related("channel")
        found.append(Suggested(suggestion, other, mine.order_by("-created_at").first()))
    return found


@dataclass
class Moment:
    """One line of a customer's timeline."""

    at: datetime
    kind: str  # "conversation", "merge", "unmerge", "note"
    item: object


def customer_timeline(
    customer: Customer, conversations: QuerySet, *, limit: int = 200
) -> list[Moment]:
    """Conversations on every channel, profile notes and merges, newest first (the latest
    `limit` conversations: a profile page, not an archive)."""
    latest = conversations.order_by("-created_at")[:limit]
    moments = [Moment(c.created_at, "conversation", c) for c in latest]
    moments += [Moment(n.created_at, "note", n) for n in customer.notes.select_related("author")]
    for merge in CustomerMerge.objects.filter(target=customer).select_related("actor", "undone_by"):
        moments.append(Moment(merge.created_at, "merge", merge))
        if merge.undone_at:
            moments.append(Moment(merge.undone_at, "unmerge", merge))
    return sorted(moments, key=lambda moment: moment.at, reverse=True)


def merged_names(merge: CustomerMerge) -> str:
    names = Customer.objects.filter(pk__in=[int(i) for i in merge.moved]).values_list(
        "name", flat=True
    )
    return ", ".join(name or "?" for name in names)
