"""Social reach: Instagram's User Profile API gives a new customer's follower count with
the name, in the same call (fake Graph API over real HTTP); the score counts it."""

from parley.conversations.models import Message
from parley.customers.models import Customer
from tests.connectors.conftest import IG_ID, deliver, graph, instagram  # noqa: F401
from tests.fakes import meta_webhooks as hooks

IGSID = "7000000000000042"
OTHER = "7000000000000043"


def test_a_new_instagram_customer_brings_their_follower_count(instagram, deliver, graph):  # noqa: F811
    graph.objects[IGSID] = {"name": "Minji", "username": "minji.shop", "follower_count": 48000}
    graph.objects[OTHER] = {"name": "Jun"}  # no count: an older API version, or none given
    payload = hooks.instagram_payload(
        hooks.messaging_entry(
            IG_ID,
            hooks.text_event(IG_ID, IGSID, "ig_1", "Where is my order?"),
            hooks.text_event(IG_ID, OTHER, "ig_2", "Where is my order?"),
        )
    )
    assert deliver(instagram, payload).status_code == 200

    asked = graph.calls(IGSID, "GET")[0].query["fields"].split(",")
    assert "follower_count" in asked and "name" in asked
    assert Customer.objects.get(name="Minji").attributes == {"followers": 48000}
    assert Customer.objects.get(name="Jun").attributes == {}
    conversation = Message.objects.get(external_id="ig_1").conversation
    # 48,000 is 56 % of the way from 1,000 to 1,000,000 on a log scale: 6 of 10 points.
    assert {"signal": "followers", "points": 6, "value": 48000} in conversation.priority_why

    # Known people are not looked up again.
    again = hooks.messaging_entry(IG_ID, hooks.text_event(IG_ID, IGSID, "ig_3", "Hello?"))
    deliver(instagram, hooks.instagram_payload(again))
    assert len(graph.calls(IGSID, "GET")) == 1
