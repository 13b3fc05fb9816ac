"""ASGI lifespan for `parley serve`: starts and stops the in-process task worker."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
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
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                from parley.conversations.tasks import recover_inbound_events

                await sync_to_async(recover_inbound_events, thread_sensitive=False)()
                worker = asyncio.create_task(run_in_loop(stop, interval))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                stop.set()
                if worker is not None:
                    with contextlib.suppress(asyncio.CancelledError):
                        await worker
                await send({"type": "lifespan.shutdown.complete"})
                return

    return wrapped
