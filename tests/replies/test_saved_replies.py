"""Saved replies: who may use and change which, the customer's language variant, the latest
order's values, and usage counted."""

import pytest

from parley.accounts.models import Role
from parley.core.errors import InvalidInput, PermissionDenied
from parley.customers.actions import update_customer
from parley.replies.actions import save_saved_reply, use_saved_reply
from parley.replies.models import SavedReply
from parley.replies.queries import may_change, search_replies, usable_replies
from tests.factories import inbound, make_agent, make_team

from .conftest import make_order, make_reply

pytestmark = pytest.mark.django_db

SHIPPING = (
    "Hi {{ customer.first_name }}, order #{{ order.number }} is {{ order.status }}: "
    "{{ order.tracking_url }} — {{ agent.first_name }}"
)


def test_a_reply_is_filled_from_the_named_order_and_counted(agent, conversation):
    make_order(conversation, "1041", day=1, url="https://track.example/1041")
    named = make_order(conversation, "1042", day=2, url="https://track.example/1042")
    make_order(conversation, "1043", day=3, url="https://track.example/1043")
    conversation.orders.add(named)
    reply = make_reply(agent, SHIPPING)

    text = use_saved_reply(agent, conversation, reply)

    assert text == "Hi Ann, order #1042 is fulfilled: https://track.example/1042 — Sam"
    reply.refresh_from_db()
    assert reply.usage_count == 1 and reply.last_used_at is not None


def test_without_a_named_order_the_latest_is_used_and_missing_values_show(agent, conversation):
    make_order(conversation, "1041", day=1, url="https://track.example/1041")
    make_order(conversation, "1043", day=3)  # no tracking yet
    reply = make_reply(agent, SHIPPING)

    text = use_saved_reply(agent, conversation, reply)

    assert "order #1043 is fulfilled: [order.tracking_url]" in text


@pytest.mark.parametrize(
    ("stated", "message", "expected"),
    [
        ("ko", "Where is my parcel?", "안녕하세요 Ann님"),
        ("", "안녕하세요, 주문한 물건이 아직 안 왔어요", "안녕하세요 Ann님"),
        ("", "Where is my parcel? It has not arrived yet.", "Hello Ann"),
        ("fr", "Où est mon colis ?", "Hello Ann"),
    ],
    ids=["profile_case", "detected_case", "english_case", "fallback_case"],
)
def test_the_variant_in_the_customers_language_is_picked(
    agent, api_channel, stated, message, expected
):
    conversation = inbound(api_channel, message, sender="ann@example.com", name="Ann").conversation
    if stated:
        update_customer(conversation.customer, attributes={"language": stated})
    bodies = {
        "en": "Hello {{ customer.first_name }}",
        "ko": "안녕하세요 {{ customer.first_name }}님",
    }
    reply = make_reply(agent, bodies=bodies, default_language="en")

    assert use_saved_reply(agent, conversation, reply) == expected


def test_personal_team_and_workspace_replies_reach_the_right_agents(db):
    lead = make_agent(Role.LEAD)
    team = make_team()
    member, outsider = make_agent(teams=[team]), make_agent()
    personal = make_reply(member)
    team_reply = make_reply(lead, scope="team", team=team)
    everyone = make_reply(lead, scope="workspace")

    assert set(usable_replies(member)) == {personal, team_reply, everyone}
    assert set(usable_replies(outsider)) == {everyone}
    assert set(usable_replies(lead)) == {team_reply, everyone}  # not others' personal ones
    assert may_change(member, personal) and not may_change(member, team_reply)
    assert may_change(lead, everyone) and not may_change(lead, personal)


def test_an_agent_cannot_make_a_team_or_workspace_reply(agent):
    with pytest.raises(PermissionDenied):
        make_reply(agent, scope="workspace")

    assert not SavedReply.objects.exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"bodies": {"en": "Hi {{ customer.password }}"}}, "unknown_variable"),
        ({"bodies": {"english": "Hi"}}, "language"),
        ({"bodies": {"en": "  "}}, "bodies"),
        ({"bodies": {"en": "Hi"}, "default_language": "ko"}, "default_language"),
        ({"shortcut": "two words"}, "shortcut"),
        ({"tags": ["x" * 41]}, "tags"),
        ({"title": "  "}, "invalid"),
        ({"scope": "galaxy"}, "scope"),
    ],
    ids=["variable", "language", "empty", "default", "shortcut", "tags", "title", "scope"],
)
def test_bad_fields_are_refused_naming_the_problem(agent, fields, code):
    with pytest.raises(InvalidInput) as refused:
        make_reply(agent, **fields)

    assert refused.value.code == code


def test_search_finds_by_shortcut_title_or_tag_shortcut_first(agent):
    by_title = make_reply(agent, title="Where is my shipment", shortcut="where")
    by_shortcut = make_reply(agent, title="Tracking update", shortcut="ship")
    by_tag = make_reply(agent, title="Delay", tags=["Shipping"])
    make_reply(agent, title="Refund", shortcut="refund")

    found = search_replies(agent, "ship")

    assert found[0] == by_shortcut and set(found) == {by_title, by_shortcut, by_tag}
    assert by_tag.tags == ["shipping"]


def test_saving_again_replaces_the_fields(agent):
    reply = make_reply(agent, shortcut="##Ship")

    save_saved_reply(
        agent, reply, title="Shipping update", bodies={"ko": "배송"}, default_language="ko"
    )

    reply.refresh_from_db()
    assert (reply.title, reply.shortcut, reply.bodies) == ("Shipping update", "", {"ko": "배송"})


def test_the_demo_replies_have_english_and_korean_variants(db):
    from parley.replies.demo import load_demo_replies

    lead = make_agent(Role.LEAD, name="Priya Shah")
    load_demo_replies(lead, make_team())

    replies = SavedReply.objects.all()
    assert replies.count() == 3
    assert all(set(reply.bodies) == {"en", "ko"} for reply in replies)
    assert search_replies(lead, "ship")[0].title == "Shipping update"
