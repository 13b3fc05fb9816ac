"""Who else is on a conversation. An agent's page says "viewing" while it is open (every
20 s) and "typing" while the composer is used; everyone who may see the conversation hears
it and shows it for a short while. Nothing is stored: it is only a hint."""

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from parley.core.errors import ParleyError

from .push import audience

ACTIVITIES = {"viewing": "agent_viewing", "typing": "agent_typing"}


async def announce_activity(agent: object, conversation_id: object, activity: str) -> None:
    names = await database_sync_to_async(_audience_for)(agent, conversation_id)
    if not names or activity not in ACTIVITIES:
        return
    event = {
        "type": "push",
        "kind": ACTIVITIES[activity],
        "conversation_id": conversation_id,
        "agent_id": agent.pk,  # type: ignore[attr-defined]
        "agent": str(agent),
    }
    layer = get_channel_layer()
    for name in names:
        await layer.group_send(name, event)  # type: ignore[union-attr]


def _audience_for(agent: object, conversation_id: object) -> set[str]:
    from parley.conversations.access import access_conversation

    if not isinstance(conversation_id, int) or isinstance(conversation_id, bool):
        return set()
    try:
        conversation = access_conversation(agent, conversation_id)  # type: ignore[arg-type]
    except ParleyError:
        return set()
    return audience(team_ids=(conversation.team_id,), agent_ids=(conversation.assignee_id,))
