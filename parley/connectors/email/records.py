"""ParsedMail → the normalized records ingest understands: threading, bounces, loops, storms.

Threading, in order (../shared/protocols/email.md): In-Reply-To / References against the
Message-IDs Parley sent or received; the ticket reference in the subject ([#1234]); the
plus-address the mail was sent to (support+1234@…); otherwise a new conversation. A subject
or plus-address reference is followed only when the sender already takes part in that
conversation, so that writing "[#12]" into a subject cannot put mail into someone's ticket.
"""

import hashlib
import re
from datetime import datetime, timedelta
from email.errors import HeaderParseError
from email.headerregistry import Address as HeaderAddress
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from parley.conversations.models import Conversation, Direction, Message
from parley.core.errors import InvalidInput
from parley.customers.models import IdentityKind
from parley.customers.normalize import normalize_email
from parley.customers.resolve import IdentityRef

from ..base import (
    DeliveryUpdate,
    InboundAttachment,
    InboundMessage,
    Normalized,
    Unhandled,
)
from ..models import Channel
from .mime import Address, ParsedMail

TICKET_REFERENCE = re.compile(r"\[#(\d{1,12})\]")
PLUS_REFERENCE = re.compile(r"^[^+@]+\+(\d{1,12})@")


def mail_records(channel: Channel, mail: ParsedMail, raw: bytes, headers: dict) -> list[Normalized]:
    if mail.bounce is not None:
        return _bounce_records(mail)
    if mail.report_type:
        return [Unhandled(f"{mail.report_type} report from {_who(mail.sender)}")]
    sender = _sender(mail)
    if sender is None:
        return [Unhandled("mail without a usable sender address")]
    conversation_id = _thread(channel, mail, _author(mail), headers)
    if mail.is_auto_reply and conversation_id is None:
        return [Unhandled(f"automatic reply from {sender} to mail Parley did not send")]
    if conversation_id is None and _storming(channel, sender):
        return [Unhandled(f"mail storm: over {_storm_limit()} messages from {sender} in an hour")]
    return [_message(channel, mail, raw, sender, conversation_id)]


def _message(
    channel: Channel, mail: ParsedMail, raw: bytes, sender: str, conversation_id: int | None
) -> InboundMessage:
    message_id = mail.message_id or f"<sha256.{hashlib.sha256(raw).hexdigest()}@parley.invalid>"
    return InboundMessage(
        channel_id=channel.pk,
        external_id=message_id[:255],
        # A new thread per new mail: mail is never threaded on its sender or subject alone.
        thread_ref=message_id[:255],
        sender=IdentityRef(
            IdentityKind.EMAIL, sender, name=mail.sender.name if mail.sender else ""
        ),
        text=mail.text,
        html=mail.html,
        subject=mail.subject.strip() or "(no subject)",
        sent_at=_plausible(mail),
        attachments=tuple(
            InboundAttachment(a.filename, a.content_type, a.content) for a in mail.attachments
        ),
        details={"email": _envelope(mail)},
        conversation_id=conversation_id,
        automatic=mail.is_auto_reply or _is_bulk(mail),
    )


def _envelope(mail: ParsedMail) -> dict:
    """What the conversation view shows above the mail, and what replies need (CC)."""
    envelope: dict = {
        "message_id": mail.message_id,
        "from": _formatted(mail.sender) if mail.sender else "",
        "to": [_formatted(a) for a in mail.to if a.addr],
        "cc": [_formatted(a) for a in mail.cc if a.addr],
        # Bare addresses, for exact "is this person on the thread" checks.
        "participants": sorted({_bare(a) for a in (mail.sender, *mail.to, *mail.cc) if _bare(a)}),
    }
    if mail.reply_to:
        envelope["reply_to"] = [_formatted(a) for a in mail.reply_to if a.addr]
    if mail.references or mail.in_reply_to:
        envelope["references"] = list(dict.fromkeys([*mail.references, *mail.in_reply_to]))[-20:]
    if mail.is_auto_reply:
        envelope["auto_reply"] = list(mail.auto_reply_signals)
    inline = {a.content_id: a.filename for a in mail.attachments if a.content_id}
    if inline:
        envelope["inline"] = inline
    return envelope


def _author(mail: ParsedMail) -> str:
    """Who wrote the mail (From): what threading by reference trusts, never Reply-To,
    which anyone may set to anyone."""
    return _bare(mail.sender)


def _bare(address: Address | None) -> str:
    if address is None or not address.addr:
        return ""
    try:
        return normalize_email(address.addr)
    except InvalidInput:
        return ""


def _sender(mail: ParsedMail) -> str | None:
    """Where replies go: Reply-To when given (shops' contact forms set it), else From."""
    for address in (*mail.reply_to, mail.sender):
        if address is not None and address.addr:
            try:
                return normalize_email(address.addr)
            except InvalidInput:
                continue
    return None


def _thread(channel: Channel, mail: ParsedMail, sender: str, headers: dict) -> int | None:
    by_reference = _by_message_ids(channel, [*mail.in_reply_to, *reversed(mail.references)])
    if by_reference is not None:
        return by_reference
    candidates = [int(n) for n in TICKET_REFERENCE.findall(mail.subject)]
    for recipient in _recipients(mail, headers):
        match = PLUS_REFERENCE.match(recipient)
        if match:
            candidates.append(int(match.group(1)))
    for candidate in candidates:
        if _takes_part(candidate, sender):
            return candidate
    return None


def _by_message_ids(channel: Channel, ids: list[str]) -> int | None:
    """Our own Message-IDs are unique everywhere (a chat reply continued by email too);
    a customer's are trusted only on the channel that received them."""
    ids = [i[:255] for i in dict.fromkeys(ids) if i]
    if not ids:
        return None
    found = dict(
        Message.objects.filter(external_id__in=ids)
        .filter(Q(direction=Direction.OUTBOUND) | Q(channel=channel))
        .values_list("external_id", "conversation_id")
    )
    return next((found[i] for i in ids if i in found), None)


def _takes_part(conversation_id: int, author: str) -> bool:
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None or not author:
        return False
    if conversation.customer.identities.filter(kind=IdentityKind.EMAIL, value=author).exists():
        return True
    # Someone on the thread: a sender or recipient of its mail, or copied on a reply.
    return any(
        author in (d.get("email") or {}).get("participants", [])
        or author in {_bare(Address(parseaddr(a)[1])) for a in d.get("cc", [])}
        for d in conversation.messages.values_list("details", flat=True)
    )


def _recipients(mail: ParsedMail, headers: dict) -> list[str]:
    envelope = [r.strip().lower() for r in headers.get("x-parley-recipients", "").split(",")]
    return [r for r in envelope if r] + [a.addr.lower() for a in (*mail.to, *mail.cc) if a.addr]


def _bounce_records(mail: ParsedMail) -> list[Normalized]:
    bounce = mail.bounce
    assert bounce is not None
    ids = [i[:255] for i in bounce.original_message_ids]
    ours = list(
        Message.objects.filter(external_id__in=ids, direction=Direction.OUTBOUND).values_list(
            "channel_id", "external_id"
        )
    )
    reason = _bounce_reason(mail)
    if bounce.action != "failed":
        return [Unhandled(f"delay notice, the sending server keeps trying ({reason})")]
    if not ours:
        return [Unhandled(f"bounce for mail Parley did not send ({reason})")]
    return [
        DeliveryUpdate(channel_id, str(external_id), "failed", reason)
        for channel_id, external_id in ours
    ]


def _bounce_reason(mail: ParsedMail) -> str:
    bounce = mail.bounce
    assert bounce is not None
    parts = [", ".join(bounce.recipients), bounce.status, bounce.diagnostic]
    return "; ".join(p for p in parts if p)[:500] or "the receiving server returned the mail"


def _storming(channel: Channel, sender: str) -> bool:
    since = timezone.now() - timedelta(hours=1)
    recent = Message.objects.filter(
        channel=channel,
        direction=Direction.INBOUND,
        created_at__gte=since,
        conversation__customer__identities__kind=IdentityKind.EMAIL,
        conversation__customer__identities__value=sender,
    )
    return recent.count() >= _storm_limit()


def _storm_limit() -> int:
    return settings.PARLEY_EMAIL_SENDER_LIMIT


def _is_bulk(mail: ParsedMail) -> bool:
    precedence = mail.headers.get("precedence", "").strip().lower()
    return precedence in ("bulk", "list", "junk") or "list-id" in mail.headers


def _plausible(mail: ParsedMail) -> datetime | None:
    """The Date header, unless it claims the future (a wrong clock must not reorder)."""
    if mail.date is None:
        return None
    return min(mail.date, timezone.now())


def _formatted(address: Address) -> str:
    """Name and address as a header would write them ("Doe, John" <j@x> stays one)."""
    name = " ".join(address.name.split())
    try:
        return str(HeaderAddress(display_name=name, addr_spec=address.addr))
    except (ValueError, IndexError, HeaderParseError):
        return f"{name} <{address.addr}>" if name else address.addr


def _name(address: Address | None) -> str:
    return address.name if address else ""


def _who(address: Address | None) -> str:
    return address.addr if address and address.addr else "an unknown sender"
