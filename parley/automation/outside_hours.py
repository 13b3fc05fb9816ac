"""The channel's outside-hours reply ("We're back at 9:00"): sent when a customer writes while
the conversation's business hours are closed, once per conversation per closed period, and
never in answer to a machine (ingest does not automate automatic messages at all).

It takes the place of the channel's acknowledgement: a conversation started while closed
gets the outside-hours reply only, one started while open the acknowledgement only.
"""

from collections.abc import Sequence

from django.db import IntegrityError, transaction

from parley.connectors.models import Channel
from parley.conversations.actions import send_automatic_reply
from parley.conversations.models import Conversation, Direction, Message, Status
from parley.core.oncommit import enqueue_on_commit

from .hours import closed_until
from .models import OutsideHoursReply

SETTING = "outside_hours_reply"


def text_of(channel: Channel) -> str:
    settings = channel.settings if isinstance(channel.settings, dict) else {}
    return str(settings.get(SETTING) or "").strip()


def reply_outside_hours_on_commit(messages: Sequence[Message]) -> None:
    """Queue the check for customer messages on channels that have an outside-hours reply."""
    channels = Channel.objects.filter(pk__in={message.channel_id for message in messages})
    replying = {channel.pk for channel in channels.only("pk", "settings") if text_of(channel)}
    chosen = [message.pk for message in messages if message.channel_id in replying]
    if chosen:
        from .tasks import send_outside_hours_replies

        enqueue_on_commit(send_outside_hours_replies, chosen)


def reply_outside_hours(message: Message) -> str:
    """Send the reply if `message` arrived while closed and this closed period of its
    conversation has had none; what happened."""
    if message.direction != Direction.INBOUND or (message.details or {}).get("automatic"):
        return "not a customer's message"
    with transaction.atomic():
        # Locked, like the acknowledgement: workers judging two messages of one
        # conversation at once take turns.
        conversation = (
            Conversation.objects.select_for_update()
            .select_related("channel")
            .filter(pk=message.conversation_id)
            .exclude(status=Status.CLOSED)
            .first()
        )
        if conversation is None:
            return "gone"
        text = text_of(conversation.channel)
        reopens = closed_until(conversation, message.created_at)
        if not text or reopens is None:
            return "open, or no reply set"
        try:
            with transaction.atomic():
                OutsideHoursReply.objects.create(conversation=conversation, reopens_at=reopens)
        except IntegrityError:
            return "already answered in this closed period"
        send_automatic_reply(conversation, text, why="outside_hours")
    return "sent"


def replaces_acknowledgement(conversation: Conversation) -> bool:
    """Whether the outside-hours reply answers this conversation's first message instead of
    the acknowledgement (judged on the same message and moment as reply_outside_hours)."""
    if not text_of(conversation.channel):
        return False
    first = conversation.messages.filter(direction=Direction.INBOUND).order_by("pk").first()
    if first is None or (first.details or {}).get("automatic"):
        return False
    return closed_until(conversation, first.created_at) is not None
