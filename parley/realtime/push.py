"""Pushes tell connected agents that a conversation changed; their pages refetch what they show.

Pushes carry ids only (and, for an agent's presence, that agent's name), never message text,
so a push can never leak a note or a conversation to someone who may not see it: the refetch
goes through the same access checks as a reload.
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from . import groups

if TYPE_CHECKING:
    from parley.conversations.models import Conversation

logger = logging.getLogger(__name__)


def audience(*, team_ids: tuple[int | None, ...], agent_ids: tuple[int | None, ...]) -> set[str]:
    """Groups allowed to see a conversation that has (or had) these teams and assignees."""
    names = {groups.STAFF}
    for team_id in team_ids:
        names.add(groups.team_group(team_id) if team_id else groups.EVERYONE)
    names.update(groups.agent_group(agent_id) for agent_id in agent_ids if agent_id)
    return names


def push_conversation_on_commit(
    conversation: "Conversation",
    kind: str,
    *,
    moved_from: tuple[int | None, int | None] | None = None,
) -> None:
    """After commit, tell everyone who can see it — and, when it changed hands,
    everyone who could before (`moved_from` = previous team id, previous assignee id)."""
    team_ids: tuple[int | None, ...] = (conversation.team_id,)
    agent_ids: tuple[int | None, ...] = (conversation.assignee_id,)
    if moved_from is not None:
        team_ids += (moved_from[0],)
        agent_ids += (moved_from[1],)
    names = audience(team_ids=team_ids, agent_ids=agent_ids)
    event = {"type": "push", "kind": kind, "conversation_id": conversation.pk}
    transaction.on_commit(lambda: send_to_groups(names, event))


_batch = threading.local()


@contextmanager
def batched_pushes() -> Iterator[None]:
    """Collect the pushes of many small transactions and send them in one go at the end:
    each send crosses into the event loop, which costs more than a push is worth in a
    background batch. Identical pushes are sent once."""
    _batch.pending = []
    try:
        yield
    finally:
        pending, _batch.pending = _batch.pending, None
        unique = {
            (frozenset(names), tuple(sorted(event.items()))): (names, event)
            for names, event in pending
        }
        _send(list(unique.values()))


def send_to_groups(names: set[str], event: dict) -> None:
    pending = getattr(_batch, "pending", None)
    if pending is not None:
        pending.append((names, event))
    else:
        _send([(names, event)])


def _send(pushes: list[tuple[set[str], dict]]) -> None:
    layer = get_channel_layer()
    if layer is None or not pushes:
        return
    try:
        async_to_sync(_send_all)(layer, pushes)
    except Exception:  # A push is best effort: clients refetch on reconnect.
        logger.exception("push failed")


async def _send_all(layer: object, pushes: list[tuple[set[str], dict]]) -> None:
    for names, event in pushes:
        for name in names:
            await layer.group_send(name, event)  # type: ignore[attr-defined]
