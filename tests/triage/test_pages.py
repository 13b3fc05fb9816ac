"""What agents see of the score: the conversation explains it, the inbox sorts by it, the
rule builder offers the triage conditions."""

import re

from parley.automation.models import Rule
from parley.conversations.models import Conversation
from parley.triage.priority import rescore_conversation
from tests import factories


def test_the_conversation_page_says_why_this_priority(web, api_channel):
    conversation = factories.inbound(
        api_channel, "URGENT: refund now, 환불해 주세요!!!", sender="vip@example.com"
    ).conversation
    conversation.customer.attributes = {"vip": True}
    conversation.customer.save()
    rescore_conversation(conversation.pk)
    conversation.refresh_from_db()

    page = web.get(f"/c/{conversation.pk}/").content.decode()
    assert f"Score {conversation.priority_score}" in page
    assert "Why this priority" in page
    assert "urgent words: urgent, refund, 환불, !!! (+25)" in page
    assert "VIP customer (+15)" in page
    live = web.get(f"/c/{conversation.pk}/live/").content.decode()
    assert "VIP customer (+15)" in live  # pushes refresh it


def test_a_calm_conversation_says_nothing_raises_it(web, api_channel):
    conversation = factories.inbound(api_channel, "Hello there").conversation
    page = web.get(f"/c/{conversation.pk}/").content.decode()
    assert "Score 0" in page and "Nothing raises it" in page


def test_the_inbox_sorts_by_score(web, api_channel):
    low, high, middle = (
        factories.inbound(api_channel, "Hi", sender=f"{n}@example.com").conversation
        for n in range(3)
    )
    for conversation, value in ((low, 5), (high, 80), (middle, 40)):
        Conversation.objects.filter(pk=conversation.pk).update(priority_score=value)
    page = web.get("/inbox/all/?sort=score").content.decode()
    ids = [int(n) for n in re.findall(r'data-id="(\d+)"', page)]
    assert ids == [high.pk, middle.pk, low.pk]
    assert 'value="score" selected' in page
    assert '<small class="score" title="Priority score">80</small>' in page


def test_the_builder_offers_language_sentiment_followers_and_score(client, admin):
    client.force_login(admin)
    form = client.get("/settings/rules/new/").content.decode()
    for field in ("language", "sentiment", "followers", "priority_score"):
        assert f'<option value="{field}">' in form
    saved = client.post(
        "/settings/rules/new/",
        {
            "name": "Unhappy Korean influencers", "trigger": "message_received",
            "match": "all", "position": "0",
            "field_0": "language", "op_0": "in", "value_0": "KO, en",
            "field_1": "sentiment", "op_1": "is", "value_1": "Negative",
            "field_2": "followers", "op_2": "gte", "value_2": "10000",
            "field_3": "priority_score", "op_3": "gt", "value_3": "50",
            "action_0": "add_tags", "action_value_0": "escalate",
        },
    )  # fmt: skip
    assert saved.status_code == 302
    assert Rule.objects.get().conditions == {
        "all": [
            {"field": "language", "op": "in", "value": ["ko", "en"]},
            {"field": "sentiment", "op": "is", "value": "negative"},
            {"field": "followers", "op": "gte", "value": 10000.0},
            {"field": "priority_score", "op": "gt", "value": 50.0},
        ]
    }
    refused = client.post(
        "/settings/rules/new/",
        {
            "name": "Bad", "trigger": "message_received", "match": "all", "position": "0",
            "field_0": "sentiment", "op_0": "is", "value_0": "furious",
            "action_0": "add_tags", "action_value_0": "x",
        },
    )  # fmt: skip
    assert refused.status_code == 400
    assert "one of negative, neutral, positive" in refused.content.decode()
