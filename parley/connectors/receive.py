"""The one webhook endpoint for every platform: verify → store → 200 → process in a task.

Nothing is parsed in the request: a payload that later fails to parse stays stored, marked
failed with its reason, and `parley replay` runs it again.
"""

import logging
from collections.abc import Mapping

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from parley.conversations.ingest import RawInbound, accept_inbound_events

from .base import WebhookRejected
from .models import Channel
from .registry import connector_for

logger = logging.getLogger(__name__)

# Headers worth keeping with the payload: signatures and platform metadata, never cookies.
KEPT_HEADERS = ("content-type", "user-agent", "x-hub-signature-256", "x-request-id")


@csrf_exempt
def receive_webhook(request: HttpRequest, kind: str, channel_id: int) -> HttpResponse:
    channel = Channel.objects.filter(pk=channel_id, kind=kind, active=True).first()
    if channel is None:
        return JsonResponse({"code": "not_found", "detail": "no such channel"}, status=404)
    if len(request.body) > settings.PARLEY_MAX_WEBHOOK_BYTES:
        return JsonResponse({"code": "too_large", "detail": "payload too large"}, status=413)
    try:
        handshake = connector_for(channel).verify(channel, request)
    except WebhookRejected as exc:
        logger.warning("webhook for channel %s rejected: %s", channel.pk, exc.detail)
        return JsonResponse({"code": exc.code, "detail": exc.detail}, status=exc.http_status)
    if handshake is not None:
        return handshake
    if request.method != "POST":
        return HttpResponse(status=405)
    body = request.body.decode("utf-8", "replace")
    accept_inbound_events([RawInbound(channel.pk, kept_headers(request.headers), body)])
    return HttpResponse("ok")


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """`headers` is case-insensitive (Django's) or has lower-case names (ASGI's)."""
    return {name: headers[name] for name in KEPT_HEADERS if name in headers}
