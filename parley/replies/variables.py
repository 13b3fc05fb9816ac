"""The values a saved reply's variables take in one conversation, as a flat dict of text."""

from parley.accounts.models import Agent
from parley.conversations.models import Conversation, Direction
from parley.customers.models import Customer, IdentityKind, Order
from parley.triage.language import detect_language


def values_for(conversation: Conversation, agent: Agent | None) -> dict[str, str]:
    """The documented variables' values; without an agent (a rule's reply) the agent's stay
    unfilled."""
    customer = conversation.customer
    values = {
        "customer.name": customer.name,
        "customer.first_name": first_name(customer.name),
        "customer.email": _email(customer),
        "conversation.id": str(conversation.pk),
    }
    if agent is not None:
        values |= {"agent.name": str(agent), "agent.first_name": first_name(str(agent))}
    order = latest_order(conversation)
    if order is not None:
        tracking: dict = next((t for t in order.tracking if t.get("url") or t.get("number")), {})
        values |= {
            "order.number": order.number,
            "order.status": order.fulfillment_status or order.financial_status,
            "order.tracking_url": tracking.get("url", ""),
            "order.tracking_number": tracking.get("number", ""),
        }
    return {name: " ".join(value.split()) for name, value in values.items()}


def first_name(name: str) -> str:
    """The first word: "Ann Archer" → "Ann". A name written without spaces (김민지) stays whole."""
    words = name.split()
    return words[0] if words else ""


def latest_order(conversation: Conversation) -> Order | None:
    """The order the conversation names (the latest of them), else the customer's latest —
    as the orders panel lists them."""
    customer = conversation.customer
    return conversation.orders.filter(customer=customer).first() or customer.orders.first()


def customer_language(conversation: Conversation) -> str:
    """The customer's language as their profile says, else as their latest message reads."""
    stated = (conversation.customer.attributes or {}).get("language")
    if isinstance(stated, str) and stated:
        return stated.lower()[:8]
    latest = (
        conversation.messages.filter(direction=Direction.INBOUND)
        .order_by("-created_at", "-pk")
        .values_list("text", flat=True)
        .first()
    )
    return detect_language(latest or "")


def _email(customer: Customer) -> str:
    found = customer.identities.filter(kind=IdentityKind.EMAIL).values_list("value", flat=True)
    return found.first() or ""
