"""SLA clocks through the real actions and ingest: start, replies, pauses, priority, breach."""

from datetime import datetime, timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer

from parley.automation.business_time import add_business_time, schedule_from
from parley.automation.models import BusinessHours
from parley.conversations import actions
from parley.conversations.models import Conversation, EntryKind, Priority, Status
from parley.realtime import groups
from parley.sla.models import ConversationSla, SlaPolicy
from parley.sla.tracking import mark_breaches
from tests import factories

pytestmark = pytest.mark.django_db
MINUTE = timedelta(minutes=1)
OFFICE = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def policy(name: str = "Standard", **extra) -> SlaPolicy:
    fields = {
        "first_response_minutes": 60,
        "next_response_minutes": 30,
        "resolution_minutes": 480,
        "business_hours": False,
    }
    return SlaPolicy.objects.create(name=name, **{**fields, **extra})


def write(channel, commit, text: str = "Where is my parcel?", sender: str = "ann@example.com"):
    with commit():
        message = factories.inbound(channel, text, sender=sender)
    return message


def sla_of(conversation: Conversation) -> ConversationSla:
    return ConversationSla.objects.get(conversation=conversation)


@pytest.fixture
def channel(db):
    return factories.make_channel("api")


@pytest.fixture
def conversation(channel, commit):
    policy()
    return Conversation.objects.get(pk=write(channel, commit).conversation_id)


def test_a_new_conversation_gets_its_first_response_and_resolution_due_times(conversation):
    sla = sla_of(conversation)

    assert sla.policy.name == "Standard"
    assert sla.started_at == conversation.created_at
    assert sla.first_response_due_at == conversation.created_at + 60 * MINUTE
    assert sla.resolution_due_at == conversation.created_at + 480 * MINUTE
    assert sla.next_response_due_at is None
    assert sla.next_due_at == sla.first_response_due_at
    assert sla.breached_at is None


def test_replies_meet_targets_and_a_customer_message_after_one_starts_the_next(
    conversation, channel, agent, commit
):
    with commit():
        reply = actions.send_reply(agent, conversation, "Looking into it.")
    sla = sla_of(conversation)
    assert sla.first_response_met_at == conversation_of(reply).first_response_at
    assert sla.next_due_at == sla.resolution_due_at  # only resolution is left

    again = write(channel, commit, "Any news?")
    sla = sla_of(conversation)
    assert sla.next_response_started_at == again.created_at
    assert sla.next_response_due_at == again.created_at + 30 * MINUTE
    assert sla.next_due_at == sla.next_response_due_at

    write(channel, commit, "Hello??")  # no reply in between: the same clock runs on
    assert sla_of(conversation).next_response_started_at == again.created_at

    with commit():
        actions.send_reply(agent, conversation, "It ships today.")
    sla = sla_of(conversation)
    assert sla.next_response_met_at is not None
    assert sla.next_due_at == sla.resolution_due_at


def test_pending_stops_the_clocks_and_open_resumes_them_with_the_time_left(
    conversation, agent, commit
):
    with commit():
        actions.set_status(agent, conversation, Status.PENDING)
    sla = sla_of(conversation)
    assert sla.paused and sla.next_due_at is None
    assert sla.first_response_due_at is None  # still to come when the clock runs again

    with commit():
        actions.set_status(agent, conversation, Status.OPEN)
    sla = sla_of(conversation)
    ((began, ended),) = sla.pauses
    stood_still = datetime_of(ended) - datetime_of(began)
    assert not sla.paused
    assert sla.first_response_due_at == conversation.created_at + 60 * MINUTE + stood_still
    assert sla.next_due_at == sla.first_response_due_at


def test_a_customer_message_reopens_a_pending_conversation_and_its_clocks(
    conversation, channel, agent, commit
):
    with commit():
        actions.send_reply(agent, conversation, "Could you send the order number?")
        actions.set_status(agent, conversation, Status.PENDING)
    message = write(channel, commit, "It is 1042.")

    sla = sla_of(conversation)
    assert not sla.paused
    assert datetime_of(sla.pauses[0][1]) == message.created_at
    assert sla.next_response_due_at == message.created_at + 30 * MINUTE


def test_resolving_meets_the_resolution_target_and_reopening_goes_on_where_it_stopped(
    conversation, channel, agent, commit
):
    with commit():
        actions.send_reply(agent, conversation, "Done, refunded.")
        actions.set_status(agent, conversation, Status.RESOLVED)
    sla = sla_of(conversation)
    assert sla.resolution_met_at is not None
    assert sla.next_due_at is None

    write(channel, commit, "It did not arrive.")
    sla = sla_of(conversation)
    ((began, ended),) = sla.pauses
    assert sla.resolution_met_at is None
    stood_still = datetime_of(ended) - datetime_of(began)
    assert sla.resolution_due_at == conversation.created_at + 480 * MINUTE + stood_still


def test_a_priority_change_picks_the_matching_policy_from_the_original_start(
    conversation, agent, commit
):
    policy("Urgent", priorities=[Priority.URGENT], first_response_minutes=15, position=0)
    SlaPolicy.objects.filter(name="Standard").update(position=1)

    with commit():
        actions.set_priority(agent, conversation, Priority.URGENT)
    sla = sla_of(conversation)
    assert sla.policy.name == "Urgent"
    assert sla.first_response_due_at == conversation.created_at + 15 * MINUTE

    with commit():
        actions.set_priority(agent, conversation, Priority.LOW)
    assert sla_of(conversation).first_response_due_at == conversation.created_at + 60 * MINUTE


def test_policies_apply_by_channel_kind_and_none_means_no_clocks(commit):
    policy("WhatsApp only", channel_kinds=["whatsapp"])
    api = factories.make_channel("api")
    first = write(api, commit).conversation
    assert not ConversationSla.objects.filter(conversation=first).exists()

    policy("API and email", channel_kinds=["email", "api"], position=1)
    second = write(api, commit, sender="bo@example.com").conversation
    assert sla_of(second).policy.name == "API and email"


def test_business_hours_of_the_team_count(channel, commit):
    team = factories.make_team("Care")
    BusinessHours.objects.create(name="Seoul", team=team, time_zone="Asia/Seoul", week=OFFICE)
    channel.team = team
    channel.save()
    policy(business_hours=True)

    conversation = write(channel, commit).conversation
    schedule = schedule_from("Asia/Seoul", OFFICE)
    due = add_business_time(schedule, conversation.created_at, 3600)
    assert sla_of(conversation).first_response_due_at == due


def test_the_periodic_check_marks_a_breach_once_on_the_timeline_and_pushes(
    conversation, agent, commit, settings
):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends = {}
    layer = get_channel_layer()
    listener = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(groups.STAFF, listener)
    due = sla_of(conversation).first_response_due_at

    assert mark_breaches(now=due - MINUTE) == 0
    with commit():
        assert mark_breaches(now=due + MINUTE) == 1
    with commit():
        assert mark_breaches(now=due + 2 * MINUTE) == 0

    sla = sla_of(conversation)
    assert sla.first_response_breached_at == due
    assert sla.breached_at == due
    assert sla.next_due_at == due  # still late, still unmet
    entry = conversation.timeline.get(kind=EntryKind.RULE_FIRED)
    assert entry.actor_label == "sla: Standard"
    assert entry.data["target"] == "first_response"
    assert async_to_sync(layer.receive)(listener) == {
        "type": "push",
        "kind": "sla",
        "conversation_id": conversation.pk,
    }
    channel_layers.backends = {}

    with commit():
        actions.send_reply(agent, conversation, "Sorry for the wait.")
    sla = sla_of(conversation)
    assert sla.breached_at == due  # history stays
    assert sla.next_due_at == sla.resolution_due_at


def test_the_check_sees_a_reply_recorded_elsewhere_before_calling_a_breach(conversation):
    # A reply from the platform's own app sets first_response_at without the SLA hook.
    due = sla_of(conversation).first_response_due_at
    Conversation.objects.filter(pk=conversation.pk).update(first_response_at=due - MINUTE)

    assert mark_breaches(now=due + MINUTE) == 0
    assert sla_of(conversation).first_response_met_at == due - MINUTE


def test_nothing_is_tracked_while_no_policy_is_enabled(channel, commit):
    policy(enabled=False)
    conversation = write(channel, commit).conversation
    assert not ConversationSla.objects.filter(conversation=conversation).exists()


def test_a_conversation_open_before_the_policy_counts_from_the_policy(channel, agent, commit):
    conversation = write(channel, commit).conversation
    standard = policy()
    Conversation.objects.filter(pk=conversation.pk).update(
        created_at=standard.created_at - timedelta(days=3)
    )
    write(channel, commit, "Hello again")

    assert sla_of(conversation).started_at == standard.created_at


def datetime_of(value: str) -> datetime:
    return datetime.fromisoformat(value)


def conversation_of(message) -> Conversation:
    return Conversation.objects.get(pk=message.conversation_id)
