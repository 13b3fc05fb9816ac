"""Scores are computed in the background: after customer messages, and as waiting grows."""

from django_tasks import task

from .priority import rescore_conversation, rescore_waiting


# Ahead of the rules queued with it, so that rules testing the score see the new one.
@task(priority=10)
def rescore_conversations(conversation_ids: list[int]) -> int:
    """Score these conversations again; how many changed."""
    return sum(rescore_conversation(pk) for pk in sorted(set(conversation_ids)))


@task()
def rescore_waiting_conversations() -> int:
    """Periodic: waiting conversations whose score moved to another band; how many."""
    return rescore_waiting()
