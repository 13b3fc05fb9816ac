"""The API channel's inbound endpoint: any system can feed customer messages to Parley.

The payload is stored before it is validated, so a malformed one is kept (as a failed
InboundEvent, visible and replayable) and the caller gets a 4xx naming the problem.
"""

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Status

from parley.connectors.api import ApiInboundMessage, validate_payload
from parley.connectors.models import Channel, ChannelKind
from parley.connectors.receive import kept_headers
from parley.conversations.ingest import accept_inbound_event
from parley.core.errors import InvalidInput, NotFound, ParleyError, PermissionDenied

from .auth import agent_of
from .schemas import Accepted, ErrorOut

router = Router(tags=["inbound"])


class PayloadTooLarge(ParleyError):
    code = "too_large"
    http_status = 413


@router.post(
    "/channels/{channel_id}/messages",
    response={202: Accepted, 400: ErrorOut, 413: ErrorOut},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ApiInboundMessage.model_json_schema()}},
        }
    },
)
def post_message(request: HttpRequest, channel_id: int):
    if not agent_of(request).sees_everything:
        raise PermissionDenied("only lead and admin tokens may post inbound messages")
    channel = Channel.objects.filter(pk=channel_id, kind=ChannelKind.API, active=True).first()
    if channel is None:
        raise NotFound(f"no active API channel {channel_id}")
    if len(request.body) > settings.PARLEY_MAX_WEBHOOK_BYTES:
        raise PayloadTooLarge(f"payload larger than {settings.PARLEY_MAX_WEBHOOK_BYTES} bytes")
    body = request.body.decode("utf-8", "replace")
    try:
        validate_payload(request.body)
        problem = ""
    except ValueError as exc:
        problem = str(exc)
    with transaction.atomic():
        event = accept_inbound_event(channel, kept_headers(request), body, invalid_reason=problem)
    if problem:
        raise InvalidInput(f"{problem} (kept as inbound event {event.pk})", code="invalid_payload")
    return Status(202, {"event_id": event.pk, "status": event.status})
