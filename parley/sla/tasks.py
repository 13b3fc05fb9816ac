"""SLA work in the background: customer messages start clocks, a periodic check marks
breaches. Both take ids and can run again without changing anything."""

from datetime import datetime

from django.db import transaction
from django.db.models import Min
from django_tasks import task

from parley.conversations.models import QUEUE_STATUSES, Conversation, Message
from parley.realtime.push import push_conversation_on_commit

from .models import ConversationSla
from .tracking import mark_breaches, track_sla


# Ahead of the priority score (10) and the rules (0) queued with it: both read due times.
@task(priority=20)
def track_customer_messages(message_ids: list[int]) -> int:
    """Clocks for the conversations these customer messages arrived in, each counted from
    its earliest message in the batch; how many conversations have clocks."""
    firsts = (
        Message.objects.filter(pk__in=message_ids)
        .values("conversation_id")
        .annotate(first=Min("created_at"))
        .order_by("conversation_id")
    )
    return sum(_track(row["conversation_id"], wrote_at=row["first"]) for row in firsts)


@task()
def reapply_policy(policy_id: int) -> int:
    """After an admin changed a policy: its conversations in the queue pick their policy
    again and recompute their due times; how many."""
    queued = ConversationSla.objects.filter(
        policy_id=policy_id, conversation__status__in=QUEUE_STATUSES
    ).values_list("conversation_id", flat=True)
    return sum(_track(conversation_id, repick=True) for conversation_id in queued)


@transaction.atomic
def _track(conversation_id: int, *, wrote_at: datetime | None = None, repick: bool = False) -> bool:
    conversation = (
        Conversation.objects.select_for_update()
        .select_related("channel")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        return False
    if track_sla(conversation, customer_wrote_at=wrote_at, repick=repick) is None:
        return False
    push_conversation_on_commit(conversation, "sla")
    return True


@task()
def check_sla_breaches() -> int:
    """Periodic: mark the targets whose due time passed unmet; how many were marked."""
    return mark_breaches()
