"""/api/v1/saved-replies: agents read the replies they may use and write their personal
ones; leads and admins also team and workspace replies."""

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator

from parley.accounts.models import Agent, Team
from parley.api.auth import agent_of
from parley.api.lookup import get_or_404
from parley.api.parser import no_nul
from parley.api.schemas import Id
from parley.conversations.access import access_conversation
from parley.core.errors import NotFound, PermissionDenied

from .actions import delete_saved_reply, save_saved_reply, use_saved_reply
from .models import SavedReply
from .queries import may_change, search_replies, usable_replies
from .render import MAX_BODY

router = Router(tags=["saved replies"])

Text = Annotated[str, AfterValidator(no_nul)]
Scope = Literal["personal", "team", "workspace"]
Bodies = Annotated[
    dict[Annotated[Text, Field(max_length=20)], Annotated[Text, Field(max_length=MAX_BODY)]],
    Field(min_length=1, max_length=10, description='One text per language: {"en": "…"}.'),
]


class SavedReplyIn(Schema):
    title: Text = Field(..., min_length=1, max_length=120)
    shortcut: Text = Field("", max_length=40)
    tags: list[Annotated[Text, Field(max_length=40)]] = Field([], max_length=10)
    bodies: Bodies
    default_language: Text = Field("", max_length=8, description="Empty: the first language.")
    scope: Scope = "personal"
    team_id: Id | None = None


class SavedReplyPatch(Schema):
    title: Text | None = Field(None, min_length=1, max_length=120)
    shortcut: Text | None = Field(None, max_length=40)
    tags: list[Annotated[Text, Field(max_length=40)]] | None = Field(None, max_length=10)
    bodies: Bodies | None = None
    default_language: Text | None = Field(None, max_length=8)
    scope: Scope | None = None
    team_id: Id | None = None


class SavedReplyOut(Schema):
    id: int
    title: str
    shortcut: str
    tags: list[str]
    bodies: dict[str, str]
    default_language: str
    scope: str
    team_id: int | None
    owner_id: int | None
    usage_count: int
    last_used_at: datetime | None
    can_change: bool

    @staticmethod
    def of(reply: SavedReply, agent: Agent) -> "SavedReplyOut":
        fields = {n: getattr(reply, n) for n in SavedReplyOut.model_fields if n != "can_change"}
        return SavedReplyOut(**fields, can_change=may_change(agent, reply))


class UseIn(Schema):
    conversation_id: Id


class UseOut(Schema):
    text: str


class ReplyFilters(Schema):
    q: Text = Field("", max_length=100, description="Words in the shortcut, title or tags.")


def _usable(agent: Agent, reply_id: int) -> SavedReply:
    found = usable_replies(agent).filter(pk=reply_id).first()
    if found is None:
        raise NotFound(f"saved reply {reply_id} not found")
    return found


def _changeable(agent: Agent, reply_id: int) -> SavedReply:
    reply = _usable(agent, reply_id)
    if not may_change(agent, reply):
        raise PermissionDenied("only its owner (a personal reply) or a lead or admin may change it")
    return reply


def _current(reply: SavedReply) -> dict:
    return {
        "title": reply.title,
        "shortcut": reply.shortcut,
        "tags": reply.tags,
        "bodies": reply.bodies,
        "default_language": reply.default_language,
        "scope": reply.scope,
        "team_id": reply.team_id,
    }


def _save(agent: Agent, reply: SavedReply | None, fields: dict) -> SavedReply:
    team_id = fields.pop("team_id", None)
    team = get_or_404(Team, team_id, "team") if team_id else None
    return save_saved_reply(agent, reply, **fields, team=team)


@router.get("/saved-replies", response=list[SavedReplyOut])
def list_saved_replies(request: HttpRequest, filters: Query[ReplyFilters]):
    agent = agent_of(request)
    found = search_replies(agent, filters.q) if filters.q else usable_replies(agent)[:500]
    return [SavedReplyOut.of(reply, agent) for reply in found]


@router.get("/saved-replies/{reply_id}", response=SavedReplyOut)
def get_saved_reply(request: HttpRequest, reply_id: Id):
    agent = agent_of(request)
    return SavedReplyOut.of(_usable(agent, reply_id), agent)


@router.post("/saved-replies", response={201: SavedReplyOut})
def create_saved_reply(request: HttpRequest, body: SavedReplyIn):
    agent = agent_of(request)
    return Status(201, SavedReplyOut.of(_save(agent, None, body.dict()), agent))


@router.patch("/saved-replies/{reply_id}", response=SavedReplyOut)
def change_saved_reply(request: HttpRequest, reply_id: Id, body: SavedReplyPatch):
    agent = agent_of(request)
    reply = _changeable(agent, reply_id)
    given = {k: v for k, v in body.dict(exclude_unset=True).items() if v is not None}
    return SavedReplyOut.of(_save(agent, reply, _current(reply) | given), agent)


@router.delete("/saved-replies/{reply_id}", response={204: None})
def remove_saved_reply(request: HttpRequest, reply_id: Id):
    delete_saved_reply(_changeable(agent_of(request), reply_id))
    return Status(204, None)


@router.post("/saved-replies/{reply_id}/use", response=UseOut)
def use(request: HttpRequest, reply_id: Id, body: UseIn):
    """The reply filled in for a conversation, in its customer's language; counted as used."""
    agent = agent_of(request)
    conversation = access_conversation(agent, body.conversation_id)
    return UseOut(text=use_saved_reply(agent, conversation, _usable(agent, reply_id)))
