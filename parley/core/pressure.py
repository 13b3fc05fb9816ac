"""Acknowledgements first: inside `parley serve` the worker shares one interpreter with the
web server, so while inbound payloads are arriving it waits for a quiet moment before it
takes the next task. Platforms time out (and retry, and eventually unsubscribe) when a
webhook is not answered quickly; processing a few seconds later costs nobody anything.

The wait is bounded, so under sustained load the worker still makes progress.
"""

import asyncio
import time

# Inbound traffic this recent means the web is busy.
BUSY_WINDOW = 0.02
# No traffic for this long means a burst has ended.
CALM_AFTER = 0.5
_last_inbound = 0.0


def note_inbound() -> None:
    global _last_inbound
    _last_inbound = time.monotonic()


def is_busy(now: float) -> bool:
    return now - _last_inbound < BUSY_WINDOW


def is_calm(now: float) -> bool:
    """Nothing has arrived for a while: the burst is over, long tasks are welcome."""
    return now - _last_inbound > CALM_AFTER


async def quiet_moment(max_wait: float) -> None:
    """Return once no payload has arrived for BUSY_WINDOW seconds, or after max_wait."""
    deadline = time.monotonic() + max_wait
    while is_busy(now := time.monotonic()) and now < deadline:
        await asyncio.sleep(BUSY_WINDOW / 2)
