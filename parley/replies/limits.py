"""What each platform accepts in one reply, checked before a reply is stored.

Limits are the platforms' documented maximum text lengths (docs/replies.md cites them), for
what goes out as one message: comment replies and private replies to comments. Direct
messages (Messenger, Instagram, WhatsApp) longer than one message are sent as several, and
email and live chat take long text: none here.
"""

from django.utils.translation import gettext as _

from parley.connectors.models import ChannelKind
from parley.core.errors import InvalidInput

from .render import placeholders

MESSENGER = 2000  # Send API: text is UTF-8 with a 2000 character limit
INSTAGRAM_DM = 1000  # Instagram messaging: text under 1000 characters
INSTAGRAM_COMMENT = 2200  # an Instagram comment, like a caption, holds 2200 characters
X_DM = 10_000  # X API v2 direct messages


class ReplyRefused(InvalidInput):
    """A reply that must not leave as written; the agent's draft is kept to fix it."""


def reply_limit(kind: str, thread_ref: str, comment_reply: str = "") -> tuple[int, str] | None:
    """(characters, what is limited) for a reply on this thread, or None when unlimited."""
    comment = thread_ref.startswith("comment:") or kind == ChannelKind.INSTAGRAM_COMMENT
    private = comment and comment_reply == "private"
    direct = (ChannelKind.MESSENGER, ChannelKind.INSTAGRAM, ChannelKind.INSTAGRAM_COMMENT)
    if kind == ChannelKind.WHATSAPP or (kind in direct and not comment):
        return None  # a direct message: longer text goes as several (messaging.chunks)
    if kind == ChannelKind.MESSENGER and private:
        return MESSENGER, _("a Messenger message")
    if kind in (ChannelKind.INSTAGRAM, ChannelKind.INSTAGRAM_COMMENT):
        if not private:
            return INSTAGRAM_COMMENT, _("an Instagram comment")
        return INSTAGRAM_DM, _("an Instagram message")
    if kind == ChannelKind.X:
        return X_DM, _("an X direct message")
    return None


def check_reply(kind: str, thread_ref: str, text: str, details: dict | None) -> None:
    """Refuses a reply that still shows a placeholder, or that the platform would not take."""
    unfilled = placeholders(text)
    if unfilled:
        raise ReplyRefused(
            _("Fill in %(names)s before sending: the customer would see the brackets.")
            % {"names": ", ".join(f"[{name}]" for name in unfilled)},
            code="unfilled_placeholder",
        )
    if (details or {}).get("template"):
        return  # an approved template, checked by the platform when it was approved
    limit = reply_limit(kind, thread_ref, (details or {}).get("comment_reply", ""))
    if limit is not None and len(text) > limit[0]:
        raise ReplyRefused(
            _("Too long for %(what)s: %(length)d characters, the limit is %(limit)d.")
            % {"what": limit[1], "length": len(text), "limit": limit[0]},
            code="too_long",
        )
