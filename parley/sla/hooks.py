"""How ingest hands customer messages to the SLA clocks: one task per batch, on commit."""

from collections.abc import Sequence

from parley.conversations.models import Message
from parley.core.oncommit import enqueue_on_commit

from .models import SlaPolicy


def track_messages_on_commit(messages: Sequence[Message]) -> None:
    """None at all while no policy is enabled."""
    if messages and SlaPolicy.objects.filter(enabled=True).exists():
        from .tasks import track_customer_messages

        enqueue_on_commit(track_customer_messages, [message.pk for message in messages])
