"""SLA work in the background: customer messages start clocks, a periodic check marks
breaches. Both take ids and can run again without changing anything."""

from datetime import datetime

from django.db import transaction
from django.db.models import Min
from django_tasks import task

from parley.conversations.models import Conversation, Message
from parley.realtime.push import push_conversation_on_commit

from .tracking import mark_breaches, track_sla


@task()
def track_customer_messages(message_ids: list[int]) -> int:
    """Clocks for the conversations these customer messages arrived in, each counted from
    its earliest message in the batch; how many conversations have clocks."""
    firsts = (
        Message.objects.filter(pk__in=message_ids)
        .values("conversation_id")
        .annotate(first=Min("created_at"))
        .order_by("conversation_id")
    )
    return sum(_track(row["conversation_id"], row["first"]) for row in firsts)


@transaction.atomic
def _track(conversation_id: int, wrote_at: datetime) -> bool:
    conversation = (
        Conversation.objects.select_for_update()
        .select_related("channel")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None or track_sla(conversation, customer_wrote_at=wrote_at) is None:
        return False
    push_conversation_on_commit(conversation, "sla")
    return True


@task()
def check_sla_breaches() -> int:
    """Periodic: mark the targets whose due time passed unmet; how many were marked."""
    return mark_breaches()
