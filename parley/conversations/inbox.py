"""Group commit for the durable inbox.

Every inbound payload must be committed before we acknowledge it. Committing one row per
request caps throughput at one transaction per request; instead, requests that arrive while
a write is in flight wait for the next one and share it (one lock, FIFO). Under light load a
batch is one payload and nothing waits; under heavy load batches grow and commits stay few.
"""

import asyncio
import weakref

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection

from parley.core import pressure
from parley.core.writes import one_writer

from .ingest import RawInbound, accept_inbound_events
from .models import InboundEvent

MAX_BATCH = 500


class GroupCommit:
    def __init__(self) -> None:
        self.pending: list[tuple[RawInbound, asyncio.Future[InboundEvent]]] = []
        self.lock = asyncio.Lock()

    async def accept(self, payload: RawInbound) -> InboundEvent:
        pressure.note_inbound()
        future: asyncio.Future[InboundEvent] = asyncio.get_running_loop().create_future()
        self.pending.append((payload, future))
        async with self.lock:
            # Whoever holds the lock writes everything waiting, in its own request's
            # context; a payload written by an earlier holder is simply done.
            if not future.done():
                batch, self.pending = self.pending[:MAX_BATCH], self.pending[MAX_BATCH:]
                await self._write(batch)
        return future.result()

    async def _write(self, batch: list[tuple[RawInbound, asyncio.Future[InboundEvent]]]) -> None:
        # thread_sensitive: the write shares the thread (and so the connection) of sync views.
        write = sync_to_async(_write_batch, thread_sensitive=True)
        try:
            events = await write([payload for payload, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            # One bad payload must not fail the others that shared its transaction.
            for item in batch:
                await self._write([item])
        else:
            for (_, future), event in zip(batch, events, strict=True):
                future.set_result(event)


def _write_batch(payloads: list[RawInbound]) -> list[InboundEvent]:
    # Outside Django's request cycle nobody else retires a stale or broken connection.
    if not connection.in_atomic_block:
        close_old_connections()
    with one_writer():
        return accept_inbound_events(payloads)


# One committer per event loop: futures belong to the loop that made them.
_committers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, GroupCommit] = (
    weakref.WeakKeyDictionary()
)


async def accept_inbound(payload: RawInbound) -> InboundEvent:
    loop = asyncio.get_running_loop()
    committer = _committers.get(loop)
    if committer is None:
        committer = _committers[loop] = GroupCommit()
    return await committer.accept(payload)
