"""Who is connected, asked rather than counted.

A counter of open sockets drifts whenever a process dies without running disconnect; asking
the group instead ("is anyone there?") is right across processes and crashes: every consumer
in the group answers on a one-off reply channel, and the first answer settles it. Consumers
that take part handle `presence.ping` with `answer_ping`.
"""

import asyncio

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache

from . import groups

ANSWER_SECONDS = 0.75
# Agents come and go slowly; widgets ask often. One answer serves every widget for a while.
AGENTS_CACHE_SECONDS = 15


async def send_and_confirm(group: str, event: dict, timeout: float = ANSWER_SECONDS) -> bool:
    """Send `event` to the group; True once a member confirms it received it."""
    layer = get_channel_layer()
    if layer is None:
        return False
    reply_to = await layer.new_channel()
    await layer.group_send(group, {**event, "reply_to": reply_to})
    try:
        await asyncio.wait_for(layer.receive(reply_to), timeout)
    except TimeoutError:
        return False
    return True


async def answer_ping(layer: object, event: dict) -> None:
    await layer.send(event["reply_to"], {"type": "presence.here"})  # type: ignore[attr-defined]


def agents_online() -> bool:
    """Whether any agent has the workspace open (cached briefly)."""
    known = cache.get("presence.agents")
    if known is None:
        known = async_to_sync(send_and_confirm)(groups.EVERYONE, {"type": "presence.ping"})
        cache.set("presence.agents", known, AGENTS_CACHE_SECONDS)
    return bool(known)
