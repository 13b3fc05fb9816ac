"""Every way mail reaches Parley (SMTP listener, IMAP poller, provider webhooks) ends here:
the raw message is stored in the durable inbox before anyone is told it was received.

The stored body is the message's bytes in base64: mail is bytes, often not valid UTF-8,
and must be kept exactly (the parser improves; `parley replay` re-reads the original).
"""

import base64
import re

from django.conf import settings

from parley.conversations.inbox import accept_inbound
from parley.conversations.ingest import RawInbound, accept_inbound_events
from parley.conversations.models import InboundEvent

ENCODING_HEADER = "x-parley-encoding"
_HEADER_END = re.compile(rb"\r?\n\r?\n|\r\r")


def raw_inbound_mail(
    channel_id: int,
    raw: bytes,
    *,
    source: str,
    recipients: tuple[str, ...] = (),
    size: int | None = None,
) -> RawInbound:
    """The durable-inbox record of one message. Too large: only its header block is kept,
    recorded as failed with the reason, so the sender and subject stay visible. `size` is
    the whole message's size when `raw` is only its header block (IMAP does not download
    what would not be kept)."""
    size = len(raw) if size is None else size
    headers = {ENCODING_HEADER: "base64", "x-parley-source": source, "x-parley-size": str(size)}
    if recipients:
        headers["x-parley-recipients"] = ", ".join(recipients)
    limit = settings.PARLEY_MAX_EMAIL_BYTES
    if size > limit:
        reason = (
            f"message of {_size(size)} is over the {_size(limit)} limit (PARLEY_MAX_EMAIL_BYTES)"
        )
        return RawInbound(channel_id, headers, _b64(header_block(raw)), reason)
    return RawInbound(channel_id, headers, _b64(raw))


def accept_mail(
    channel_id: int,
    raw: bytes,
    *,
    source: str,
    recipients: tuple[str, ...] = (),
    size: int | None = None,
) -> InboundEvent:
    """Store one message (synchronous callers: the IMAP poller, provider webhooks)."""
    record = raw_inbound_mail(channel_id, raw, source=source, recipients=recipients, size=size)
    return accept_inbound_events([record])[0]


async def accept_mail_async(
    channel_id: int, raw: bytes, *, source: str, recipients: tuple[str, ...] = ()
) -> InboundEvent:
    """Store one message, sharing a group commit with others arriving at the same time."""
    record = raw_inbound_mail(channel_id, raw, source=source, recipients=recipients)
    return await accept_inbound(record)


def stored_mail(headers: dict, body: str) -> bytes:
    """The original bytes of a stored message."""
    if headers.get(ENCODING_HEADER) == "base64":
        return base64.b64decode(body)
    return body.encode("utf-8", "surrogateescape")


def header_block(raw: bytes) -> bytes:
    match = _HEADER_END.search(raw, 0, 1024 * 1024)
    return raw[: match.end()] if match else raw[: 64 * 1024]


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
