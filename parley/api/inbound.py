"""The API channel's inbound endpoint: any system can feed customer messages to Parley.

The payload is stored before it is validated, so a malformed one is kept (as a failed
InboundEvent, visible and replayable) and the caller gets a 4xx naming the problem. This is
the busiest endpoint Parley has, so it is async end to end: cached token and channel
lookups, group commit of the stored payloads (conversations/inbox.py), and a lean ASGI
path in front of Django (lean.py).
"""

import time
from collections.abc import Mapping

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Status

from parley.accounts.models import Agent
from parley.connectors.api import ApiInboundMessage, validate_payload
from parley.connectors.models import Channel, ChannelKind
from parley.connectors.receive import kept_headers
from parley.conversations.inbox import accept_inbound
from parley.conversations.ingest import RawInbound
from parley.conversations.models import InboundEvent
from parley.core.errors import InvalidInput, NotFound, ParleyError, PermissionDenied

from .auth import CachedAsyncTokenAuth, agent_of
from .schemas import MAX_ID, Accepted, ErrorOut

router = Router(tags=["inbound"])
# A deactivated channel stops accepting messages within this many seconds.
CHANNEL_CACHE_SECONDS = 5.0
_active_channels: dict[int, float] = {}


class PayloadTooLarge(ParleyError):
    code = "too_large"
    http_status = 413


class Unauthenticated(ParleyError):
    code = "unauthenticated"
    http_status = 401


@router.post(
    "/channels/{channel_id}/messages",
    auth=CachedAsyncTokenAuth(),
    response={202: Accepted, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ApiInboundMessage.model_json_schema()}},
        }
    },
)
async def post_message(request: HttpRequest, channel_id: int) -> Status:
    status, payload = await receive_api_message(
        agent_of(request), channel_id, request.body, request.headers
    )
    return Status(status, payload)


async def receive_api_message(
    agent: Agent | None, channel_id: int, body: bytes, headers: Mapping[str, str]
) -> tuple[int, dict]:
    """The whole endpoint, shared by the route above and the lean ASGI path (lean.py):
    (HTTP status, JSON body)."""
    try:
        event = await _receive(agent, channel_id, body, headers)
    except ParleyError as exc:
        return exc.http_status, {"code": exc.code, "detail": exc.detail}
    return 202, {"event_id": event.pk, "status": event.status}


async def _receive(
    agent: Agent | None, channel_id: int, body: bytes, headers: Mapping[str, str]
) -> InboundEvent:
    if agent is None:
        raise Unauthenticated("a valid API token is required")
    if not agent.sees_everything:
        raise PermissionDenied("only lead and admin tokens may post inbound messages")
    if not await _is_active_api_channel(channel_id):
        raise NotFound(f"no active API channel {channel_id}")
    if len(body) > settings.PARLEY_MAX_WEBHOOK_BYTES:
        raise PayloadTooLarge(f"payload larger than {settings.PARLEY_MAX_WEBHOOK_BYTES} bytes")
    try:
        validate_payload(body)
        problem = ""
    except ValueError as exc:
        problem = str(exc)
    text = body.decode("utf-8", "replace")
    event = await accept_inbound(RawInbound(channel_id, kept_headers(headers), text, problem))
    if problem:
        raise InvalidInput(f"{problem} (kept as inbound event {event.pk})", code="invalid_payload")
    return event


def forget_channels() -> None:
    """Drop the cache of active channels (tests, whose rolled-back ids are reused)."""
    _active_channels.clear()


async def _is_active_api_channel(channel_id: int) -> bool:
    if not 0 < channel_id <= MAX_ID:
        return False
    if _active_channels.get(channel_id, 0.0) > time.monotonic():
        return True
    exists = await sync_to_async(
        Channel.objects.filter(pk=channel_id, kind=ChannelKind.API, active=True).exists
    )()
    if exists:
        _active_channels[channel_id] = time.monotonic() + CHANNEL_CACHE_SECONDS
    return exists
