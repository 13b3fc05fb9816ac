"""The only permission-checked loaders for conversations, customers and messages.

Admins and leads see everything. An agent sees conversations assigned to them, those of
their teams, and those with no team yet (the shared unassigned queue).
"""

from django.db.models import Q, QuerySet

from parley.accounts.models import Agent
from parley.core.errors import NotFound
from parley.customers.models import Customer

from .models import Conversation


def visible_conversations(agent: Agent) -> QuerySet[Conversation]:
    conversations = Conversation.objects.all()
    if agent.sees_everything:
        return conversations
    return conversations.filter(
        Q(assignee=agent) | Q(team__isnull=True) | Q(team_id__in=agent.team_ids())
    )


def can_see(agent: Agent, conversation: Conversation) -> bool:
    return (
        agent.sees_everything
        or conversation.assignee_id == agent.pk
        or conversation.team_id is None
        or conversation.team_id in agent.team_ids()
    )


def access_conversation(agent: Agent, conversation_id: int) -> Conversation:
    conversation = (
        Conversation.objects.select_related("channel", "customer", "assignee", "team")
        .filter(pk=conversation_id)
        .first()
    )
    # Invisible and missing look the same, so ids cannot be probed.
    if conversation is None or not can_see(agent, conversation):
        raise NotFound(f"conversation {conversation_id} not found")
    return conversation


def visible_customers(agent: Agent) -> QuerySet[Customer]:
    if agent.sees_everything:
        return Customer.objects.all()
    return Customer.objects.filter(conversations__in=visible_conversations(agent)).distinct()


def access_customer(agent: Agent, customer_id: int) -> Customer:
    customer = visible_customers(agent).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    return customer


def can_merge(agent: Agent, customers: list[Customer]) -> bool:
    """Merging moves every conversation of the profiles: only someone who may see all of
    them (leads and admins always)."""
    if agent.sees_everything:
        return True
    hidden = Conversation.objects.filter(customer__in=customers).exclude(
        pk__in=visible_conversations(agent).values("pk")
    )
    return not hidden.exists()
