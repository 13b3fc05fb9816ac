"""{% priority_why conversation %}: the score and, on demand, why it is what it is."""

from django import template

from parley.conversations.models import Conversation

from ..priority import explain

register = template.Library()


@register.inclusion_tag("triage/_priority_why.html")
def priority_why(conversation: Conversation) -> dict:
    return {"score": conversation.priority_score, "reasons": explain(conversation.priority_why)}
