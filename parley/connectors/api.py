"""The generic API channel: any system can feed customer messages to Parley in our own JSON.

Inbound: POST /api/v1/channels/{id}/messages with an `ApiInboundMessage` body (token auth).
Outbound: when the channel has a `callback_url`, each reply is POSTed there as JSON, signed
with HMAC-SHA256 of the body under the channel's `callback_secret` (X-Parley-Signature);
without one, replies are marked sent and the other system reads them through the API.
"""

import base64
import binascii
import hashlib
import hmac
import json
from datetime import datetime

import httpx
from django.conf import settings
from pydantic import BaseModel, Field, ValidationError, field_validator

from parley.core.http import http_client, retry_after_seconds
from parley.customers.models import IdentityKind
from parley.customers.normalize import normalize_identity
from parley.customers.resolve import IdentityRef

from .base import (
    InboundAttachment,
    InboundMessage,
    Normalized,
    OutboundMessage,
    PermanentSendError,
    SendResult,
    TransientSendError,
    WebhookRejected,
    WebhookRequest,
)
from .models import Channel


class ApiSender(BaseModel):
    kind: str = Field(description="Identity kind: email, phone, api, …", examples=["email"])
    id: str = Field(min_length=1, max_length=320, examples=["ann@example.com"])
    name: str = Field(default="", max_length=200)

    @field_validator("kind")
    @classmethod
    def known_kind(cls, value: str) -> str:
        if value not in IdentityKind.values:
            raise ValueError(f"must be one of {', '.join(IdentityKind.values)}")
        return value


class ApiAttachment(BaseModel):
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(default="application/octet-stream", max_length=120)
    data: str = Field(description="Base64-encoded content")


class ApiInboundMessage(BaseModel):
    external_id: str = Field(min_length=1, max_length=255, description="Unique per channel")
    sender: ApiSender
    thread: str = Field(default="", max_length=255, description="Defaults to the sender")
    text: str = Field(default="", max_length=100_000)
    html: str = Field(default="", max_length=200_000)
    subject: str = Field(default="", max_length=255)
    sent_at: datetime | None = None
    reply_to: str | None = Field(default=None, max_length=255)
    attachments: list[ApiAttachment] = Field(default_factory=list, max_length=20)


def validate_payload(body: bytes | str) -> ApiInboundMessage:
    """Raises ValueError with a readable reason when the body is not a valid message."""
    try:
        payload = ApiInboundMessage.model_validate_json(body)
    except ValidationError as exc:
        raise ValueError(_describe(exc)) from None
    if not payload.text.strip() and not payload.html.strip() and not payload.attachments:
        raise ValueError("text: a message needs text, html or an attachment")
    for item in payload.attachments:
        _attachment(item)
    return payload


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors()[:5]:
        where = ".".join(str(part) for part in error["loc"]) or "body"
        problems.append(f"{where}: {error['msg']}")
    return "; ".join(problems)


def verify(channel: Channel, request: WebhookRequest) -> None:
    raise WebhookRejected("API channels receive messages at /api/v1/channels/{id}/messages")


def parse(channel: Channel, headers: dict, body: str) -> list[Normalized]:
    payload = validate_payload(body)
    sender = IdentityRef(payload.sender.kind, payload.sender.id, payload.sender.name)
    return [
        InboundMessage(
            channel_id=channel.pk,
            external_id=payload.external_id,
            thread_ref=payload.thread or _default_thread(sender),
            sender=sender,
            text=payload.text,
            html=payload.html,
            subject=payload.subject,
            sent_at=payload.sent_at,
            reply_to_external_id=payload.reply_to,
            attachments=tuple(_attachment(a) for a in payload.attachments),
        )
    ]


def _default_thread(sender: IdentityRef) -> str:
    # The same sender spelled differently (ANN@…, ann@…) is one thread.
    return f"{sender.kind}:{normalize_identity(sender.kind, sender.value)}"


def _attachment(item: ApiAttachment) -> InboundAttachment:
    try:
        content = base64.b64decode(item.data, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"attachments: {item.filename} is not valid base64") from None
    if len(content) > settings.PARLEY_MAX_ATTACHMENT_BYTES:
        raise ValueError(
            f"attachments: {item.filename} is larger than "
            f"{settings.PARLEY_MAX_ATTACHMENT_BYTES} bytes"
        )
    return InboundAttachment(item.filename, item.content_type, content)


def send(channel: Channel, message: OutboundMessage) -> SendResult:
    url = channel.settings.get("callback_url")
    if not url:
        return SendResult(external_id=None)
    body = json.dumps(
        {
            "message_id": message.message_id,
            "conversation_id": message.conversation_id,
            "thread": message.thread_ref,
            "recipient": [{"kind": r.kind, "id": r.value} for r in message.recipient],
            "text": message.text,
            "html": message.html,
        }
    ).encode()
    signature = hmac.new(channel.secret("callback_secret").encode(), body, hashlib.sha256)
    headers = {
        "Content-Type": "application/json",
        "X-Parley-Signature": "sha256=" + signature.hexdigest(),
    }
    try:
        with http_client() as client:
            response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise TransientSendError(f"callback unreachable: {exc}") from exc
    return _result(response)


def _result(response: httpx.Response) -> SendResult:
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientSendError(
            f"callback answered {response.status_code}", retry_after_seconds(response, 30)
        )
    if response.status_code >= 400:
        raise PermanentSendError(f"callback refused the message: HTTP {response.status_code}")
    try:
        external_id = response.json().get("id")
    except (ValueError, AttributeError):
        external_id = None
    return SendResult(external_id=str(external_id) if external_id else None)
