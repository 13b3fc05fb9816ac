"""The visitor's WebSocket: ws/chat/<public_key>/?token=…

On connect the visitor gets their history (so a reload or a reconnect shows everything),
then live frames: agent replies, "agent is typing", acknowledgements and errors. The
visitor sends {"type": "message", "client_id", "text", "page"} and {"type": "typing"}.

Refusals are frames, then a close with a code the widget acts on: 4401 the token is no good
(start a new session), 4403 the site is not allowed, 4404 no such channel (stop trying).
"""

import json
import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.translation import gettext as _

from parley.core.errors import ParleyError
from parley.realtime.presence import answer_ping

from ..models import ChannelKind
from . import visitors
from .frames import history_frame, visitor_group
from .identity import read_token

CLOSE_CODES = {"bad_token": 4401, "origin_not_allowed": 4403, "unknown_channel": 4404}
# Room for the longest message and its JSON escaping; anything bigger is refused unread.
MAX_FRAME_CHARS = visitors.MAX_MESSAGE_CHARS * 6 + 1000
TYPING_EVERY_SECONDS = 1.5


class VisitorConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        await self.accept()
        try:
            await database_sync_to_async(self._open)()
        except ParleyError as exc:
            await self._error(exc.code, exc.detail)
            await self.close(code=CLOSE_CODES.get(exc.code, 4400))
            return
        self.group = visitor_group(self.chat.pk, self.visitor.id)
        self.last_typing = 0.0
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_json(
            await database_sync_to_async(history_frame)(self.chat, self.visitor.id)
        )

    def _open(self) -> None:
        headers = dict(self.scope["headers"])
        origin = headers.get(b"origin", b"").decode("latin-1")
        self.chat = visitors.chat_channel(self.scope["url_route"]["kwargs"]["public_key"], origin)
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        self.visitor = read_token(self.chat, (query.get("token") or [""])[0])
        self.address = (self.scope.get("client") or ["unknown"])[0]

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            await self._error("too_large", _("That message is too large to send."))
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self._error("bad_frame", _("Frames are JSON objects."))
            return
        await self.receive_json(content)

    async def receive_json(self, content: dict, **kwargs: object) -> None:
        kind = content.get("type")
        if kind == "message":
            await self._message(content)
        elif kind == "typing":
            await self._typing()
        else:
            await self._error("bad_frame", _("Unknown frame type."))

    async def _message(self, content: dict) -> None:
        client_id = str(content.get("client_id", ""))
        try:
            await database_sync_to_async(visitors.accept_message)(
                self.chat,
                self.visitor,
                self.address,
                client_id=client_id,
                text=str(content.get("text", "")),
                page=str(content.get("page", "")),
            )
        except ParleyError as exc:
            await self._error(exc.code, exc.detail, client_id=client_id)
            return
        await self.send_json({"type": "ack", "client_id": client_id[:64]})

    async def _typing(self) -> None:
        # Typing is a hint: extra frames inside the window are simply not relayed.
        now = time.monotonic()
        if now - self.last_typing < TYPING_EVERY_SECONDS:
            return
        self.last_typing = now
        found = await database_sync_to_async(visitors.typing_audience)(self.chat, self.visitor)
        if found is None:
            return
        names, conversation_id = found
        push = {"type": "push", "kind": "typing", "conversation_id": conversation_id}
        for name in names:
            await self.channel_layer.group_send(name, push)

    async def _error(self, code: str, detail: str, **extra: str) -> None:
        await self.send_json({"type": "error", "code": code, "detail": detail, **extra})

    async def chat_frame(self, event: dict) -> None:
        """A reply for this visitor: shown, then confirmed so that it is not emailed too."""
        await self.send_json(event["frame"])
        if "reply_to" in event:
            await answer_ping(self.channel_layer, event)

    async def chat_typing(self, event: dict) -> None:
        await self.send_json({"type": "typing"})


async def relay_agent_typing(agent: object, conversation_id: object) -> None:
    """An agent types in the composer of a chat conversation they may see: the visitor's
    widgets show "typing…". Anything else is ignored (typing is only a hint)."""
    found = await database_sync_to_async(_visitor_group_for)(agent, conversation_id)
    if found is not None:
        from channels.layers import get_channel_layer

        await get_channel_layer().group_send(found, {"type": "chat.typing"})  # type: ignore[union-attr]


def _visitor_group_for(agent: object, conversation_id: object) -> str | None:
    from parley.conversations.access import access_conversation

    if not isinstance(conversation_id, int):
        return None
    try:
        conversation = access_conversation(agent, conversation_id)  # type: ignore[arg-type]
    except ParleyError:
        return None
    if conversation.channel.kind != ChannelKind.CHAT:
        return None
    return visitor_group(conversation.channel_id, conversation.thread_ref)
