"""Rules run in the background, after the message that triggered them is stored."""

from django_tasks import task

from parley.conversations.models import Message

from .engine import run_rules_for_message, run_rules_for_reply, run_rules_for_update


@task()
def run_rules_for_messages(message_ids: list[int]) -> int:
    """The rules for each customer message, in the order they arrived; how many fired."""
    fired = 0
    for message in Message.objects.filter(pk__in=message_ids).order_by("pk"):
        fired += len(run_rules_for_message(message))
    return fired


@task()
def distribute_conversations() -> int:
    """Periodic: conversations of agents away too long go back through their team's policy,
    then waiting team conversations go to whoever is available; how many were assigned."""
    from .assignment import distribute_waiting, reassign_from_away

    return reassign_from_away() + distribute_waiting()


@task()
def run_reply_rules(message_id: int) -> int:
    """`reply_sent` rules for an agent's reply; how many fired."""
    message = Message.objects.filter(pk=message_id).first()
    return len(run_rules_for_reply(message)) if message else 0


@task()
def run_update_rules(conversation_id: int, changed: list[str]) -> int:
    """`conversation_updated` rules after an agent changed `changed`; how many fired."""
    return len(run_rules_for_update(conversation_id, changed))


@task()
def run_time_rules() -> int:
    """Periodic: time-based rules on the conversations whose time has come (timers.py)."""
    from .timers import fire_due_rules

    return fire_due_rules()


@task()
def send_outside_hours_replies(message_ids: list[int]) -> int:
    """The channel's outside-hours reply for customer messages that arrived while closed,
    once per conversation per closed period; how many were sent."""
    from .outside_hours import reply_outside_hours

    messages = Message.objects.filter(pk__in=message_ids).order_by("pk")
    return sum(reply_outside_hours(message) == "sent" for message in messages)
