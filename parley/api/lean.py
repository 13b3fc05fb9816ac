"""The lean ASGI path for inbound traffic, in front of Django.

`POST /api/v1/channels/<id>/messages` (every message other systems feed us) and
`POST /hooks/<kind>/<id>` (every platform webhook) are where Django's per-request machinery
(middleware, each a thread hop under ASGI) costs more than the work. They are answered here
with the same functions the Django routes use (`inbound.receive_api_message`,
`receive.receive_webhook_async`); everything else goes to Django untouched.
"""

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings

from parley.connectors.base import WebhookRequest
from parley.connectors.receive import receive_webhook_async

from .auth import bearer_token, cached_agent_for_token
from .inbound import receive_api_message

INBOUND_PATH = re.compile(r"^/api/v1/channels/(\d{1,19})/messages$")
HOOK_PATH = re.compile(r"^/hooks/([a-z_]{1,20})/(\d{1,19})$")
ASGIApp = Callable[[dict, Callable[..., Awaitable[Any]], Callable[..., Awaitable[Any]]], Any]


def route_inbound(full_stack: ASGIApp) -> ASGIApp:
    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        posted = scope.get("method") == "POST"
        if posted and (match := INBOUND_PATH.match(path)):
            await _api_message(int(match[1]), scope, receive, send)
        elif posted and (match := HOOK_PATH.match(path)):
            await _webhook(match[1], int(match[2]), scope, receive, send)
        else:
            await full_stack(scope, receive, send)

    return app


async def _api_message(channel_id: int, scope: dict, receive: Callable, send: Callable) -> None:
    headers = _headers(scope)
    body = await _read_body(receive, settings.PARLEY_MAX_WEBHOOK_BYTES)
    if body is None:
        await _respond(send, 413, _too_large())
        return
    token = bearer_token(headers.get("authorization", ""))
    agent = await cached_agent_for_token(token) if token else None
    await _respond(send, *await receive_api_message(agent, channel_id, body, headers))


async def _webhook(
    kind: str, channel_id: int, scope: dict, receive: Callable, send: Callable
) -> None:
    body = await _read_body(receive, settings.PARLEY_MAX_WEBHOOK_BYTES)
    if body is None:
        await _respond(send, 413, _too_large())
        return
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    call = WebhookRequest("POST", query, _headers(scope), body)
    answer = await receive_webhook_async(kind, channel_id, call)
    await _send(send, answer.status, answer.body, answer.content_type)


def _headers(scope: dict) -> dict[str, str]:
    return {
        name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]
    }


def _too_large() -> dict:
    limit = settings.PARLEY_MAX_WEBHOOK_BYTES
    return {"code": "too_large", "detail": f"payload larger than {limit} bytes"}


async def _read_body(receive: Callable, limit: int) -> bytes | None:
    """The request body, or None as soon as it grows past `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _respond(send: Callable, status: int, payload: dict) -> None:
    await _send(send, status, json.dumps(payload).encode(), "application/json")


async def _send(send: Callable, status: int, body: bytes, content_type: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
