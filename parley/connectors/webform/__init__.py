"""The web form channel: a hosted contact form per channel (GET/POST /forms/<public_key>/)
and a JSON endpoint for sites that post their own form (/api/v1/forms/<public_key>).

Inbound: both validate the submission, check for spam (submit.py) and store it with
`accept_inbound_events` like every channel's payload; `parse` below turns it into a
message later. A payload is our own JSON:

    {"submission": "form:<nonce>:<digest>" | "form:client:<id>", "submitted_at": iso,
     "fields": [{"name", "label", "value"}, …],      the answers in the form's order
     "attachments": [{filename, content_type, data (base64)}]}

Each submission is a ticket of its own. Outbound: replies go to the address the visitor
gave, by email, through the mailbox named in settings["email_channel_id"].
"""

import base64
import json
from datetime import datetime

from parley.conversations.models import Direction, Message
from parley.customers.models import IdentityKind
from parley.customers.resolve import IdentityRef

from ..base import (
    IdentityLink,
    InboundAttachment,
    InboundMessage,
    Normalized,
    OutboundMessage,
    PermanentSendError,
    SendResult,
    WebhookRejected,
    WebhookRequest,
)
from ..models import Channel, ChannelKind

SUBJECT_CHARS = 120


def verify(channel: Channel, request: WebhookRequest) -> None:
    raise WebhookRejected("web forms are posted to /forms/<key>/ or /api/v1/forms/<key>")


def parse(channel: Channel, headers: dict, body: str) -> list[Normalized]:
    payload = json.loads(body)
    answers = {item["name"]: str(item["value"]) for item in payload["fields"]}
    message = answers.get("message", "")
    sender = IdentityRef(IdentityKind.EMAIL, answers["email"], answers.get("name", ""))
    records: list[Normalized] = [
        InboundMessage(
            channel_id=channel.pk,
            external_id=payload["submission"][:255],
            thread_ref=payload["submission"][:255],
            sender=sender,
            text=message,
            subject=_subject(answers.get("topic", ""), message),
            sent_at=datetime.fromisoformat(payload["submitted_at"]),
            attachments=tuple(_attachment(item) for item in payload.get("attachments", [])),
            details={"form": {"submission": payload["submission"], "fields": _shown(payload)}},
            order_numbers=_order_numbers(answers.get("order_number", "")),
        )
    ]
    if answers.get("phone"):
        # The phone joins the sender's profile (or is suggested, if it is someone else's).
        phone = IdentityRef(IdentityKind.PHONE, answers["phone"], answers.get("name", ""))
        records.append(IdentityLink(known=sender, new=phone))
    return records


def _order_numbers(answer: str) -> tuple[str, ...]:
    number = answer.strip().lstrip("#").strip()
    return (number,) if number else ()


def _subject(topic: str, message: str) -> str:
    first_line = next((line.strip() for line in message.splitlines() if line.strip()), "")
    subject = topic.strip() or first_line
    return subject if len(subject) <= SUBJECT_CHARS else subject[: SUBJECT_CHARS - 1] + "…"


def _shown(payload: dict) -> list[dict]:
    """The answers agents see above the message (the message itself is the body)."""
    return [
        {"name": item["name"], "label": item["label"], "value": item["value"]}
        for item in payload["fields"]
        if item["name"] != "message" and item["value"]
    ]


def _attachment(item: dict) -> InboundAttachment:
    content = base64.b64decode(item["data"], validate=True)
    return InboundAttachment(item["filename"], item["content_type"], content)


def send(channel: Channel, message: OutboundMessage) -> SendResult:
    email_channel = Channel.objects.filter(
        pk=channel.settings.get("email_channel_id") or 0, kind=ChannelKind.EMAIL, active=True
    ).first()
    if email_channel is None:
        raise PermanentSendError(
            "this web form has no active email channel to send replies from: "
            "choose one in the form channel's settings",
            channel_problem=True,
        )
    address = _visitor_address(message)
    if not address:
        raise PermanentSendError("the form has no email address to reply to")
    from parley.connectors.email.send import send_as_email

    return send_as_email(email_channel, message, address)


def _visitor_address(message: OutboundMessage) -> str:
    """The address given in the conversation's latest form, else one the customer has."""
    latest = (
        Message.objects.filter(
            conversation_id=message.conversation_id,
            direction=Direction.INBOUND,
            details__has_key="form",
        )
        .order_by("-created_at", "-pk")
        .values_list("details", flat=True)
        .first()
    )
    fields = ((latest or {}).get("form") or {}).get("fields") or []
    given = next((f["value"] for f in fields if f.get("name") == "email"), "")
    known = (r.value for r in message.recipient if r.kind == IdentityKind.EMAIL)
    return given or next(known, "")
