"""ASGI lifespan for `parley serve`: starts and stops the in-process task worker."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from asgiref.sync import sync_to_async

from .worker import run_in_loop

ASGIApp = Callable[
    [dict, Callable[..., Awaitable[Any]], Callable[..., Awaitable[Any]]], Awaitable[None]
]


def with_worker(app: ASGIApp, interval: float) -> ASGIApp:
    async def wrapped(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return
        stop = asyncio.Event()
        worker: asyncio.Task | None = None
        services: list[asyncio.Task] = []
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                from parley.conversations.tasks import recover_inbound_events

                await sync_to_async(recover_inbound_events, thread_sensitive=False)()
                worker = asyncio.create_task(run_in_loop(stop, interval))
                services = [asyncio.create_task(serve(stop)) for serve in background_services()]
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                stop.set()
                for task in [worker, *services]:
                    if task is not None:
                        with contextlib.suppress(asyncio.CancelledError):
                            await task
                await send({"type": "lifespan.shutdown.complete"})
                return

    return wrapped


def background_services() -> list[Callable[[asyncio.Event], Coroutine[Any, Any, None]]]:
    """What else `parley serve` runs in its event loop, each until `stop` is set."""
    from django.conf import settings

    from parley.connectors.email.imap import serve_imap
    from parley.connectors.email.smtpd import serve_smtp

    services: list[Callable[[asyncio.Event], Coroutine[Any, Any, None]]] = []
    if settings.PARLEY_SMTP_PORT:
        host, port = settings.PARLEY_SMTP_HOST, settings.PARLEY_SMTP_PORT
        services.append(lambda stop: serve_smtp(host, port, stop))
    # Connects to nothing until an email channel is configured for IMAP.
    services.append(serve_imap)
    return services
