"""What a reply may be right now, per platform: the messaging windows and comment replies.

The composer shows it (and says why); sending checks it again, since time passes between
opening a conversation and pressing send.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Channel, ChannelKind, MessageTemplate

# Messenger/Instagram standard window and WhatsApp's customer-service window.
DAY = timedelta(hours=24)
# Messenger/Instagram HUMAN_AGENT tag, and private replies to a comment.
WEEK = timedelta(days=7)


@dataclass
class ReplyOptions:
    free_form: bool = True  # False: only a template may be sent
    notice: str = ""  # why, in words for the agent
    comment: bool = False  # a comment thread: public or private reply
    private_allowed: bool = False
    templates: list[MessageTemplate] = field(default_factory=list)


def reply_options(
    channel: Channel, thread_ref: str, customer_wrote_at: datetime | None
) -> ReplyOptions:
    if channel.settings.get("demo"):
        return ReplyOptions()
    since = timezone.now() - customer_wrote_at if customer_wrote_at else None
    if channel.kind in (ChannelKind.MESSENGER, ChannelKind.INSTAGRAM):
        return _meta_messaging(thread_ref, since)
    if channel.kind == ChannelKind.WHATSAPP:
        return _whatsapp(channel, since)
    return ReplyOptions()


def _meta_messaging(thread_ref: str, since: timedelta | None) -> ReplyOptions:
    if thread_ref.startswith("comment:"):
        private = since is None or since <= WEEK
        return ReplyOptions(comment=True, private_allowed=private)
    if since is None or since <= DAY:
        return ReplyOptions()
    if since <= WEEK:
        return ReplyOptions(
            notice=_(
                "More than 24 hours since the customer wrote: your reply goes out with the "
                "Human Agent tag, allowed for 7 days."
            )
        )
    return ReplyOptions(
        free_form=False,
        notice=_(
            "More than 7 days since the customer wrote: the platform allows no reply until "
            "they write again."
        ),
    )


def _whatsapp(channel: Channel, since: timedelta | None) -> ReplyOptions:
    if since is not None and since <= DAY:
        return ReplyOptions()
    return ReplyOptions(
        free_form=False,
        notice=_(
            "More than 24 hours since the customer last wrote: WhatsApp allows only an "
            "approved template until they write again."
        ),
        templates=list(channel.templates.filter(status="APPROVED")),
    )


def fill_template(template: MessageTemplate, parameters: list[str]) -> str:
    """The template's body with {{n}} replaced, as the customer will read it."""
    text = template.body
    for n, value in enumerate(parameters, 1):
        text = text.replace(f"{{{{{n}}}}}", value)
    return text
