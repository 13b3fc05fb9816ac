"""Conversations and their messages."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from parley.accounts.models import Agent, Team
from parley.conversations import actions
from parley.conversations.access import access_conversation
from parley.conversations.queries import VIEWS, InboxFilters, inbox
from parley.core.errors import InvalidInput
from parley.sla.queries import SLA_VIEWS

from .auth import agent_of
from .lookup import get_or_404
from .pagination import paginate
from .schemas import (
    PRIORITY_VALUES,
    AssignIn,
    ConversationOut,
    ConversationPage,
    ConversationPatch,
    Id,
    MessageOut,
    MessagePage,
    QueryText,
    ReplyIn,
    TextIn,
)

router = Router(tags=["conversations"])


class ConversationQuery(Schema):
    view: QueryText = "all"
    status: QueryText = ""
    channel: Id | None = None
    tag: QueryText = ""
    assignee: Id | None = None
    team: Id | None = None
    priority: QueryText = ""
    sla: QueryText = Field("", description="soon (due within the window) or breached")
    cursor: str | None = None
    limit: int = 50


@router.get("/conversations", response=ConversationPage)
def list_conversations(request: HttpRequest, query: Query[ConversationQuery]):
    if query.view not in VIEWS:
        raise InvalidInput(f"view must be one of {', '.join(VIEWS)}", code="invalid_view")
    if query.sla and query.sla not in SLA_VIEWS:
        raise InvalidInput(f"sla must be one of {', '.join(SLA_VIEWS)}", code="invalid_sla")
    filters = InboxFilters(
        status=query.status,
        channel=query.channel,
        tag=query.tag,
        assignee=query.assignee,
        team=query.team,
        priority=_priority(query.priority) if query.priority else None,
        sla=query.sla,
    )
    rows, cursor = paginate(
        inbox(agent_of(request), query.view, filters), query.cursor, query.limit
    )
    return {"items": [ConversationOut.of(c) for c in rows], "next_cursor": cursor}


@router.get("/conversations/{conversation_id}", response=ConversationOut)
def get_conversation(request: HttpRequest, conversation_id: int):
    return ConversationOut.of(access_conversation(agent_of(request), conversation_id))


@router.patch("/conversations/{conversation_id}", response=ConversationOut)
def update_conversation(request: HttpRequest, conversation_id: int, patch: ConversationPatch):
    agent = agent_of(request)
    conversation = access_conversation(agent, conversation_id)
    if patch.status is not None:
        actions.set_status(agent, conversation, patch.status)
    if patch.priority is not None:
        actions.set_priority(agent, conversation, _priority(patch.priority))
    if patch.tags is not None:
        actions.set_tags(agent, conversation, patch.tags)
    return ConversationOut.of(access_conversation(agent, conversation_id))


@router.post("/conversations/{conversation_id}/assign", response=ConversationOut)
def assign(request: HttpRequest, conversation_id: int, body: AssignIn):
    agent = agent_of(request)
    conversation = access_conversation(agent, conversation_id)
    assignee = get_or_404(Agent, body.assignee_id, "agent") if body.assignee_id else None
    team = get_or_404(Team, body.team_id, "team") if body.team_id else None
    actions.assign_conversation(agent, conversation, assignee=assignee, team=team, note=body.note)
    return ConversationOut.of(access_conversation(agent, conversation_id))


@router.get("/conversations/{conversation_id}/messages", response=MessagePage)
def list_messages(
    request: HttpRequest, conversation_id: int, cursor: str | None = None, limit: int = 50
):
    conversation = access_conversation(agent_of(request), conversation_id)
    messages = conversation.messages.select_related("author").prefetch_related("attachments")
    rows, next_cursor = paginate(messages, cursor, limit)
    return {"items": [MessageOut.of(m) for m in rows], "next_cursor": next_cursor}


@router.post("/conversations/{conversation_id}/reply", response={201: MessageOut})
def reply(request: HttpRequest, conversation_id: int, body: ReplyIn):
    agent = agent_of(request)
    conversation = access_conversation(agent, conversation_id)
    sent = actions.send_reply(
        agent, conversation, body.text, unless_newer_than=body.unless_newer_than
    )
    return Status(201, MessageOut.of(sent))


@router.post("/conversations/{conversation_id}/notes", response={201: MessageOut})
def add_note(request: HttpRequest, conversation_id: int, body: TextIn):
    agent = agent_of(request)
    conversation = access_conversation(agent, conversation_id)
    return Status(201, MessageOut.of(actions.add_note(agent, conversation, body.text)))


def _priority(name: str) -> int:
    if name not in PRIORITY_VALUES:
        raise InvalidInput(
            f"priority must be one of {', '.join(PRIORITY_VALUES)}", code="invalid_priority"
        )
    return PRIORITY_VALUES[name]
