"""Rules run in the background, after the message that triggered them is stored."""

from django_tasks import task

from parley.conversations.models import Message

from .engine import run_rules_for_message


@task()
def run_rules_for_messages(message_ids: list[int]) -> int:
    """The rules for each customer message, in the order they arrived; how many fired."""
    fired = 0
    for message in Message.objects.filter(pk__in=message_ids).order_by("pk"):
        fired += len(run_rules_for_message(message))
    return fired
