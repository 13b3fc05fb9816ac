"""The email channel: one mailbox per channel.

Mail arrives by Parley's SMTP listener (smtpd.py), IMAP polling (imap.py) or an email
provider's inbound webhook (providers.py); each stores the raw message (inbox.py). parse()
reads it (mime.py) and decides threading, bounces and loops (records.py); send() replies
through the mailbox's SMTP server or provider (send.py).
"""

from ..base import Normalized, OutboundMessage, SendResult, WebhookRejected, WebhookRequest
from ..models import Channel
from . import send as sending
from .inbox import stored_mail
from .mime import parse_mail
from .records import mail_records


def verify(channel: Channel, request: WebhookRequest) -> str | None:
    raise WebhookRejected(
        "mail reaches an email channel by SMTP, IMAP or its provider's inbound webhook"
    )


def parse(channel: Channel, headers: dict, body: str) -> list[Normalized]:
    raw = stored_mail(headers, body)
    return mail_records(channel, parse_mail(raw), raw, headers)


def send(channel: Channel, message: OutboundMessage) -> SendResult:
    return sending.send(channel, message)


def check(channel: Channel) -> str:
    return sending.check(channel)
