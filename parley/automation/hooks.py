"""How the conversation actions and ingest hand their changes to the rules."""

from collections.abc import Sequence

from parley.accounts.models import Agent
from parley.conversations.models import Conversation, Message
from parley.core.oncommit import enqueue_on_commit

from .models import Rule


def automate_on_commit(messages: Sequence[Message]) -> None:
    """Queue the rules for these customer messages once they are stored — one task for a
    batch, none at all while no rule is enabled — the outside-hours replies, the SLA
    clocks and the priority score."""
    from parley.sla.hooks import track_messages_on_commit
    from parley.triage.hooks import rescore_on_commit

    from .outside_hours import reply_outside_hours_on_commit

    track_messages_on_commit(messages)  # first: the score counts the SLA's due time
    rescore_on_commit(messages)  # then: rules may test the score
    if messages and Rule.objects.filter(enabled=True).exists():
        from .tasks import run_rules_for_messages

        enqueue_on_commit(run_rules_for_messages, [message.pk for message in messages])
    reply_outside_hours_on_commit(messages)


def reply_sent_on_commit(agent: Agent | None, message: Message) -> None:
    """`reply_sent` rules for an agent's reply, once it is stored; and a new priority score
    for every reply (the customer no longer waits)."""
    from parley.triage.hooks import rescore_on_commit

    rescore_on_commit([message])
    if agent is not None and _enabled("reply_sent"):
        from .tasks import run_reply_rules

        enqueue_on_commit(run_reply_rules, message.pk)


def updated_on_commit(actor: Agent | None, conversation: Conversation, **changed: bool) -> None:
    """`conversation_updated` rules after an agent changed what is flagged True. Changes
    without an agent (a rule's, a policy's) start nothing: rules cannot trigger rules."""
    names = sorted(name for name, flagged in changed.items() if flagged)
    if actor is not None and names and _enabled("conversation_updated"):
        from .tasks import run_update_rules

        enqueue_on_commit(run_update_rules, conversation.pk, names)


def _enabled(trigger: str) -> bool:
    return Rule.objects.filter(enabled=True, trigger=trigger).exists()
