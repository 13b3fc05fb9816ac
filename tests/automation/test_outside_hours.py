"""The channel's outside-hours reply: once per conversation per closed period, never to a
machine, and never together with the acknowledgement."""

from datetime import UTC, datetime

import pytest

from parley.automation.models import BusinessHours
from parley.automation.outside_hours import reply_outside_hours
from parley.conversations.models import Direction, Message
from tests import factories

CLOSED = "We're closed; we answer from 9:00."
THANKS = "Thanks, we got your message."


def automatic_replies(conversation) -> list[str]:
    return list(
        conversation.messages.filter(direction=Direction.OUTBOUND).values_list("text", flat=True)
    )


@pytest.fixture
def channel(db):
    return factories.make_channel("api", outside_hours_reply=CLOSED, acknowledgement=THANKS)


def closed_today():
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.now().date()
    holidays = [(today + timedelta(days=d)).isoformat() for d in (-1, 0, 1)]
    BusinessHours.objects.create(
        name="Office", time_zone="UTC", week={"mon": [["09:00", "18:00"]]}, holidays=holidays
    )


def test_a_message_while_closed_gets_the_reply_once_instead_of_the_acknowledgement(channel, commit):
    closed_today()
    with commit():
        conversation = factories.inbound(channel, "Hello?", sender="a@example.com").conversation
    with commit():
        factories.inbound(channel, "Anyone there?", sender="a@example.com")
    assert automatic_replies(conversation) == [CLOSED]
    entry = conversation.timeline.get(message__direction=Direction.OUTBOUND)
    assert entry.actor_label == "outside_hours"


def test_while_open_only_the_acknowledgement_goes(channel, commit):
    # Without business hours Parley counts as always open.
    with commit():
        conversation = factories.inbound(channel, "Hello", sender="b@example.com").conversation
    assert automatic_replies(conversation) == [THANKS]


def test_a_machine_gets_no_reply(channel, commit):
    closed_today()
    with commit():
        message = factories.inbound(channel, "I am out of office", automatic=True)
    assert automatic_replies(message.conversation) == []


def at(message: Message, moment: datetime) -> Message:
    Message.objects.filter(pk=message.pk).update(created_at=moment)
    message.refresh_from_db()
    return message


def test_one_reply_per_closed_period(channel):
    # Open Mondays 09:00-18:00 UTC; 2026-03-01 is a Sunday.
    BusinessHours.objects.create(name="Office", time_zone="UTC", week={"mon": [["09:00", "18:00"]]})
    first = factories.inbound(channel, "Sunday morning", sender="c@example.com")
    conversation = first.conversation
    said = [
        reply_outside_hours(at(first, datetime(2026, 3, 1, 10, tzinfo=UTC))),
        reply_outside_hours(
            at(factories.inbound(channel, "Sunday noon", sender="c@example.com"),
               datetime(2026, 3, 1, 12, tzinfo=UTC))
        ),
        reply_outside_hours(
            at(factories.inbound(channel, "Monday 10:00", sender="c@example.com"),
               datetime(2026, 3, 2, 10, tzinfo=UTC))
        ),
        reply_outside_hours(
            at(factories.inbound(channel, "Monday night", sender="c@example.com"),
               datetime(2026, 3, 2, 20, tzinfo=UTC))
        ),
    ]  # fmt: skip
    assert said == [
        "sent",
        "already answered in this closed period",
        "open, or no reply set",
        "sent",
    ]
    assert conversation.messages.filter(details__automatic=True).count() == 2
    # Our own automatic reply is never answered.
    reply = conversation.messages.filter(details__automatic=True).first()
    assert reply_outside_hours(reply) == "not a customer's message"


def test_the_reply_is_set_in_the_channel_form(db):
    from parley.connectors.admin import ChannelForm
    from parley.connectors.models import Channel

    form = ChannelForm(
        data={
            "kind": "webform",
            "name": "Contact",
            "active": "on",
            "outside_hours_reply": " Back at 9. ",
        }
    )
    assert form.is_valid(), form.errors
    channel = Channel.objects.get(pk=form.save().pk)
    assert channel.settings["outside_hours_reply"] == "Back at 9."
    assert ChannelForm(instance=channel).initial["outside_hours_reply"] == "Back at 9."
