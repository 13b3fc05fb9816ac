"""A rule sends a saved reply: filled in for the customer, in their language, never with a
value missing, and checked when the rule is saved."""

import pytest

from parley.automation.builder import Row, actions_from_rows, rows_from_rule
from parley.automation.effects import compile_actions
from parley.conversations.models import Direction
from parley.core.errors import InvalidInput
from parley.replies.models import SavedReply
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def welcome():
    return SavedReply.objects.create(
        title="Welcome",
        shortcut="welcome",
        bodies={
            "en": "Hi {{ customer.first_name }}, thanks for writing — we answer by 9:00.",
            "ko": "{{ customer.first_name }}님, 문의 감사합니다. 9시까지 답변드릴게요.",
        },
    )


def sent(conversation) -> list[str]:
    outbound = conversation.messages.filter(direction=Direction.OUTBOUND)
    return list(outbound.values_list("text", flat=True))


def test_the_saved_reply_goes_out_filled_in_and_in_the_customers_language(api_channel, welcome):
    [effect] = compile_actions([{"type": "send_saved_reply", "saved_reply": welcome.pk}])
    korean = factories.inbound(
        api_channel,
        "배송이 언제 되나요? 주문한 지 일주일이 됐어요",
        sender="k@example.com",
        name="김민지",
    ).conversation
    english = factories.inbound(
        api_channel, "When will my parcel arrive? It has been a week.", name="Ann Archer"
    ).conversation

    assert effect.apply(korean) == "sent the saved reply “Welcome”"
    assert effect.apply(english) == "sent the saved reply “Welcome”"
    assert sent(korean) == ["김민지님, 문의 감사합니다. 9시까지 답변드릴게요."]
    assert sent(english) == ["Hi Ann, thanks for writing — we answer by 9:00."]


def test_a_reply_with_a_value_missing_is_not_sent(api_channel):
    needs_agent = SavedReply.objects.create(
        title="Signed", bodies={"en": "Best, {{ agent.first_name }}"}
    )
    [effect] = compile_actions([{"type": "send_saved_reply", "saved_reply": needs_agent.pk}])
    conversation = factories.inbound(api_channel, "Hello there, a question").conversation

    assert effect.apply(conversation) == "no automatic reply: nothing to fill in agent.first_name"
    assert sent(conversation) == []


def test_only_shared_saved_replies_and_existing_ones_are_accepted(agent, welcome):
    mine = SavedReply.objects.create(title="Mine", bodies={"en": "hi"}, owner=agent)
    with pytest.raises(InvalidInput, match=r"actions\[0\]\.saved_reply: no such savedreply"):
        compile_actions([{"type": "send_saved_reply", "saved_reply": mine.pk}])
    with pytest.raises(InvalidInput, match=r"actions\[0\]\.saved_reply: an id"):
        compile_actions([{"type": "send_saved_reply", "saved_reply": "welcome"}])

    built = actions_from_rows([Row("send_saved_reply", "", "##welcome")])
    assert built == [{"type": "send_saved_reply", "saved_reply": welcome.pk}]
    assert rows_from_rule({}, built) == ("all", [], [Row("send_saved_reply", "", "welcome")])
    with pytest.raises(InvalidInput, match="no workspace saved reply"):
        actions_from_rows([Row("send_saved_reply", "", "Mine")])


def test_a_reply_longer_than_the_platform_takes_is_not_sent():
    long_one = SavedReply.objects.create(title="Essay", bodies={"en": "Thanks! " * 300})
    [effect] = compile_actions([{"type": "send_saved_reply", "saved_reply": long_one.pk}])
    channel = factories.make_channel("instagram", demo=True)
    comment = factories.inbound(
        channel, "Love it", sender="ig-1", kind="instagram", thread="comment:media-1:c-1"
    ).conversation

    assert effect.apply(comment) == (
        "no automatic reply: longer than an Instagram comment takes (2200 characters)"
    )
    assert sent(comment) == []
