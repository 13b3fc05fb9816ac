"""Builders for test data, going through the same actions the product uses."""

import itertools

from parley.accounts.actions import create_agent, save_team
from parley.accounts.models import Agent, ApiToken, Role, Team
from parley.connectors.actions import save_channel
from parley.connectors.base import InboundMessage
from parley.connectors.models import Channel
from parley.conversations.ingest import ingest_message
from parley.conversations.models import Message
from parley.customers.resolve import IdentityRef

_seq = itertools.count(1)
PASSWORD = "test-password-42"


def make_agent(role: str = Role.AGENT, name: str = "", teams: list[Team] = ()) -> Agent:
    n = next(_seq)
    agent = create_agent(
        email=f"agent{n}@example.com", password=PASSWORD, name=name or f"Agent {n}", role=role
    )
    for team in teams:
        team.members.add(agent)
    return agent


def make_team(name: str = "", members: list[Agent] = ()) -> Team:
    return save_team(None, name=name or f"Team {next(_seq)}", member_ids=[m.pk for m in members])


def make_channel(kind: str = "api", **settings: object) -> Channel:
    return save_channel(None, kind=kind, name=f"{kind} channel {next(_seq)}", settings=settings)


def make_token(agent: Agent) -> str:
    return ApiToken.mint(agent, "test")[1]


def inbound(
    channel: Channel,
    text: str = "Hello, where is my order?",
    *,
    sender: str = "ann@example.com",
    kind: str = "email",
    thread: str | None = None,
    external_id: str | None = None,
    **extra: object,
) -> Message:
    event = InboundMessage(
        channel_id=channel.pk,
        external_id=external_id or f"ext-{next(_seq)}",
        thread_ref=thread if thread is not None else f"{kind}:{sender}",
        sender=IdentityRef(kind, sender, extra.pop("name", "")),  # type: ignore[arg-type]
        text=text,
        **extra,  # type: ignore[arg-type]
    )
    return ingest_message(event)
