"""How new messages reach scoring: a customer's raises the score, a reply lowers it."""

from collections.abc import Sequence

from parley.conversations.models import Message
from parley.core.oncommit import enqueue_on_commit


def rescore_on_commit(messages: Sequence[Message]) -> None:
    """Score the conversations of these messages again once they are stored: one task for
    the batch."""
    if messages:
        from .tasks import rescore_conversations

        ids = sorted({message.conversation_id for message in messages})
        enqueue_on_commit(rescore_conversations, ids)
