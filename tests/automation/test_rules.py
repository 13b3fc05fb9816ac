"""Rules: conditions read the way a support team means them, actions go through the
domain actions, every firing is on the timeline, and nothing loops."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parley.automation.conditions import Facts, compile_conditions, fold
from parley.automation.engine import dry_run
from parley.automation.models import Rule
from parley.conversations.models import Direction, EntryKind, Priority, Status
from parley.core.errors import InvalidInput
from tests import factories


def facts(**changes) -> Facts:
    base = {
        "channel_kind": "instagram",
        "channel_id": 1,
        "text": fold("Hello, I want a REFUND for my café order!!!"),
        "is_comment": False,
        "status": "new",
        "priority": 2,
        "assignee_id": None,
        "team_id": None,
    }
    return Facts(**{**base, **changes})


def matches(conditions: dict, **changes) -> bool:
    return compile_conditions(conditions)(facts(**changes))


def test_text_is_matched_without_case_or_accents_and_korean_as_written():
    assert matches({"field": "text", "op": "contains_any", "value": ["refund"]})
    assert matches({"field": "text", "op": "contains_all", "value": ["CAFE", "order"]})
    korean = fold("결제가 안 돼요. 환불해 주세요")
    assert matches({"field": "text", "op": "contains_any", "value": ["환불"]}, text=korean)
    assert matches(
        {"field": "text", "op": "contains_any", "value": ["결제가 안 돼요"]}, text=korean
    )
    assert not matches({"field": "text", "op": "contains_none", "value": ["환불"]}, text=korean)
    assert matches({"field": "text", "op": "matches", "value": r"!{3}"})


def test_nested_all_any_not():
    rule = {
        "all": [
            {"field": "channel_kind", "op": "in", "value": ["instagram", "messenger"]},
            {
                "any": [
                    {"field": "customer_vip", "op": "is", "value": True},
                    {"field": "text", "op": "contains_any", "value": ["refund"]},
                ]
            },
            {"not": {"field": "tags", "op": "includes_any", "value": ["spam"]}},
        ]
    }
    assert matches(rule)
    assert not matches(rule, tags={"spam"})
    assert not matches(rule, channel_kind="email")
    assert matches(rule, text="hi", customer_vip=True)
    assert matches({"field": "priority", "op": "at_least", "value": "normal"})
    assert not matches({"field": "priority", "op": "at_least", "value": "high"})
    assert matches({"field": "lifetime_value", "op": "gte", "value": 100}, lifetime_value=150)


@pytest.mark.parametrize(
    ("conditions", "problem"),
    [
        ({"field": "colour", "op": "is", "value": "red"}, "conditions.field"),
        ({"field": "text", "op": "is", "value": "x"}, "conditions.op"),
        ({"field": "text", "op": "matches", "value": "(unclosed"}, "not a valid pattern"),
        ({"all": []}, "conditions.all"),
        ({"any": [{"field": "priority", "op": "is", "value": "extreme"}]}, "conditions.any[0]"),
        ({"field": "order_count", "op": "gt", "value": "ten"}, "a number"),
        ("refund", "must be an object"),
    ],
)
def test_bad_conditions_name_the_part_that_is_wrong(conditions, problem):
    with pytest.raises(InvalidInput, match=problem.replace("[", r"\[").replace("(", r"\(")):
        compile_conditions(conditions)


@given(st.text(max_size=200), st.text(min_size=1, max_size=20))
def test_folding_makes_matching_case_insensitive(text, word):
    if not fold(word):
        return
    test = compile_conditions({"field": "text", "op": "contains_any", "value": [word]})
    assert test(facts(text=fold(text + word.upper()))) is (fold(word) in fold(text + word.upper()))
    assert test(facts(text=fold(word.swapcase()))) is (fold(word) in fold(word.swapcase()))


@pytest.fixture
def refund_rule(db):
    payments = factories.make_team("Payments")
    return Rule.objects.create(
        name="Refunds on Instagram",
        trigger="message_received",
        conditions={
            "all": [
                {"field": "channel_kind", "op": "is", "value": "instagram"},
                {"field": "text", "op": "contains_any", "value": ["refund", "환불"]},
            ]
        },
        actions=[
            {"type": "add_tags", "tags": ["refund"]},
            {"type": "set_priority", "priority": "high"},
            {"type": "assign", "team": payments.pk},
        ],
    )


def test_a_matching_message_is_tagged_prioritised_assigned_and_says_why(refund_rule, commit):
    instagram = factories.make_channel("instagram", instagram_account_id="1")
    with commit():
        message = factories.inbound(
            instagram, "Can I get a refund?", sender="ig-1", kind="instagram"
        )
    conversation = message.conversation
    conversation.refresh_from_db()
    assert set(conversation.tags.values_list("name", flat=True)) == {"refund"}
    assert conversation.priority == Priority.HIGH
    assert conversation.team.name == "Payments"
    entry = conversation.timeline.get(kind=EntryKind.RULE_FIRED)
    assert entry.actor_label == "rule: Refunds on Instagram"
    assert entry.data["did"] == ["tagged refund", "set priority high", "assigned to Payments"]

    with commit():
        other = factories.inbound(instagram, "Love the mugs", sender="ig-2", kind="instagram")
    assert not other.conversation.timeline.filter(kind=EntryKind.RULE_FIRED).exists()


def test_order_stop_processing_and_disabled_rules(db, commit):
    api = factories.make_channel("api")
    first = Rule.objects.create(
        name="Close spam", trigger="created", position=1, stop_processing=True,
        conditions={"field": "text", "op": "contains_any", "value": ["casino"]},
        actions=[{"type": "set_status", "status": "closed"}],
    )  # fmt: skip
    Rule.objects.create(
        name="Never after stop", trigger="created", position=2,
        actions=[{"type": "add_tags", "tags": ["late"]}],
    )  # fmt: skip
    Rule.objects.create(
        name="Disabled", trigger="created", position=0, enabled=False,
        actions=[{"type": "add_tags", "tags": ["off"]}],
    )  # fmt: skip
    with commit():
        spam = factories.inbound(api, "Best casino bonus").conversation
    spam.refresh_from_db()
    assert spam.status == Status.CLOSED
    assert not spam.tags.exists()
    first.enabled = False
    first.save()
    with commit():
        fine = factories.inbound(api, "Where is my parcel?", sender="b@example.com").conversation
    assert list(fine.tags.values_list("name", flat=True)) == ["late"]


def test_created_rules_run_once_and_rules_do_not_trigger_rules(db, commit):
    api = factories.make_channel("api")
    Rule.objects.create(
        name="Greet", trigger="created",
        actions=[{"type": "auto_reply", "text": "Thanks, we got it."}],
    )  # fmt: skip
    Rule.objects.create(
        name="Note each message", trigger="message_received",
        actions=[{"type": "add_note", "text": "seen by a rule"}],
    )  # fmt: skip
    with commit():
        conversation = factories.inbound(api, "Hi", sender="c@example.com").conversation
    with commit():
        factories.inbound(api, "Hello again", sender="c@example.com")
    replies = conversation.messages.filter(direction=Direction.OUTBOUND)
    notes = conversation.messages.filter(direction=Direction.NOTE)
    assert replies.count() == 1 and notes.count() == 2
    assert conversation.timeline.filter(kind=EntryKind.RULE_FIRED).count() == 3


def test_a_rule_broken_since_it_was_saved_is_skipped_not_fatal(db, commit):
    api = factories.make_channel("api")
    team = factories.make_team("Gone soon")
    Rule.objects.create(
        name="Route", trigger="created", actions=[{"type": "assign", "team": team.pk}]
    )
    Rule.objects.create(
        name="Tag", trigger="created", actions=[{"type": "add_tags", "tags": ["x"]}]
    )
    team.delete()
    with commit():
        conversation = factories.inbound(api, "Hi", sender="d@example.com").conversation
    assert list(conversation.tags.values_list("name", flat=True)) == ["x"]
    assert conversation.team is None


def test_a_firing_lists_each_thing_the_rule_did(db, commit):
    api = factories.make_channel("api")
    Rule.objects.create(
        name="Reopen closed", trigger="message_received",
        actions=[{"type": "add_tags", "tags": ["a"]}, {"type": "set_status", "status": "open"}],
    )  # fmt: skip
    with commit():
        conversation = factories.inbound(api, "Hi", sender="g@example.com").conversation
    entry = conversation.timeline.get(kind=EntryKind.RULE_FIRED)
    assert entry.data["did"] == ["tagged a", "set status open"]


def test_dry_run_counts_what_would_have_matched(db):
    api = factories.make_channel("api")
    factories.inbound(api, "I need a refund", sender="e@example.com")
    factories.inbound(api, "Nice shop", sender="f@example.com")
    looked, matched = dry_run({"field": "text", "op": "contains_any", "value": ["refund"]})
    assert looked == 2 and [c.customer.identities.get().value for c in matched] == ["e@example.com"]


def test_rules_api_checks_saves_dry_runs_and_deletes(api, agent):
    from tests.conftest import api_client

    channel = factories.make_channel("api")
    factories.inbound(channel, "refund please", sender="h@example.com")
    body = {
        "name": "Refunds",
        "trigger": "message_received",
        "conditions": {"field": "text", "op": "contains_any", "value": ["refund"]},
        "actions": [{"type": "add_tags", "tags": ["refund"]}],
    }
    dry = api.post(
        "/api/v1/rules/dry-run", {"conditions": body["conditions"]}, content_type="application/json"
    )
    assert dry.json()["looked_at"] == 1 and len(dry.json()["matched"]) == 1
    created = api.post("/api/v1/rules", body, content_type="application/json")
    assert created.status_code == 201
    rule_id = created.json()["id"]
    bad = {**body, "actions": [{"type": "explode"}]}
    refused = api.post("/api/v1/rules", bad, content_type="application/json")
    assert refused.status_code == 400 and "actions[0].type" in refused.json()["detail"]
    off = api.patch(f"/api/v1/rules/{rule_id}", {"enabled": False}, content_type="application/json")
    assert off.json()["enabled"] is False
    wrong = api.patch(
        f"/api/v1/rules/{rule_id}", {"conditions": {"field": "x"}}, content_type="application/json"
    )
    assert wrong.status_code == 400
    assert api_client(agent).get("/api/v1/rules").status_code == 403
    assert api.delete(f"/api/v1/rules/{rule_id}").status_code == 204
    assert api.get("/api/v1/rules").json() == []


def test_outside_business_hours_rules(db, commit):
    from datetime import timedelta

    from django.utils import timezone

    from parley.automation.models import BusinessHours

    today = timezone.now().date()
    closed_days = [(today + timedelta(days=d)).isoformat() for d in (-1, 0, 1)]
    BusinessHours.objects.create(
        name="Office", time_zone="UTC", week={"mon": [["09:00", "18:00"]]}, holidays=closed_days
    )
    Rule.objects.create(
        name="After hours", trigger="created",
        conditions={"field": "business_hours", "op": "is", "value": "closed"},
        actions=[{"type": "auto_reply", "text": "We are closed; we answer tomorrow."}],
    )  # fmt: skip
    with commit():
        conversation = factories.inbound(factories.make_channel("api"), "Hello?").conversation
    reply = conversation.messages.get(direction=Direction.OUTBOUND)
    assert reply.text == "We are closed; we answer tomorrow."
    with pytest.raises(InvalidInput, match="open or closed"):
        compile_conditions({"field": "business_hours", "op": "is", "value": "lunch"})


def test_a_runaway_pattern_gives_up_instead_of_freezing_the_process():
    import time

    test = compile_conditions({"field": "text", "op": "matches", "value": r"(\w+\s?)+$"})
    started = time.monotonic()
    assert test(facts(text="a" * 40 + "!")) is False
    assert time.monotonic() - started < 1
    # The pattern keeps its meaning: \S is not folded into \s.
    assert compile_conditions({"field": "text", "op": "matches", "value": r"^\S+$"})(
        facts(text="x")
    )


def test_numbers_that_are_not_numbers_are_refused():
    for bad in (float("nan"), float("inf")):
        with pytest.raises(InvalidInput, match="a number"):
            compile_conditions({"field": "order_count", "op": "gt", "value": bad})


def test_a_closed_conversation_ends_the_run_and_replies_are_rate_limited(db, commit):
    api = factories.make_channel("api")
    Rule.objects.create(
        name="Close spam", trigger="message_received", position=1,
        conditions={"field": "text", "op": "contains_any", "value": ["casino"]},
        actions=[{"type": "set_status", "status": "closed"}],
    )  # fmt: skip
    Rule.objects.create(
        name="Answer", trigger="message_received", position=2,
        actions=[{"type": "auto_reply", "text": "Thanks!"}],
    )  # fmt: skip
    with commit():
        spam = factories.inbound(api, "casino bonus", sender="s@example.com").conversation
    assert not spam.messages.filter(direction=Direction.OUTBOUND).exists()
    with commit():
        chatty = factories.inbound(api, "hello", sender="t@example.com").conversation
    with commit():
        factories.inbound(api, "hello again", sender="t@example.com")
    assert chatty.messages.filter(direction=Direction.OUTBOUND).count() == 1
    said = [e.data["did"] for e in chatty.timeline.filter(kind=EntryKind.RULE_FIRED)]
    assert said[-1] == ["no automatic reply: one was sent in the last 10 minutes"]


def test_a_team_deleted_after_the_rule_was_compiled_is_reported_not_fatal(db, commit):
    api = factories.make_channel("api")
    team = factories.make_team("Short-lived")
    Rule.objects.create(
        name="Route", trigger="message_received",
        actions=[{"type": "assign", "team": team.pk}, {"type": "add_tags", "tags": ["seen"]}],
    )  # fmt: skip
    with commit():
        factories.inbound(api, "first", sender="u@example.com")  # compiles and caches the rule
    team.delete()
    with commit():
        conversation = factories.inbound(api, "second", sender="v@example.com").conversation
    entry = conversation.timeline.get(kind=EntryKind.RULE_FIRED)
    assert entry.data["did"][0] == "could not assign: the agent or team no longer exists"
    assert list(conversation.tags.values_list("name", flat=True)) == ["seen"]
