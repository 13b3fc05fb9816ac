"""A WhatsApp Business number through the WhatsApp Cloud API.

Settings: phone_number_id, waba_id. Secrets: access_token, app_secret, verify_token.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from parley.conversations.models import DeliveryStatus
from parley.customers.models import IdentityKind
from parley.customers.resolve import IdentityRef

from . import graph, messaging
from .base import (
    DeliveryUpdate,
    IdentityLink,
    InboundAttachment,
    InboundMessage,
    MediaUnavailable,
    Normalized,
    OutboundMessage,
    PermanentSendError,
    Reaction,
    SendResult,
    Unhandled,
    WebhookRequest,
)
from .models import Channel, MessageTemplate
from .windows import DAY

TEXT_LIMIT = 4096
MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")
STATUSES = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
}


def verify(channel: Channel, request: WebhookRequest) -> str | None:
    return graph.verify(channel, request)


def parse(channel: Channel, headers: dict, body: str) -> list[Normalized]:
    records: list[Normalized] = []
    for entry in messaging.load(body, "whatsapp_business_account"):
        for change in entry.get("changes") or []:
            records.extend(_change(channel, change))
    return records


def _change(channel: Channel, change: dict) -> list[Normalized]:
    value = change.get("value") or {}
    if change.get("field") != "messages":
        return [Unhandled(f"whatsapp {change.get('field')}")]
    number = str((value.get("metadata") or {}).get("phone_number_id", ""))
    if number != str(channel.settings.get("phone_number_id", "")):
        return [Unhandled(f"a change for another number ({number})")]
    names = {
        str(c.get("wa_id")): str((c.get("profile") or {}).get("name", ""))
        for c in value.get("contacts") or []
    }
    records = [_message(channel, m, names) for m in value.get("messages") or []]
    records += [_status(channel, s) for s in value.get("statuses") or []]
    records += [_error(e) for e in value.get("errors") or []]
    return records


def _message(channel: Channel, message: dict, names: dict[str, str]) -> Normalized:
    wa_id = str(message.get("from", ""))
    kind = str(message.get("type", ""))
    sender = IdentityRef(IdentityKind.WHATSAPP, wa_id, names.get(wa_id, ""))
    if kind == "reaction":
        reaction = message.get("reaction") or {}
        target = str(reaction.get("message_id", ""))
        return Reaction(channel.pk, target, sender, str(reaction.get("emoji", "")))
    if kind == "system":
        return _system(wa_id, message.get("system") or {})
    text, details, attachments = _content(channel, kind, message)
    context = message.get("context") or {}
    if context.get("forwarded") or context.get("frequently_forwarded"):
        details["forwarded"] = True
    if message.get("referral"):
        details["referral"] = message["referral"]
    return InboundMessage(
        channel_id=channel.pk,
        external_id=str(message.get("id", "")),
        thread_ref=f"whatsapp:{wa_id}",
        sender=sender,
        text=text,
        sent_at=messaging.from_seconds(message.get("timestamp")),
        reply_to_external_id=str(context["id"]) if context.get("id") else None,
        attachments=attachments,
        details=details,
    )


def _content(
    channel: Channel, kind: str, message: dict
) -> tuple[str, dict, tuple[InboundAttachment, ...]]:
    """Text, details and attachments of each message type."""
    body = message.get(kind) or {}
    if kind == "text":
        return str(body.get("body", "")), {}, ()
    if kind in MEDIA_TYPES:
        return str(body.get("caption", "")), {}, (_media(channel, kind, body),)
    if kind == "location":
        return _location(body)
    if kind == "contacts":
        return _contacts(message.get("contacts") or [])
    if kind == "interactive":
        reply = body.get("button_reply") or body.get("list_reply") or {}
        return str(reply.get("title", "")), {"interactive": reply}, ()
    if kind == "button":
        return str(body.get("text", "")), {"button": str(body.get("payload", ""))}, ()
    if kind == "order":
        items = body.get("product_items") or []
        return f"Order: {len(items)} item(s)", {"order": body}, ()
    errors = message.get("errors") or [{}]
    return "", {"unsupported": str(errors[0].get("title") or kind or "unknown")}, ()


def _media(channel: Channel, kind: str, body: dict) -> InboundAttachment:
    media_id = str(body.get("id", ""))
    content_type = str(body.get("mime_type", "application/octet-stream"))
    filename = str(body.get("filename") or f"{kind}-{media_id}")

    def fetch() -> tuple[bytes, str]:
        # The media URL comes from a second call and expires within minutes.
        try:
            found = graph.call(channel, "GET", media_id, bearer=True)
        except Exception as exc:
            reason = getattr(exc, "reason", str(exc))
            raise MediaUnavailable(f"WhatsApp did not hand over the media: {reason}") from None
        return graph.download(str(found.get("url", "")), channel)

    return InboundAttachment(filename[:255], content_type, fetch=fetch)


def _location(body: dict) -> tuple[str, dict, tuple]:
    place = " — ".join(str(body[k]) for k in ("name", "address") if body.get(k))
    where = f"{body.get('latitude')}, {body.get('longitude')}"
    return f"📍 {place or where}", {"location": body}, ()


def _contacts(contacts: list) -> tuple[str, dict, tuple]:
    names = [str((c.get("name") or {}).get("formatted_name", "")) for c in contacts]
    return "Shared contact: " + ", ".join(n for n in names if n), {"contacts": contacts}, ()


def _system(wa_id: str, system: dict) -> Normalized:
    new = system.get("wa_id") or system.get("new_wa_id")
    if not new or str(new) == wa_id:
        return Unhandled(f"whatsapp system message {system.get('type', '')}")
    return IdentityLink(
        IdentityRef(IdentityKind.WHATSAPP, wa_id), IdentityRef(IdentityKind.WHATSAPP, str(new))
    )


def _status(channel: Channel, status: dict) -> Normalized:
    state = STATUSES.get(str(status.get("status")))
    if state is None:
        return Unhandled(f"whatsapp status {status.get('status')!r}")
    reason = ""
    if state == DeliveryStatus.FAILED:
        error = (status.get("errors") or [{}])[0]
        detail = str((error.get("error_data") or {}).get("details") or error.get("title") or "")
        reason = graph.explain(_code(error.get("code")), None, detail)
    return DeliveryUpdate(channel.pk, str(status.get("id", "")), state, reason)


def _error(error: dict) -> Normalized:
    return Unhandled(f"whatsapp error {error.get('code')}: {error.get('title', '')}")


def _code(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


# Sending ---------------------------------------------------------------------------------


def send(channel: Channel, message: OutboundMessage) -> SendResult:
    # The number this conversation is with, while it is still the customer's (after a
    # number change they have several); else any of their numbers.
    numbers = [r.value.lstrip("+") for r in message.recipient if r.kind == IdentityKind.WHATSAPP]
    own = message.thread_ref.removeprefix("whatsapp:")
    to = own if own in numbers else next(iter(numbers), None)
    if to is None:
        raise PermanentSendError("the customer has no WhatsApp number to write to")
    template = message.details.get("template")
    if template:
        return SendResult(_send(channel, to, {"type": "template", "template": _template(template)}))
    if not window_open(message.customer_wrote_at):
        raise PermanentSendError(graph.MEANINGS[131047])
    last_id = None
    for filename, content_type, content in message.attachments:
        kind = _media_kind(content_type)
        media = {"id": _upload(channel, filename, content_type, content)}
        if kind == "document":
            media["filename"] = filename
        last_id = _send(channel, to, {"type": kind, kind: media})
    for chunk in messaging.chunks(message.text, TEXT_LIMIT):
        last_id = _send(
            channel, to, {"type": "text", "text": {"body": chunk, "preview_url": False}}
        )
    return SendResult(last_id)


def window_open(customer_wrote_at: datetime | None) -> bool:
    """Free-form messages only within 24 hours of the customer's last message."""
    if customer_wrote_at is None:
        return False
    return timezone.now() - customer_wrote_at <= DAY


def _send(channel: Channel, to: str, content: dict) -> str | None:
    body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **content}
    number = channel.settings.get("phone_number_id")
    answer = graph.call(channel, "POST", f"{number}/messages", bearer=True, json=body)
    messages = answer.get("messages") or [{}]
    return str(messages[0]["id"]) if messages[0].get("id") else None


def _template(choice: dict) -> dict:
    parameters = [{"type": "text", "text": str(p)} for p in choice.get("parameters", [])]
    template: dict = {"name": choice["name"], "language": {"code": choice["language"]}}
    if parameters:
        template["components"] = [{"type": "body", "parameters": parameters}]
    return template


def _media_kind(content_type: str) -> str:
    major = content_type.split("/")[0]
    return major if major in ("image", "video", "audio") else "document"


def _upload(channel: Channel, filename: str, content_type: str, content: bytes) -> str:
    number = channel.settings.get("phone_number_id")
    answer = graph.call(
        channel,
        "POST",
        f"{number}/media",
        bearer=True,
        data={"messaging_product": "whatsapp", "type": content_type},
        files={"file": (filename, content, content_type)},
    )
    return str(answer.get("id", ""))


# Set-up ----------------------------------------------------------------------------------


def check(channel: Channel) -> str:
    number = channel.settings.get("phone_number_id")
    if not number or not channel.settings.get("waba_id"):
        raise PermanentSendError("Enter the phone number id and the WhatsApp Business account id.")
    found = graph.call(
        channel,
        "GET",
        str(number),
        bearer=True,
        params={"fields": "display_phone_number,verified_name"},
    )
    synced = sync_templates(channel)
    name = found.get("verified_name") or found.get("display_phone_number") or number
    return f"Connected to WhatsApp number {name}; {synced} approved template(s) synced."


MAX_TEMPLATE_PAGES = 20


def sync_templates(channel: Channel) -> int:
    """Replace the channel's templates with the business account's; returns how many are
    approved (the only ones the composer offers)."""
    found: list[dict] = []
    path = f"{channel.settings.get('waba_id')}/message_templates"
    params: dict = {"limit": 100}
    for _ in range(MAX_TEMPLATE_PAGES):
        page = graph.call(channel, "GET", path, bearer=True, params=params)
        found.extend(t for t in page.get("data") or [] if isinstance(t, dict))
        after = ((page.get("paging") or {}).get("cursors") or {}).get("after")
        if not (page.get("paging") or {}).get("next") or not after:
            break
        params = {"limit": 100, "after": after}
    with transaction.atomic():
        channel.templates.all().delete()
        MessageTemplate.objects.bulk_create(_template_row(channel, t) for t in found)
    return sum(1 for t in found if t.get("status") == "APPROVED")


def _template_row(channel: Channel, template: dict) -> MessageTemplate:
    components = template.get("components") or []
    body = next((c.get("text", "") for c in components if c.get("type") == "BODY"), "")
    return MessageTemplate(
        channel=channel,
        name=str(template.get("name", ""))[:512],
        language=str(template.get("language", ""))[:20],
        status=str(template.get("status", ""))[:20],
        category=str(template.get("category", ""))[:40],
        body=str(body),
        components=components,
    )
