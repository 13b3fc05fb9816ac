"""Pushes tell connected agents that a conversation changed; their pages refetch what they show.

Pushes carry ids only, never message text, so a push can never leak a note or a conversation
to someone who may not see it: the refetch goes through the same access checks as a reload.
"""

import logging
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
    previous_team_id: int | None = None,
    previous_assignee_id: int | None = None,
) -> None:
    """After commit, tell everyone who can (or could, before this change) see it."""
    team_ids: tuple[int | None, ...] = (conversation.team_id,)
    if previous_team_id != conversation.team_id:
        team_ids += (previous_team_id,)
    names = audience(team_ids=team_ids, agent_ids=(conversation.assignee_id, previous_assignee_id))
    event = {"type": "push", "kind": kind, "conversation_id": conversation.pk}
    transaction.on_commit(lambda: send_to_groups(names, event))


def send_to_groups(names: set[str], event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(_send_all)(layer, names, event)
    except Exception:  # A push is best effort: clients refetch on reconnect.
        logger.exception("push failed")


async def _send_all(layer: object, names: set[str], event: dict) -> None:
    for name in names:
        await layer.group_send(name, event)  # type: ignore[attr-defined]
