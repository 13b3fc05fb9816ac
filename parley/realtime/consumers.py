"""The agent's WebSocket: joins the groups whose pushes this agent may receive."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from parley.accounts.actions import mark_seen

from . import groups
from .activity import announce_activity
from .presence import answer_ping


class AgentConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        agent = self.scope.get("user")
        if agent is None or not agent.is_authenticated:
            await self.close(code=4401)
            return
        self.groups_joined = await database_sync_to_async(self._groups_for)(agent)
        await database_sync_to_async(mark_seen)(agent.pk)
        for name in self.groups_joined:
            await self.channel_layer.group_add(name, self.channel_name)
        await self.accept()

    @staticmethod
    def _groups_for(agent: object) -> list[str]:
        names = [groups.agent_group(agent.pk), groups.EVERYONE]  # type: ignore[attr-defined]
        if agent.sees_everything:  # type: ignore[attr-defined]
            names.append(groups.STAFF)
        names += [groups.team_group(team_id) for team_id in agent.team_ids()]  # type: ignore[attr-defined]
        return names

    async def disconnect(self, code: int) -> None:
        for name in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(name, self.channel_name)

    async def receive_json(self, content: dict, **kwargs: object) -> None:
        # What an agent's page sends: "I am here" every minute (assignment counts on it),
        # "I am viewing / typing in conversation N".
        if isinstance(content, dict) and content.get("type") == "here":
            await database_sync_to_async(mark_seen)(self.scope["user"].pk)
            return
        if not isinstance(content, dict) or content.get("type") not in ("typing", "viewing"):
            return
        agent, conversation_id = self.scope["user"], content.get("conversation_id")
        if content["type"] == "typing":
            from parley.connectors.chat.consumer import relay_agent_typing

            await relay_agent_typing(agent, conversation_id)
        await announce_activity(agent, conversation_id, content["type"])

    async def presence_ping(self, event: dict) -> None:
        await answer_ping(self.channel_layer, event)

    async def push(self, event: dict) -> None:
        fields = ("kind", "conversation_id", "agent_id", "agent")
        await self.send_json({name: event[name] for name in fields if name in event})
