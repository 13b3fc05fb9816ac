"""What the widget's socket and HTTP endpoints do for a visitor, checked once for both.

Every check that protects the helpdesk lives here: the channel must exist and be a live chat
channel, the page's origin must be on its allow-list, the visitor must not exceed the rate
limits, and a message must fit. Anything accepted is stored durably before it is
acknowledged (`accept_inbound_events`), like every other channel's payload.
"""

import base64
import json
import time
from dataclasses import asdict
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from parley.conversations.ingest import RawInbound, accept_inbound_events
from parley.conversations.models import Conversation, Status
from parley.core.errors import InvalidInput, NotFound, ParleyError, PermissionDenied
from parley.realtime.presence import agents_online
from parley.realtime.push import audience

from ..models import Channel, ChannelKind
from .hours import is_open, next_opening
from .identity import Visitor

MAX_MESSAGE_CHARS = 5000
DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# (how many, per seconds): generous for a person typing, tight for a script.
VISITOR_MESSAGES = (20, 60)
ADDRESS_MESSAGES = (60, 60)
ADDRESS_SESSIONS = (30, 60)
VISITOR_UPLOADS = (10, 600)


class TooLarge(ParleyError):
    code = "too_large"
    http_status = 413


class RateLimited(ParleyError):
    code = "rate_limited"
    http_status = 429


def chat_channel(public_key: str, origin: str | None) -> Channel:
    """The active chat channel with this key, if the page's origin may use it."""
    channel = Channel.objects.filter(
        public_key=public_key, kind=ChannelKind.CHAT, active=True
    ).first()
    if channel is None:
        raise NotFound(_("There is no live chat with this key."), code="unknown_channel")
    allowed = [normal_origin(o) for o in channel.settings.get("allowed_origins") or []]
    if allowed and normal_origin(origin or "") not in allowed:
        raise PermissionDenied(
            _("This site is not allowed to use this chat (origin %(origin)s).")
            % {"origin": origin or "none"},
            code="origin_not_allowed",
        )
    return channel


def normal_origin(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


def check_rate(what: str, key: str, limit: tuple[int, int]) -> None:
    """A fixed-window counter in Django's cache (shared when the cache is)."""
    count, seconds = limit
    bucket = f"chat.rate.{what}.{key}.{int(time.time() // seconds)}"
    cache.add(bucket, 0, seconds + 1)
    try:
        used = cache.incr(bucket)
    except ValueError:  # evicted between add and incr
        cache.set(bucket, 1, seconds + 1)
        used = 1
    if used > count:
        raise RateLimited(
            _("Too many messages at once: please wait a moment and try again."),
            code="rate_limited",
        )


def max_upload_bytes(channel: Channel) -> int:
    wanted = int(channel.settings.get("max_attachment_bytes") or DEFAULT_MAX_UPLOAD_BYTES)
    return min(wanted, settings.PARLEY_MAX_ATTACHMENT_BYTES)


def widget_settings(channel: Channel) -> dict:
    """What the widget needs to know to draw itself."""
    return {
        "title": channel.settings.get("title") or channel.name,
        "ask_name": bool(channel.settings.get("ask_name")),
        "ask_email": bool(channel.settings.get("ask_email")),
        "language": channel.settings.get("language") or "",
        "max_message_chars": MAX_MESSAGE_CHARS,
        "max_attachment_bytes": max_upload_bytes(channel),
    }


def away_status(channel: Channel, now: datetime | None = None) -> dict | None:
    """None while the team answers; otherwise why not and, if known, when it will."""
    now = now or timezone.now()
    if not is_open(channel.settings, now):
        opens = next_opening(channel.settings, now)
        return {"reason": "closed", "next_open": opens.isoformat() if opens else None}
    if not agents_online():
        return {"reason": "nobody_online", "next_open": None}
    return None


def accept_message(
    channel: Channel,
    visitor: Visitor,
    address: str,
    *,
    client_id: str,
    text: str,
    page: str = "",
    attachments: list[dict] | None = None,
) -> None:
    """Check and durably store one visitor message; raises a ParleyError saying why not."""
    client_id, text = str(client_id).strip()[:64], str(text).strip()
    if not client_id:
        raise InvalidInput(_("A message needs a client_id."), code="bad_frame")
    if not text and not attachments:
        raise InvalidInput(_("The message is empty."), code="empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise TooLarge(
            _("Messages can be at most %(count)d characters.") % {"count": MAX_MESSAGE_CHARS}
        )
    _require_contact(channel, visitor)
    check_rate("visitor", f"{channel.pk}.{visitor.id}", VISITOR_MESSAGES)
    check_rate("address", address, ADDRESS_MESSAGES)
    _store(
        channel,
        {
            "type": "message",
            "visitor": asdict(visitor),
            "client_id": client_id,
            "text": text,
            "sent_at": timezone.now().isoformat(),
            "page": str(page)[:500],
            "attachments": attachments or [],
        },
    )


def _require_contact(channel: Channel, visitor: Visitor) -> None:
    if channel.settings.get("ask_email") and not visitor.email:
        raise InvalidInput(_("Please tell us your email address first."), code="contact_needed")
    if channel.settings.get("ask_name") and not visitor.name:
        raise InvalidInput(_("Please tell us your name first."), code="contact_needed")


def too_large_file(channel: Channel) -> str:
    megabytes = max_upload_bytes(channel) / (1024 * 1024)
    return _("The file is too large: at most %(size)s MB.") % {"size": f"{megabytes:g}"}


def attachment_payload(channel: Channel, upload: object) -> dict:
    """One uploaded file as a stored payload's attachment, refused when too large."""
    size, limit = upload.size, max_upload_bytes(channel)  # type: ignore[attr-defined]
    if size > limit:
        raise TooLarge(too_large_file(channel))
    return {
        "filename": str(upload.name)[:255],  # type: ignore[attr-defined]
        "content_type": (upload.content_type or "application/octet-stream")[:120],  # type: ignore[attr-defined]
        "data": base64.b64encode(upload.read()).decode(),  # type: ignore[attr-defined]
    }


def accept_contact(channel: Channel, visitor: Visitor) -> None:
    """The visitor left their email: link it to them, so replies can follow by email."""
    _store(channel, {"type": "contact", "visitor": asdict(visitor)})


def _store(channel: Channel, payload: dict) -> None:
    accept_inbound_events([RawInbound(channel.pk, {}, json.dumps(payload))])


def typing_audience(channel: Channel, visitor: Visitor) -> tuple[set[str], int] | None:
    """Who may see this visitor typing: the groups that see their open conversation."""
    conversation = (
        Conversation.objects.filter(channel=channel, thread_ref=visitor.id)
        .exclude(status=Status.CLOSED)
        .order_by("-created_at")
        .values("pk", "team_id", "assignee_id")
        .first()
    )
    if conversation is None:
        return None
    names = audience(team_ids=(conversation["team_id"],), agent_ids=(conversation["assignee_id"],))
    return names, conversation["pk"]
