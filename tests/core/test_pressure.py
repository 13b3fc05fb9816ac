"""The in-process worker waits while payloads are arriving, but never without bound."""

import asyncio
import time

from parley.core import pressure


def waited(max_wait: float, *, keep_busy: bool = False) -> float:
    async def run() -> float:
        async def traffic() -> None:
            while True:
                pressure.note_inbound()
                await asyncio.sleep(0.002)

        busy = asyncio.create_task(traffic()) if keep_busy else None
        await asyncio.sleep(0)
        began = time.monotonic()
        await pressure.quiet_moment(max_wait)
        elapsed = time.monotonic() - began
        if busy is not None:
            busy.cancel()
        return elapsed

    return asyncio.run(run())


def test_an_idle_server_lets_the_worker_go_at_once():
    time.sleep(pressure.BUSY_WINDOW * 2)

    assert waited(5.0) < 1.0


def test_the_worker_waits_for_a_quiet_moment_after_a_payload():
    arrived = time.monotonic()
    pressure.note_inbound()

    waited(5.0)

    assert time.monotonic() - arrived >= pressure.BUSY_WINDOW


def test_under_sustained_traffic_the_worker_still_runs_after_the_bound():
    elapsed = waited(0.2, keep_busy=True)

    assert 0.2 <= elapsed < 2.0
