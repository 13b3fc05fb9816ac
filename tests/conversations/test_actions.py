"""What agents do to a conversation, each recorded on the timeline."""

import pytest

from parley.conversations import actions
from parley.conversations.models import DeliveryStatus, EntryKind, Priority, Status
from parley.core.errors import InvalidInput
from tests.factories import inbound, make_agent, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(api_channel):
    return inbound(api_channel, "My parcel never arrived").conversation


def test_reply_answers_the_customer_and_stops_the_wait(agent, conversation, commit):
    with commit():
        message = actions.send_reply(agent, conversation, "Sorry! Checking now.")

    conversation.refresh_from_db()
    message.refresh_from_db()
    assert conversation.status == Status.OPEN
    assert conversation.first_response_at is not None
    assert conversation.waiting_since is None
    assert message.status == DeliveryStatus.SENT  # API channel without callback: kept for polling
    entry = conversation.timeline.get(kind=EntryKind.REPLY_SENT)
    assert entry.actor == agent
    assert entry.message == message


def test_first_response_time_is_kept_from_the_first_reply(agent, conversation, commit):
    with commit():
        actions.send_reply(agent, conversation, "one")
    first = type(conversation).objects.get(pk=conversation.pk).first_response_at
    with commit():
        actions.send_reply(agent, conversation, "two")

    assert type(conversation).objects.get(pk=conversation.pk).first_response_at == first


def test_note_is_recorded_and_never_queued_for_delivery(agent, conversation, commit):
    with commit():
        note = actions.add_note(agent, conversation, "VIP, be nice")

    assert note.status == ""
    assert conversation.timeline.get(kind=EntryKind.NOTE_ADDED).message == note
    conversation.refresh_from_db()
    assert conversation.first_response_at is None


def test_handoff_records_who_what_and_the_note(agent, conversation):
    colleague = make_agent(name="Kim")
    actions.assign_conversation(agent, conversation, assignee=agent, team=None)

    actions.assign_conversation(
        agent, conversation, assignee=colleague, team=None, note="Refund approved, send label"
    )

    entry = conversation.timeline.get(kind=EntryKind.HANDOFF)
    assert entry.actor == agent
    assert entry.data["from_agent"] == str(agent)
    assert entry.data["assignee"] == "Kim"
    assert entry.data["note"] == "Refund approved, send label"


def test_first_assignment_without_a_note_is_a_plain_assignment(agent, conversation):
    actions.assign_conversation(agent, conversation, assignee=agent, team=None)

    assert conversation.timeline.filter(kind=EntryKind.ASSIGNED).count() == 1
    assert not conversation.timeline.filter(kind=EntryKind.HANDOFF).exists()


def test_assigning_to_an_agent_outside_the_team_is_refused(agent, conversation):
    team = make_team("Wholesale")

    with pytest.raises(InvalidInput, match="not a member"):
        actions.assign_conversation(agent, conversation, assignee=agent, team=team)


def test_status_priority_and_tags_are_on_the_timeline(agent, conversation):
    actions.set_status(agent, conversation, Status.PENDING)
    actions.set_priority(agent, conversation, Priority.URGENT)
    actions.set_tags(agent, conversation, ["Refund", "shipping"])
    actions.set_tags(agent, conversation, ["refund"])

    kinds = list(conversation.timeline.values_list("kind", flat=True))
    assert kinds[-4:] == [
        EntryKind.STATUS_CHANGED,
        EntryKind.PRIORITY_CHANGED,
        EntryKind.TAGS_CHANGED,
        EntryKind.TAGS_CHANGED,
    ]
    last = conversation.timeline.last()
    assert last.data == {"added": [], "removed": ["shipping"]}
    assert sorted(conversation.tags.values_list("name", flat=True)) == ["refund"]


def test_unchanged_values_record_nothing(agent, conversation):
    before = conversation.timeline.count()
    actions.set_priority(agent, conversation, conversation.priority)
    actions.set_tags(agent, conversation, [])

    assert conversation.timeline.count() == before


def test_closed_is_final(agent, conversation):
    actions.set_status(agent, conversation, Status.CLOSED)

    with pytest.raises(InvalidInput):
        actions.set_status(agent, conversation, Status.OPEN)


def test_resolving_stamps_resolved_at(agent, conversation):
    actions.set_status(agent, conversation, Status.RESOLVED)

    assert conversation.resolved_at is not None
    assert conversation.waiting_since is None


@pytest.mark.parametrize(
    ("steps", "final"),
    [
        (["sent", "delivered", "read"], "read"),
        (["sent", "read", "delivered"], "read"),
        (["sent", "failed", "read"], "failed"),
        (["read", "sent"], "read"),
    ],
)
def test_delivery_status_only_moves_forward(agent, conversation, steps, final):
    message = actions.send_reply(agent, conversation, "hi")  # not delivered: no commit
    for step in steps:
        actions.record_delivery_status(message.pk, step, reason="boom")

    message.refresh_from_db()
    assert message.status == final
