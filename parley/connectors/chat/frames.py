"""What a visitor's widget may read: their own conversation's customer-visible messages.

This is the one place that turns stored messages into widget frames, so the rule lives
once: inbound messages and replies only — never notes, never timeline entries, never a
message deleted on our side — and only from conversations on this channel's thread for
this visitor.
"""

import hashlib
from datetime import datetime

from django.core import signing
from django.urls import reverse

from parley.conversations.models import Attachment, Direction, Message

from ..models import Channel

HISTORY_LIMIT = 100
VISIBLE = (Direction.INBOUND, Direction.OUTBOUND)


def visitor_group(channel_id: int, visitor_id: str) -> str:
    """The channel-layer group of one visitor's open widgets (any tab, any device)."""
    digest = hashlib.sha256(f"{channel_id}:{visitor_id}".encode()).hexdigest()[:40]
    return f"chat.{digest}"


def visible_messages(channel: Channel, visitor_id: str) -> list[Message]:
    """The visitor's latest messages and replies, oldest first."""
    latest = (
        Message.objects.filter(
            conversation__channel=channel,
            conversation__thread_ref=visitor_id,
            direction__in=VISIBLE,
            deleted_at__isnull=True,
        )
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("-created_at", "-pk")[:HISTORY_LIMIT]
    )
    return list(reversed(latest))


def history_frame(channel: Channel, visitor_id: str) -> dict:
    return {
        "type": "history",
        "messages": [message_frame(channel, m) for m in visible_messages(channel, visitor_id)],
    }


def message_frame(channel: Channel, message: Message) -> dict:
    if message.direction not in VISIBLE:
        raise ValueError("only messages and replies reach a visitor")
    from_visitor = message.direction == Direction.INBOUND
    return {
        "type": "message",
        "id": message.pk,
        "from": "visitor" if from_visitor else "agent",
        # The widget's own id for a message it sent: it replaces the optimistic copy.
        "client_id": (message.external_id or "").rpartition(":")[2] if from_visitor else "",
        "author": "" if from_visitor or message.author is None else message.author.display_name,
        "text": message.text,
        "at": _iso(message.sent_at or message.created_at),
        "attachments": [attachment_frame(channel, a) for a in message.attachments.all()],
    }


def attachment_frame(channel: Channel, attachment: Attachment) -> dict:
    frame = {"name": attachment.filename, "size": attachment.size, "url": ""}
    if attachment.file:
        signed = signing.dumps(attachment.pk, salt=_file_salt(channel))
        frame["url"] = reverse("chat_file", args=[channel.public_key, signed])
    return frame


def attachment_for(channel: Channel, signed: str) -> Attachment | None:
    """The attachment a signed link names, if it is a visible one of this channel."""
    try:
        attachment_id = signing.loads(signed, salt=_file_salt(channel))
    except signing.BadSignature:
        return None
    return (
        Attachment.objects.select_related("message")
        .filter(
            pk=attachment_id,
            message__channel=channel,
            message__direction__in=VISIBLE,
            message__deleted_at__isnull=True,
        )
        .exclude(file="")
        .first()
    )


def _file_salt(channel: Channel) -> str:
    return f"parley.chat.file.{channel.public_key}"


def _iso(moment: datetime) -> str:
    return moment.isoformat()
