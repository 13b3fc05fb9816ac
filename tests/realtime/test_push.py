"""Pushes reach exactly the agents allowed to see the conversation, over a real socket."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers
from channels.testing.websocket import WebsocketCommunicator

from parley.accounts.models import Role
from parley.conversations import actions
from parley.realtime.consumers import AgentConsumer
from tests.factories import inbound, make_agent, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends = {}
    yield
    channel_layers.backends = {}


@pytest.fixture
def redis_layer(settings, redis_url):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url]},
        }
    }
    channel_layers.backends = {}
    yield
    channel_layers.backends = {}


async def connect(agent):
    communicator = WebsocketCommunicator(AgentConsumer.as_asgi(), "/ws/agent/")
    communicator.scope["user"] = agent
    # Generous: the first connection to a real Redis on a loaded CI machine takes a while.
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    return communicator


async def received(communicator, timeout=2.0):
    """The next push, or None when nothing arrives in time (without killing the socket)."""
    if await communicator.receive_nothing(timeout=timeout, interval=0.02):
        return None
    return await communicator.receive_json_from()


def ingest_in_team(channel, team):
    conversation = inbound(channel, "new question").conversation
    if team is not None:
        conversation.team = team
        conversation.save()
    return conversation


def run_scenario(api_channel, commit):
    care, sales = make_team("Care"), make_team("Sales")
    carer = make_agent(Role.AGENT, teams=[care])
    seller = make_agent(Role.AGENT, teams=[sales])
    lead = make_agent(Role.LEAD)
    conversation = ingest_in_team(api_channel, care)

    async def scenario():
        sockets = [await connect(a) for a in (carer, seller, lead)]

        def note():
            with commit():
                actions.add_note(lead, conversation, "internal only")

        await sync_to_async(note)()
        results = [await received(s, timeout=1.0) for s in sockets]
        for s in sockets:
            await s.disconnect()
        return results

    return conversation, async_to_sync(scenario)()


def test_push_goes_to_the_team_and_staff_not_to_other_teams(layer, api_channel, commit):
    conversation, (carer, seller, lead) = run_scenario(api_channel, commit)

    assert carer == {"kind": "message", "conversation_id": conversation.pk}
    assert lead == {"kind": "message", "conversation_id": conversation.pk}
    assert seller is None


def test_pushes_never_carry_message_text(layer, api_channel, commit):
    _, results = run_scenario(api_channel, commit)

    assert all("internal only" not in str(r) for r in results)


def test_pushes_cross_processes_through_redis(redis_layer, api_channel, commit):
    conversation, (carer, seller, _lead) = run_scenario(api_channel, commit)

    assert carer == {"kind": "message", "conversation_id": conversation.pk}
    assert seller is None


def test_anonymous_sockets_are_refused(layer):
    from django.contrib.auth.models import AnonymousUser

    async def scenario():
        communicator = WebsocketCommunicator(AgentConsumer.as_asgi(), "/ws/agent/")
        communicator.scope["user"] = AnonymousUser()
        connected, code = await communicator.connect()
        return connected, code

    assert async_to_sync(scenario)() == (False, 4401)


# Committed for real: the consumer's database calls close the thread's connection after them.
@pytest.mark.django_db(transaction=True)
def test_an_open_workspace_page_marks_its_agent_seen(layer):
    from datetime import timedelta

    from django.utils import timezone

    agent = make_agent(Role.AGENT)
    assert agent.last_seen_at is None

    async def scenario():
        socket = await connect(agent)
        await socket.disconnect()

    async_to_sync(scenario)()
    agent.refresh_from_db()
    assert timezone.now() - agent.last_seen_at < timedelta(seconds=30)
