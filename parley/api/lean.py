"""The lean ASGI path for `POST /api/v1/channels/<id>/messages`, in front of Django.

This endpoint takes every message other systems feed us, so it is the one place where
Django's per-request machinery (middleware, each a thread hop under ASGI) costs more than
the work. Requests for it are answered here with the same function the documented Ninja
route uses (`inbound.receive_api_message`); everything else goes to Django untouched.
"""

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings

from .auth import bearer_token, cached_agent_for_token
from .inbound import receive_api_message

INBOUND_PATH = re.compile(r"^/api/v1/channels/(\d{1,19})/messages$")
ASGIApp = Callable[[dict, Callable[..., Awaitable[Any]], Callable[..., Awaitable[Any]]], Any]


def route_inbound(full_stack: ASGIApp) -> ASGIApp:
    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        match = INBOUND_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None or scope.get("method") != "POST":
            await full_stack(scope, receive, send)
            return
        status, payload = await _handle(int(match[1]), scope, receive)
        await _respond(send, status, payload)

    return app


async def _handle(channel_id: int, scope: dict, receive: Callable) -> tuple[int, dict]:
    headers = {
        name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]
    }
    body = await _read_body(receive, settings.PARLEY_MAX_WEBHOOK_BYTES)
    if body is None:
        limit = settings.PARLEY_MAX_WEBHOOK_BYTES
        return 413, {"code": "too_large", "detail": f"payload larger than {limit} bytes"}
    token = bearer_token(headers.get("authorization", ""))
    agent = await cached_agent_for_token(token) if token else None
    return await receive_api_message(agent, channel_id, body, headers)


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
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
