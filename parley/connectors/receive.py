"""The one webhook endpoint for every platform: verify → store → 200 → process in a task.

Nothing is parsed in the request: a payload that later fails to parse stays stored, marked
failed with its reason, and `parley replay` runs it again. Signed POSTs are the busiest
requests Parley gets, so the lean ASGI path (api/lean.py) answers them with
`receive_webhook_async` (cached channels, group commit); the Django view takes the rest
(subscription handshakes) and the test client.
"""

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from parley.conversations.inbox import accept_inbound
from parley.conversations.ingest import RawInbound, accept_inbound_events

from .base import WebhookRejected, WebhookRequest
from .models import Channel
from .registry import connector_for

logger = logging.getLogger(__name__)

# Headers worth keeping with the payload: signatures and platform metadata, never cookies.
KEPT_HEADERS = ("content-type", "user-agent", "x-hub-signature-256", "x-request-id")
# A deactivated channel (or a changed app secret) takes effect within this many seconds.
CHANNEL_CACHE_SECONDS = 5.0
_channels: dict[tuple[str, int], tuple[Channel | None, float]] = {}


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str = "application/json"


STORED = Answer(200, b"ok", "text/plain")


def screen(channel: Channel | None, request: WebhookRequest) -> Answer | None:
    """The answer to a call whose payload must not be stored (unknown channel, too large,
    rejected, a handshake); None for a verified payload to store."""
    if channel is None:
        return _error(404, "not_found", "no such channel")
    if len(request.body) > settings.PARLEY_MAX_WEBHOOK_BYTES:
        return _error(413, "too_large", "payload too large")
    try:
        handshake = connector_for(channel).verify(channel, request)
    except WebhookRejected as exc:
        logger.warning("webhook for channel %s rejected: %s", channel.pk, exc.detail)
        return _error(exc.http_status, exc.code, exc.detail)
    if handshake is not None:
        return Answer(200, handshake.encode(), "text/plain")
    if request.method != "POST":
        return Answer(405, b"")
    return None


@csrf_exempt
def receive_webhook(request: HttpRequest, kind: str, channel_id: int) -> HttpResponse:
    channel = Channel.objects.filter(pk=channel_id, kind=kind, active=True).first()
    call = WebhookRequest(
        method=request.method or "",
        query=request.GET,
        headers={name.lower(): value for name, value in request.headers.items()},
        body=request.body,
    )
    answer = screen(channel, call)
    if answer is None:
        assert channel is not None  # screened
        accept_inbound_events([_raw(channel, call)])
        answer = STORED
    return HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)


async def receive_webhook_async(kind: str, channel_id: int, call: WebhookRequest) -> Answer:
    """A signed POST, answered without Django's request cycle: the same screening, then
    the payload shares a group commit with the others arriving at the same time."""
    channel = await _cached_channel(kind, channel_id)
    answer = await sync_to_async(screen, thread_sensitive=False)(channel, call)
    if answer is not None:
        return answer
    assert channel is not None  # screened
    await accept_inbound(_raw(channel, call))
    return STORED


def forget_channels() -> None:
    """Drop cached channels (tests, whose rolled-back ids are reused)."""
    _channels.clear()


async def _cached_channel(kind: str, channel_id: int) -> Channel | None:
    cached = _channels.get((kind, channel_id))
    if cached is not None and cached[1] > time.monotonic():
        return cached[0]
    channel = await Channel.objects.filter(pk=channel_id, kind=kind, active=True).afirst()
    _channels[(kind, channel_id)] = (channel, time.monotonic() + CHANNEL_CACHE_SECONDS)
    return channel


def _raw(channel: Channel, call: WebhookRequest) -> RawInbound:
    body = call.body.decode("utf-8", "replace")
    return RawInbound(channel.pk, kept_headers(call.headers), body)


def _error(status: int, code: str, detail: str) -> Answer:
    return Answer(status, JsonResponse({"code": code, "detail": detail}).content)


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """`headers` is case-insensitive (Django's) or has lower-case names (ASGI's)."""
    return {name: headers[name] for name in KEPT_HEADERS if name in headers}
