"""The conversation as assistance reads it: what the customer and the agents said to each
other, in order. Internal notes and unsent (deleted) messages are never part of it."""

from django.utils.translation import gettext as _

from parley.conversations.models import Conversation, Direction

from .summary import Line, split_sentences

MAX_MESSAGES = 40
MAX_MESSAGE = 2000
MAX_TOTAL = 12000


def exchanged(conversation: Conversation) -> list[tuple[str, str]]:
    """(speaker, text) of the latest MAX_MESSAGES messages in and out, oldest first,
    within MAX_TOTAL characters (the latest kept)."""
    messages = (
        conversation.messages.filter(
            direction__in=[Direction.INBOUND, Direction.OUTBOUND], deleted_at__isnull=True
        )
        .exclude(text="")
        .select_related("author")
        .order_by("-pk")[:MAX_MESSAGES]
    )
    customer = customer_name(conversation)
    kept: list[tuple[str, str]] = []
    total = 0
    for message in messages:
        text = message.text[:MAX_MESSAGE]
        total += len(text)
        if total > MAX_TOTAL and kept:
            break
        if message.direction == Direction.INBOUND:
            speaker = customer
        else:
            speaker = str(message.author) if message.author else _("Agent")
        kept.append((speaker, text))
    return kept[::-1]


def customer_name(conversation: Conversation) -> str:
    return conversation.customer.name or _("Customer")


def as_lines(conversation: Conversation) -> list[Line]:
    return [
        line for speaker, text in exchanged(conversation) for line in split_sentences(speaker, text)
    ]
