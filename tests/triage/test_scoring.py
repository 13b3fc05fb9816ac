"""Scores from the database: computed after each customer message, again as waiting grows,
read by rules, with weights and urgency words edited in Settings."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from parley.automation.models import Rule
from parley.conversations.models import Conversation, Status
from parley.customers.models import Order
from parley.sla.models import ConversationSla
from parley.triage.models import PrioritySettings
from parley.triage.priority import rescore_conversation, rescore_waiting
from tests import factories


def reasons(conversation: Conversation) -> dict[str, int]:
    conversation.refresh_from_db()
    return {reason["signal"]: reason["points"] for reason in conversation.priority_why}


def test_a_customer_message_is_scored_once_stored(db, commit):
    api = factories.make_channel("api")
    with commit():
        calm = factories.inbound(api, "Hi, what are your opening hours?").conversation
    calm.refresh_from_db()
    assert (calm.priority_score, calm.priority_why) == (0, [])

    with commit():
        angry = factories.inbound(
            api, "URGENT!!! I want a refund, this is the worst. 환불해 주세요", sender="b@x.org"
        ).conversation
    angry.refresh_from_db()
    assert reasons(angry) == {"urgency": 25, "negative": 17}
    assert angry.priority_score == 42
    urgency = angry.priority_why[0]
    assert urgency["value"] == ["urgent", "refund", "환불", "!!!"]


def test_customer_value_reach_waiting_and_sla_add_up(db):
    api = factories.make_channel("api")
    conversation = factories.inbound(api, "Where is my parcel?").conversation
    customer = conversation.customer
    customer.attributes = {"vip": True, "followers": 250_000}
    customer.save()
    for n in range(4):
        Order.objects.create(
            customer=customer, source="shopify:1", external_id=str(n), number=f"#{n}",
            currency="KRW", total=Decimal("100.00"), financial_status="paid",
        )  # fmt: skip
    Order.objects.create(
        customer=customer, source="shopify:1", external_id="r", number="#r",
        currency="KRW", total=Decimal("900.00"), financial_status="refunded",
    )  # fmt: skip
    now = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(waiting_since=now - timedelta(hours=2))
    ConversationSla.objects.create(
        conversation=conversation, started_at=now, next_due_at=now + timedelta(minutes=60)
    )
    assert rescore_conversation(conversation.pk, now=now)
    assert reasons(conversation) == {
        "vip": 15,
        "followers": 8,  # 250,000 is 80 % of the way from 1,000 to 1,000,000
        "orders": 5,  # 5 orders of 10, the refunded one too
        "lifetime_value": 4,  # 400 paid (the refund is not value) of 1,000
        "waiting": 8,  # 2 of 4 hours
        "sla": 19,  # due in 60 of 240 minutes
    }
    assert conversation.priority_score == 59
    assert not rescore_conversation(conversation.pk, now=now)  # nothing changed


def test_weights_and_words_come_from_the_settings(db):
    api = factories.make_channel("api")
    conversation = factories.inbound(api, "Bitte dringend antworten").conversation
    rescore_conversation(conversation.pk)
    assert reasons(conversation) == {}
    PrioritySettings(urgency_words={"de": ["dringend"]}, urgency_points=50).save()
    rescore_conversation(conversation.pk)
    assert reasons(conversation) == {"urgency": 30}  # one word: 60 % of 50


def test_only_unanswered_messages_count(db):
    api = factories.make_channel("api")
    conversation = factories.inbound(api, "URGENT refund please!!!").conversation
    rescore_conversation(conversation.pk)
    assert "urgency" in reasons(conversation)
    conversation.last_agent_message_at = timezone.now()
    conversation.save()
    factories.inbound(api, "Thanks, all good now")
    rescore_conversation(conversation.pk)
    assert reasons(conversation) == {}


def test_the_periodic_pass_moves_waiting_scores_by_bands(db):
    api = factories.make_channel("api")
    waiting = factories.inbound(api, "Hello?").conversation
    answered = factories.inbound(api, "Hello", sender="other@x.org").conversation
    Conversation.objects.filter(pk=answered.pk).update(waiting_since=None)
    closed = factories.inbound(api, "Bye", sender="gone@x.org").conversation
    Conversation.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    start = Conversation.objects.get(pk=waiting.pk).waiting_since

    # 30 minutes of 4 hours is 2 points: the same band of 5 as the stored 0, left alone.
    assert rescore_waiting(start + timedelta(minutes=30)) == 0
    assert rescore_waiting(start + timedelta(minutes=80)) == 1  # 5 points: a new band
    assert Conversation.objects.get(pk=waiting.pk).priority_score == 5
    assert {c.priority_score for c in Conversation.objects.exclude(pk=waiting.pk)} == {0}


def test_rules_read_language_sentiment_followers_and_score(db, commit):
    api = factories.make_channel("api")
    Rule.objects.create(
        name="Unhappy Koreans", trigger="message_received",
        conditions={"all": [
            {"field": "language", "op": "in", "value": ["ko"]},
            {"field": "sentiment", "op": "is", "value": "negative"},
            {"field": "priority_score", "op": "gte", "value": 40},
        ]},
        actions=[{"type": "add_tags", "tags": ["unhappy-ko"]}],
    )  # fmt: skip
    Rule.objects.create(
        name="Influencers", trigger="message_received",
        conditions={"field": "followers", "op": "gte", "value": 10000},
        actions=[{"type": "add_tags", "tags": ["influencer"]}],
    )  # fmt: skip
    with commit():
        calm = factories.inbound(api, "배송 조회 부탁드립니다", sender="a@x.org").conversation
    with commit():
        angry = factories.inbound(
            api, "최악이에요!!! 결제가 안 돼요, 당장 환불해 주세요", sender="b@x.org"
        ).conversation
    assert not calm.tags.exists()
    assert list(angry.tags.values_list("name", flat=True)) == ["unhappy-ko"]

    customer = calm.customer
    customer.attributes = {"followers": 12000}
    customer.save()
    with commit():
        factories.inbound(api, "Any news?", sender="a@x.org")
    assert list(calm.tags.values_list("name", flat=True)) == ["influencer"]


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        ({"field": "language", "op": "is", "value": "Korean"}, "a two-letter language code"),
        ({"field": "language", "op": "in", "value": "ko"}, "a list of two-letter"),
        ({"field": "sentiment", "op": "is", "value": "angry"}, "negative, neutral, positive"),
        ({"field": "sentiment", "op": "in", "value": ["negative"]}, "one of is, is_not"),
        ({"field": "followers", "op": "gte", "value": "many"}, "a number"),
        ({"field": "priority_score", "op": "is", "value": 50}, "one of eq, gt"),
    ],
)
def test_bad_triage_conditions_are_refused_naming_the_part(admin, condition, problem):
    from tests.conftest import api_client

    answer = api_client(admin).post(
        "/api/v1/rules",
        {"name": "x", "trigger": "message_received", "conditions": condition,
         "actions": [{"type": "add_tags", "tags": ["x"]}]},
        content_type="application/json",
    )  # fmt: skip
    assert answer.status_code == 400
    assert problem in answer.json()["detail"]


def test_settings_are_edited_in_the_admin_with_errors_naming_the_bad_part(admin):
    from django.test import Client

    browser = Client()
    browser.force_login(admin)
    url = "/django-admin/triage/prioritysettings/add/"
    form = {
        "urgency_points": 30, "negative_points": 20, "vip_points": 15, "orders_points": 10,
        "lifetime_value_points": 10, "lifetime_value_full": "1000", "followers_points": 10,
        "waiting_points": 15, "sla_points": 25,
    }  # fmt: skip
    bad = browser.post(url, {**form, "urgency_words": '{"ko": ["긴급", ""]}'})
    assert bad.status_code == 200
    assert "urgency_words.ko[1]: a word of 1 to 60 characters" in bad.content.decode()
    too_much = browser.post(url, {**form, "vip_points": 500, "urgency_words": "{}"})
    assert "less than or equal to 100" in too_much.content.decode()
    assert not PrioritySettings.objects.exists()

    saved = browser.post(url, {**form, "urgency_words": '{"en": ["now"]}'})
    assert saved.status_code == 302
    assert PrioritySettings.current().urgency_words == {"en": ["now"]}
    assert PrioritySettings.current().urgency_points == 30
    assert browser.get(url).status_code == 403  # one set for the workspace


def test_a_reply_brings_the_score_down(db, commit, agent):
    from parley.conversations import actions

    api = factories.make_channel("api")
    with commit():
        conversation = factories.inbound(api, "URGENT refund please!!!").conversation
    Conversation.objects.filter(pk=conversation.pk).update(
        waiting_since=timezone.now() - timedelta(hours=5)
    )
    rescore_conversation(conversation.pk)
    assert {"urgency", "waiting"} <= set(reasons(conversation))
    with commit():
        actions.send_reply(agent, conversation, "Refunded, sorry for the wait.")
    assert reasons(conversation) == {}
    assert conversation.priority_score == 0


def test_the_due_time_a_message_starts_counts_in_its_score_at_once(db, commit):
    from parley.sla.models import SlaPolicy

    SlaPolicy.objects.create(name="Fast", first_response_minutes=15, business_hours=False)
    with commit():
        conversation = factories.inbound(factories.make_channel("api"), "Hello").conversation
    assert "sla" in reasons(conversation)
