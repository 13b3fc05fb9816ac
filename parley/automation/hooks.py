"""How ingest hands new customer messages to the rules."""

from collections.abc import Sequence

from parley.conversations.models import Message
from parley.core.oncommit import enqueue_on_commit

from .models import Rule


def automate_on_commit(messages: Sequence[Message]) -> None:
    """Queue the rules for these customer messages once they are stored — one task for a
    batch, none at all while no rule is enabled."""
    if messages and Rule.objects.filter(enabled=True).exists():
        from .tasks import run_rules_for_messages

        enqueue_on_commit(run_rules_for_messages, [message.pk for message in messages])
