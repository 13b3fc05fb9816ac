"""An agent's presence and shift, and customers' ratings (which assignment reads)."""

from django.http import HttpRequest
from ninja import Field, Router, Schema

from parley.accounts.actions import set_presence
from parley.accounts.models import Agent, Team
from parley.automation.assignment import hand_off_shift, rate_conversation
from parley.conversations.access import access_conversation
from parley.core.errors import PermissionDenied

from .auth import agent_of
from .lookup import get_or_404
from .schemas import Id

router = Router(tags=["agents"])


class PresenceIn(Schema):
    presence: str = Field(description="online, away or offline")


class PresenceOut(Schema):
    id: int
    presence: str


class HandoffIn(Schema):
    team_id: Id
    note: str = Field("", max_length=5000)


class HandoffOut(Schema):
    moved: int


class RatingIn(Schema):
    score: int = Field(description="1 (bad) to 5 (great)")
    comment: str = Field("", max_length=2000)


class RatingOut(Schema):
    conversation_id: int
    agent_id: int | None
    score: int


@router.put("/me/presence", response=PresenceOut)
def update_presence(request: HttpRequest, body: PresenceIn):
    agent = set_presence(agent_of(request), body.presence)
    return {"id": agent.pk, "presence": agent.presence}


@router.post("/agents/{agent_id}/end-shift", response=HandoffOut)
def end_shift(request: HttpRequest, agent_id: int, body: HandoffIn):
    """Hand the agent's open conversations to a team (its policy assigns them) with a note,
    and set the agent offline. Agents end their own shift; leads and admins anyone's."""
    actor = agent_of(request)
    if agent_id != actor.pk and not actor.sees_everything:
        raise PermissionDenied("only leads end someone else's shift")
    leaving = get_or_404(Agent, agent_id, "agent")
    team = get_or_404(Team, body.team_id, "team")
    return {"moved": hand_off_shift(actor, leaving, team, body.note.strip())}


@router.put("/conversations/{conversation_id}/rating", response=RatingOut)
def rate(request: HttpRequest, conversation_id: int, body: RatingIn):
    """A customer's satisfaction rating (from a survey tool, with a lead's or admin's
    token), credited to the conversation's agent; sending it again replaces it."""
    agent = agent_of(request)
    if not agent.sees_everything:  # an agent could rate their own work
        raise PermissionDenied("ratings come from customers, through a lead's or admin's token")
    conversation = access_conversation(agent, conversation_id)
    rating = rate_conversation(conversation, body.score, body.comment)
    return {"conversation_id": conversation.pk, "agent_id": rating.agent_id, "score": rating.score}
