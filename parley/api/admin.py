"""Workspace configuration: tags, channels, agents and teams."""

from django.http import HttpRequest
from ninja import Router, Status

from parley.accounts.actions import create_agent, save_team, update_agent
from parley.accounts.models import Agent, Team
from parley.connectors.actions import save_channel
from parley.connectors.models import Channel
from parley.conversations.actions import create_tag
from parley.conversations.models import Tag
from parley.core.errors import PermissionDenied

from .auth import agent_of
from .lookup import get_or_404
from .schemas import (
    AgentIn,
    AgentOut,
    AgentPatch,
    ChannelIn,
    ChannelOut,
    ChannelPatch,
    TagIn,
    TagOut,
    TeamIn,
    TeamOut,
)

router = Router()


def require_admin(request: HttpRequest) -> Agent:
    agent = agent_of(request)
    if not agent.is_admin:
        raise PermissionDenied("only admins may do this")
    return agent


@router.get("/tags", response=list[TagOut], tags=["tags"])
def list_tags(request: HttpRequest):
    return list(Tag.objects.all())


@router.post("/tags", response={201: TagOut}, tags=["tags"])
def add_tag(request: HttpRequest, body: TagIn):
    if not agent_of(request).sees_everything:
        raise PermissionDenied("only leads and admins may create tags")
    return Status(201, create_tag(body.name, body.color))


def channel_out(channel: Channel) -> ChannelOut:
    return ChannelOut(
        id=channel.pk,
        kind=channel.kind,
        name=channel.name,
        settings=channel.settings,
        secrets=channel.masked_secrets(),
        team_id=channel.team_id,
        public_key=channel.public_key,
        active=channel.active,
    )


@router.get("/channels", response=list[ChannelOut], tags=["channels"])
def list_channels(request: HttpRequest):
    return [channel_out(c) for c in Channel.objects.all()]


@router.post("/channels", response={201: ChannelOut}, tags=["channels"])
def create_channel(request: HttpRequest, body: ChannelIn):
    require_admin(request)
    team = get_or_404(Team, body.team_id, "team") if body.team_id else None
    channel = save_channel(
        None,
        kind=body.kind,
        name=body.name,
        settings=body.settings,
        secrets=body.secrets,
        team=team,
    )
    return Status(201, channel_out(channel))


@router.patch("/channels/{channel_id}", response=ChannelOut, tags=["channels"])
def update_channel(request: HttpRequest, channel_id: int, body: ChannelPatch):
    require_admin(request)
    team = get_or_404(Team, body.team_id, "team") if body.team_id else None
    channel = save_channel(
        get_or_404(Channel, channel_id, "channel"),
        name=body.name,
        settings=body.settings,
        secrets=body.secrets,
        team=team,
        active=body.active,
    )
    return channel_out(channel)


def agent_out(agent: Agent) -> AgentOut:
    return AgentOut(
        id=agent.pk,
        email=agent.email,
        name=str(agent),
        role=agent.role,
        language=agent.language,
        is_active=agent.is_active,
        team_ids=agent.team_ids(),
    )


@router.get("/agents", response=list[AgentOut], tags=["agents"])
def list_agents(request: HttpRequest):
    require_admin(request)
    return [agent_out(a) for a in Agent.objects.all()]


@router.post("/agents", response={201: AgentOut}, tags=["agents"])
def add_agent(request: HttpRequest, body: AgentIn):
    require_admin(request)
    return Status(201, agent_out(create_agent(**body.dict())))


@router.patch("/agents/{agent_id}", response=AgentOut, tags=["agents"])
def patch_agent(request: HttpRequest, agent_id: int, body: AgentPatch):
    require_admin(request)
    return agent_out(update_agent(get_or_404(Agent, agent_id, "agent"), **body.dict()))


def team_out(team: Team) -> TeamOut:
    return TeamOut(id=team.pk, name=team.name, member_ids=[m.pk for m in team.members.all()])


@router.get("/teams", response=list[TeamOut], tags=["teams"])
def list_teams(request: HttpRequest):
    require_admin(request)
    return [team_out(t) for t in Team.objects.prefetch_related("members")]


@router.post("/teams", response={201: TeamOut}, tags=["teams"])
def add_team(request: HttpRequest, body: TeamIn):
    require_admin(request)
    return Status(201, team_out(save_team(None, name=body.name, member_ids=body.member_ids)))


@router.patch("/teams/{team_id}", response=TeamOut, tags=["teams"])
def patch_team(request: HttpRequest, team_id: int, body: TeamIn):
    require_admin(request)
    team = get_or_404(Team, team_id, "team")
    return team_out(save_team(team, name=body.name, member_ids=body.member_ids))
