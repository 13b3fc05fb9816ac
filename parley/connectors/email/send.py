"""Replies as mail a customer's client threads: From with the agent's name and the mailbox
address, our own Message-ID, In-Reply-To / References, the ticket reference in the subject,
the agent's signature, CC, attachments. Sent through the mailbox's SMTP server or an email
provider's API (django-anymail); both go through Django's mail backends.
"""

import hashlib
import hmac
import smtplib
import socket
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from parley.accounts.models import Agent
from parley.conversations.models import Direction, Message
from parley.core.text import sanitize_html, text_to_html

from ..base import OutboundMessage, PermanentSendError, SendResult, TransientSendError
from ..models import Channel
from .records import TICKET_REFERENCE

SMTP_TIMEOUT = 30
MAX_REFERENCES = 20
# Providers Parley can send through (anymail backends), and the secret each needs.
PROVIDERS = ("mailgun", "sendgrid", "postmark", "amazon_ses", "brevo", "mailjet", "resend")


def send(channel: Channel, message: OutboundMessage) -> SendResult:
    """A reply in an email conversation."""
    stored = _stored(message)
    to = _customer_address(stored)
    if not to:
        raise PermanentSendError("the customer has no e-mail address to reply to")
    return _deliver(channel, message, stored, to=[to], cc=_cc(channel, message, stored, to))


def send_as_email(channel: Channel, message: OutboundMessage, to: str) -> SendResult:
    """A reply from another channel (a chat the visitor left, a web form) continued by
    mail through this mailbox."""
    return _deliver(channel, message, _stored(message), to=[to], cc=[])


def check(channel: Channel) -> str:
    """Log in to the outgoing server (a provider's API is only checked by sending)."""
    connection = _connection(channel)
    if not hasattr(connection, "host"):
        return "Replies go through the email provider; send a test reply to check the key."
    try:
        connection.open()
        connection.close()
    except smtplib.SMTPAuthenticationError as exc:
        raise PermanentSendError(_smtp_said(exc), channel_problem=True) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise TransientSendError(f"cannot reach {connection.host}: {exc}") from exc
    return f"Logged in to {connection.host} for outgoing mail."


def message_id_for(channel: Channel, message_pk: int) -> str:
    """Stable per message: a retried send carries the same id, so clients keep one copy."""
    token = hmac.new(settings.SECRET_KEY.encode(), str(message_pk).encode(), hashlib.sha256)
    return f"<parley.{message_pk}.{token.hexdigest()[:12]}@{_domain(channel)}>"


def default_cc(channel: Channel, conversation_id: int, customer_address: str) -> list[str]:
    """Who stays copied: the last reply's CC, plus whoever the customer's latest mail went
    to or copied, less our own addresses and the customer."""
    ours = {a.lower() for a in own_addresses(channel)} | {customer_address.lower()}
    cc: list[str] = []
    for details in (
        Message.objects.filter(conversation_id=conversation_id)
        .exclude(direction=Direction.NOTE)
        .order_by("-created_at", "-pk")
        .values_list("details", flat=True)[:20]
    ):
        email = details.get("email") or {}
        cc.extend(details.get("cc") or [])
        # With Reply-To (a shop's contact form), From is a robot, not a person to copy.
        author = [] if email.get("reply_to") else [email.get("from", "")]
        cc.extend([*author, *email.get("to", []), *email.get("cc", [])])
        if email or "cc" in details:
            break
    return _unique(a for a in cc if a and _bare(a).lower() not in ours)


def own_addresses(channel: Channel) -> list[str]:
    return [channel.settings.get("address", ""), *channel.settings.get("aliases", [])]


def _deliver(
    channel: Channel, message: OutboundMessage, stored: Message, *, to: list[str], cc: list[str]
) -> SendResult:
    try:
        mail = _compose(channel, message, stored, to=to, cc=cc)
        mail.message()  # header checks happen here, not half-way through sending
    except ValueError as exc:
        raise PermanentSendError(f"the reply cannot be written as mail: {exc}") from exc
    try:
        connection = _connection(channel)
        connection.send_messages([mail])
    except smtplib.SMTPAuthenticationError as exc:
        raise PermanentSendError(_smtp_said(exc), channel_problem=True) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        reason = "; ".join(f"{who}: {_smtp_said(err)}" for who, err in exc.recipients.items())
        if all(code >= 500 for code in codes):
            raise PermanentSendError(reason) from exc
        raise TransientSendError(reason) from exc
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code >= 500:
            raise PermanentSendError(_smtp_said(exc)) from exc
        raise TransientSendError(_smtp_said(exc)) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise TransientSendError(f"mail server unreachable: {exc}") from exc
    except Exception as exc:
        raise _provider_error(exc) from exc
    return SendResult(external_id=mail.extra_headers["Message-ID"])


def _compose(
    channel: Channel, message: OutboundMessage, stored: Message, *, to: list[str], cc: list[str]
) -> EmailMultiAlternatives:
    automatic = bool(message.details.get("automatic"))
    text = message.text if automatic else _signed(message.text, stored.author)
    references = _references(stored)
    headers = {"Message-ID": message_id_for(channel, message.message_id)}
    if references:
        headers["In-Reply-To"] = references[-1]
        headers["References"] = " ".join(references)
    if automatic:
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    mail = EmailMultiAlternatives(
        subject=_subject(message.subject, message.conversation_id),
        body=text,
        from_email=_from(channel, stored.author),
        to=to,
        cc=cc,
        reply_to=[channel.settings.get("address", "")],
        headers=headers,
    )
    mail.attach_alternative(sanitize_html(text_to_html(text)), "text/html")
    for filename, content_type, content in message.attachments:
        mail.attach(filename, content, content_type)
    return mail


def _connection(channel: Channel) -> BaseEmailBackend:
    provider = channel.settings.get("provider") or {}
    if provider.get("esp"):
        esp = provider["esp"]
        if esp not in PROVIDERS:
            raise PermanentSendError(f"unknown email provider {esp!r}", channel_problem=True)
        options = {k: v for k, v in provider.items() if k != "esp"}
        return get_connection(
            f"anymail.backends.{esp}.EmailBackend",
            api_key=channel.secret("provider_api_key"),
            **options,
        )
    smtp = channel.settings.get("smtp") or {}
    if not smtp.get("host"):
        raise PermanentSendError(
            "this mailbox has no outgoing mail server (SMTP or provider) set up",
            channel_problem=True,
        )
    security = smtp.get("security", "starttls")
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host=smtp["host"],
        port=int(smtp.get("port") or (465 if security == "ssl" else 587)),
        username=smtp.get("username") or None,
        password=channel.secret("smtp_password") or None,
        use_ssl=security == "ssl",
        use_tls=security == "starttls",
        timeout=SMTP_TIMEOUT,
    )


def _stored(message: OutboundMessage) -> Message:
    return Message.objects.select_related("author", "conversation__customer").get(
        pk=message.message_id
    )


def _customer_address(stored: Message) -> str:
    """The address the customer last wrote from, else any address we know for them."""
    latest = (
        Message.objects.filter(conversation_id=stored.conversation_id, direction=Direction.INBOUND)
        .order_by("-created_at", "-pk")
        .values_list("details", flat=True)
        .first()
    )
    wrote_from = _bare(((latest or {}).get("email") or {}).get("from", ""))
    customer = stored.conversation.customer
    known = list(customer.identities.filter(kind="email").values_list("value", flat=True))
    return wrote_from if wrote_from.lower() in known else (known[0] if known else "")


def _cc(channel: Channel, message: OutboundMessage, stored: Message, to: str) -> list[str]:
    if "cc" in message.details:
        return _unique(message.details["cc"])
    return default_cc(channel, stored.conversation_id, to)


def _references(stored: Message) -> list[str]:
    """The thread's Message-IDs, oldest first: ours and the customer's."""
    chain: list[str] = []
    for external_id, details in (
        Message.objects.filter(
            conversation_id=stored.conversation_id, created_at__lte=stored.created_at
        )
        .exclude(pk=stored.pk)
        .exclude(direction=Direction.NOTE)
        .order_by("created_at", "pk")
        .values_list("external_id", "details")
    ):
        email = (details or {}).get("email") or {}
        chain.extend(email.get("references", []))
        if external_id and external_id.startswith("<") and external_id.endswith(">"):
            chain.append(external_id)
    chain = _unique(chain)
    # RFC 5322: keep the first (the thread's root) and the most recent ones.
    return chain if len(chain) <= MAX_REFERENCES else [chain[0], *chain[-(MAX_REFERENCES - 1) :]]


def _subject(subject: str, conversation_id: int) -> str:
    subject = " ".join(subject.split()) or "Your request"
    if not TICKET_REFERENCE.search(subject):
        subject = f"{subject} [#{conversation_id}]"
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


def _from(channel: Channel, author: Agent | None) -> str:
    address = channel.settings.get("address", "")
    team = channel.settings.get("from_name") or channel.name
    name = f"{author} ({team})" if author else team
    return formataddr((" ".join(name.split()), address))


def _signed(text: str, author: Agent | None) -> str:
    signature = (author.signature if author else "").strip()
    return f"{text.rstrip()}\n\n-- \n{signature}" if signature else text


def _domain(channel: Channel) -> str:
    address = channel.settings.get("address", "")
    return address.rpartition("@")[2] or socket.getfqdn()


def _bare(address: str) -> str:
    return parseaddr(address)[1] or address.strip()


def _unique(addresses) -> list[str]:  # type: ignore[no-untyped-def]
    seen: dict[str, str] = {}
    for address in addresses:
        seen.setdefault(_bare(address).lower(), address)
    return list(seen.values())


def _smtp_said(exc: smtplib.SMTPResponseException | tuple) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        code, text = exc.smtp_code, exc.smtp_error
    else:
        code, text = exc
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"the mail server said {code} {said}"


def _provider_error(exc: Exception) -> Exception:
    """Anymail's errors carry the provider's HTTP status: 4xx (but 429) is the message's
    fault and final; everything else may pass on a retry."""
    status = getattr(exc, "status_code", None)
    reason = f"the email provider said: {exc}"[:500]
    if status in (401, 403):
        return PermanentSendError(reason, channel_problem=True)
    if status is not None and 400 <= status < 500 and status != 429:
        return PermanentSendError(reason)
    return TransientSendError(reason)
