"""Rule triggers beyond a customer's message: an agent's reply, an agent's change, and time
(no reply for N minutes, pending for N hours, SLA due soon) — each once, and never a loop."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from parley.accounts.models import Role
from parley.automation.models import Rule, RuleFiring
from parley.automation.timers import fire_due_rules
from parley.conversations import actions
from parley.conversations.models import Conversation, Direction, EntryKind, Priority, Status
from tests import factories


def rule(trigger: str, actions_: list[dict], conditions: dict | None = None, **extra) -> Rule:
    return Rule.objects.create(
        name=extra.pop("name", trigger),
        trigger=trigger,
        conditions=conditions or {},
        actions=actions_,
        **extra,
    )


def firings(conversation: Conversation) -> list[list[str]]:
    return [e.data["did"] for e in conversation.timeline.filter(kind=EntryKind.RULE_FIRED)]


def tags(conversation: Conversation) -> set[str]:
    return set(conversation.tags.values_list("name", flat=True))


@pytest.fixture
def conversation(db, commit):
    with commit():
        message = factories.inbound(factories.make_channel("api"), "Where is my parcel?")
    return Conversation.objects.get(pk=message.conversation_id)


def test_a_reply_rule_reads_the_reply_and_its_note_does_not_trigger_again(
    conversation, agent, commit
):
    rule(
        "reply_sent",
        [{"type": "add_tags", "tags": ["refund-promised"]}, {"type": "add_note", "text": "check"}],
        {"field": "text", "op": "contains_any", "value": ["refund"]},
    )
    with commit():
        actions.send_reply(agent, conversation, "We will look into it.")
    assert firings(conversation) == []

    with commit():
        actions.send_reply(agent, conversation, "Your refund is on its way.")
    assert tags(conversation) == {"refund-promised"}
    assert firings(conversation) == [["tagged refund-promised", "added a note"]]
    assert conversation.messages.filter(direction=Direction.NOTE).count() == 1


def test_a_rule_for_a_status_change_to_pending(conversation, agent, commit):
    rule(
        "conversation_updated",
        [{"type": "add_tags", "tags": ["waiting-on-customer"]}],
        {
            "all": [
                {"field": "changed", "op": "includes_any", "value": ["status"]},
                {"field": "status", "op": "is", "value": "pending"},
            ]
        },
    )
    with commit():
        actions.set_priority(agent, conversation, Priority.HIGH)
        actions.set_status(agent, conversation, Status.OPEN)
    assert firings(conversation) == []

    with commit():
        actions.set_status(agent, conversation, Status.PENDING)
    assert tags(conversation) == {"waiting-on-customer"}
    # The rule's own tagging is a change too, but no agent made it: no second run.
    assert len(firings(conversation)) == 1


def test_an_assignment_names_what_changed(conversation, admin, commit):
    team = factories.make_team("Payments", members=[admin])
    rule(
        "conversation_updated",
        [{"type": "add_note", "text": "new owner"}],
        {"field": "changed", "op": "includes_all", "value": ["assignee", "team"]},
    )
    with commit():
        actions.assign_conversation(admin, conversation, assignee=None, team=team)
    assert firings(conversation) == []
    with commit():
        other = factories.make_team("Shipping", members=[admin])
        actions.assign_conversation(admin, conversation, assignee=admin, team=other)
    assert firings(conversation) == [["added a note"]]


def test_changes_made_by_rules_start_no_update_run(db, commit):
    rule("created", [{"type": "set_status", "status": "pending"}], name="Park")
    rule("conversation_updated", [{"type": "add_note", "text": "loop?"}], name="Watch")
    with commit():
        message = factories.inbound(factories.make_channel("api"), "hi", sender="r@example.com")
    conversation = message.conversation
    conversation.refresh_from_db()
    assert conversation.status == Status.PENDING
    assert firings(conversation) == [["set status pending"]]


def test_an_api_change_runs_update_rules(conversation, api, commit):
    rule(
        "conversation_updated",
        [{"type": "add_note", "text": "priority moved"}],
        {"field": "changed", "op": "includes_any", "value": ["priority"]},
    )
    with commit():
        response = api.patch(
            f"/api/v1/conversations/{conversation.pk}",
            {"priority": "urgent"},
            content_type="application/json",
        )
    assert response.status_code == 200
    assert firings(conversation) == [["added a note"]]


def later(minutes: float = 0, hours: float = 0):
    return timezone.now() + timedelta(minutes=minutes, hours=hours)


def test_no_reply_for_fires_once_per_wait_and_not_after_a_reply(conversation, agent, commit):
    rule(
        "no_reply_for",
        [{"type": "set_priority", "priority": "urgent"}, {"type": "add_note", "text": "late"}],
        threshold=30,
    )
    with commit():
        assert fire_due_rules(later(minutes=29)) == 0
        assert fire_due_rules(later(minutes=31)) == 1
        assert fire_due_rules(later(minutes=45)) == 0  # the same wait: judged already
    conversation.refresh_from_db()
    assert conversation.priority == Priority.URGENT
    assert firings(conversation) == [["set priority urgent", "added a note"]]

    with commit():
        factories.inbound(conversation.channel, "Hello??")  # the clock starts again
        assert fire_due_rules(later(minutes=31)) == 1
        actions.send_reply(agent, conversation, "Sorry, here it is.")
        factories.inbound(conversation.channel, "Thanks, one more thing")
        actions.send_reply(agent, conversation, "Sure.")
        assert fire_due_rules(later(hours=5)) == 0
    assert len(firings(conversation)) == 2


def test_time_rules_read_the_latest_customer_message_and_judge_each_wait_once(db, commit):
    api = factories.make_channel("api")
    rule(
        "no_reply_for",
        [{"type": "add_tags", "tags": ["urgent-late"]}],
        {"field": "text", "op": "contains_any", "value": ["urgent"]},
        threshold=10,
    )
    with commit():
        calm = factories.inbound(api, "whenever you can", sender="a@example.com").conversation
        urgent = factories.inbound(api, "URGENT please", sender="b@example.com").conversation
        assert fire_due_rules(later(minutes=11)) == 1
        # The calm one was judged too (not matching), so it does not hold up later ticks.
        assert fire_due_rules(later(minutes=12)) == 0
    assert tags(urgent) == {"urgent-late"} and tags(calm) == set()
    judged = RuleFiring.objects.order_by("conversation_id")
    assert [(f.conversation_id, f.matched) for f in judged] == [
        (calm.pk, False),
        (urgent.pk, True),
    ]


def test_pending_for_counts_from_the_change_to_pending_once_per_stretch(
    conversation, agent, commit
):
    rule("pending_for", [{"type": "set_status", "status": "resolved"}], threshold=48)
    with commit():
        actions.set_status(agent, conversation, Status.PENDING)
        assert fire_due_rules(later(hours=47)) == 0
        assert fire_due_rules(later(hours=49)) == 1
        assert fire_due_rules(later(hours=50)) == 0
    conversation.refresh_from_db()
    assert conversation.status == Status.RESOLVED

    with commit():
        actions.set_status(agent, conversation, Status.PENDING)  # a new stretch
        assert fire_due_rules(later(hours=49)) == 1
    assert len(firings(conversation)) == 2


def test_a_disabled_or_deleted_time_rule_fires_nothing(conversation, commit):
    off = rule("no_reply_for", [{"type": "add_note", "text": "x"}], threshold=5, enabled=False)
    with commit():
        assert fire_due_rules(later(minutes=6)) == 0
    off.delete()
    assert firings(conversation) == []


def test_sla_breach_within_fires_before_the_due_time(conversation, commit):
    from django.apps import apps

    if not apps.is_installed("parley.sla"):
        pytest.skip("the SLA app is not installed yet")
    sla_model = apps.get_model("sla", "ConversationSla")
    due = later(hours=2)
    # Whatever the SLA app worked out, this conversation's next target is due in 2 hours.
    sla_model.objects.update_or_create(
        conversation=conversation,
        defaults={"next_due_at": due, "breached_at": later(hours=-1)},
        create_defaults={"next_due_at": due, "started_at": later(hours=-3)},
    )
    rule("sla_breach_within", [{"type": "set_priority", "priority": "urgent"}], threshold=15)
    with commit():
        assert fire_due_rules(due - timedelta(minutes=20)) == 0
        assert fire_due_rules(due - timedelta(minutes=14)) == 1
        assert fire_due_rules(due - timedelta(minutes=5)) == 0
        assert fire_due_rules(due + timedelta(minutes=1)) == 0  # past due: too late to warn
    conversation.refresh_from_db()
    assert conversation.priority == Priority.URGENT


def test_the_time_rules_run_on_the_clock(conversation, commit):
    from parley.automation.tasks import run_time_rules

    assert settings.PARLEY_PERIODIC_TASKS["parley.automation.tasks.run_time_rules"] == 60
    Conversation.objects.filter(pk=conversation.pk).update(
        waiting_since=later(minutes=-90), last_customer_message_at=later(minutes=-90)
    )
    rule("no_reply_for", [{"type": "add_note", "text": "an hour"}], threshold=60)
    with commit():
        assert run_time_rules.enqueue().return_value == 1
        assert run_time_rules.enqueue().return_value == 0


API_RULE = {"name": "Late", "actions": [{"type": "add_tags", "tags": ["late"]}]}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"trigger": "no_reply_for"}, "threshold: for no_reply_for, a whole number of minutes"),
        ({"trigger": "no_reply_for", "threshold": -5}, "from 1 to 43200 (got -5)"),
        (
            {"trigger": "pending_for", "threshold": 10**12},
            "for pending_for, a whole number of hours",
        ),
        ({"trigger": "created", "threshold": 5}, "threshold: only the time-based triggers"),
    ],
)
def test_the_api_refuses_a_missing_or_wrong_threshold(api, body, problem):
    refused = api.post("/api/v1/rules", {**API_RULE, **body}, content_type="application/json")
    assert refused.status_code == 400
    assert problem in refused.json()["detail"]
    assert not Rule.objects.exists()


def test_the_api_saves_every_new_trigger(api):
    for trigger, threshold in [
        ("reply_sent", None),
        ("conversation_updated", None),
        ("no_reply_for", 30),
        ("pending_for", 24),
        ("sla_breach_within", 15),
    ]:
        body = {**API_RULE, "trigger": trigger, "threshold": threshold}
        created = api.post("/api/v1/rules", body, content_type="application/json")
        assert created.status_code == 201, created.json()
        assert created.json()["threshold"] == threshold
    rule_id = created.json()["id"]
    # Moving to a trigger without N drops the N it had.
    moved = api.patch(
        f"/api/v1/rules/{rule_id}", {"trigger": "reply_sent"}, content_type="application/json"
    )
    assert moved.json()["threshold"] is None
    bad_change = {"field": "changed", "op": "includes_any", "value": ["mood"]}
    refused = api.patch(
        f"/api/v1/rules/{rule_id}", {"conditions": bad_change}, content_type="application/json"
    )
    assert refused.status_code == 400
    detail = refused.json()["detail"]
    assert "conditions.value: a list of status, assignee, team, tags, priority" in detail


@pytest.fixture
def builder(db):
    from django.test import Client

    client = Client()
    client.force_login(factories.make_agent(Role.ADMIN))
    return client


def builder_form(**fields: str) -> dict:
    return {
        "name": "Escalate",
        "match": "all",
        "position": "0",
        "enabled": "on",
        "action_0": "set_priority",
        "action_value_0": "urgent",
        **fields,
    }


@pytest.mark.parametrize(
    ("threshold", "problem"),
    [("", "(got None)"), ("-3", "(got -3)"), ("99999999", "from 1 to 43200")],
)
def test_the_builder_refuses_a_missing_or_wrong_n(builder, threshold, problem):
    form = builder_form(trigger="no_reply_for", threshold=threshold)
    response = builder.post("/settings/rules/new/", form)
    assert response.status_code == 400
    assert "threshold: for no_reply_for, a whole number of minutes" in response.text
    assert problem in response.text
    assert not Rule.objects.exists()


def test_the_builder_saves_time_and_update_rules(builder):
    saved = builder.post(
        "/settings/rules/new/", builder_form(trigger="pending_for", threshold="24")
    )
    assert saved.status_code == 302
    assert Rule.objects.get().threshold == 24
    shown = builder.get(f"/settings/rules/{Rule.objects.get().pk}/")
    assert 'name="threshold" value="24"' in shown.text

    changed = builder_form(
        name="Pending", trigger="conversation_updated", threshold="", field_0="changed",
        op_0="includes_any", value_0="Status",
    )  # fmt: skip
    assert builder.post("/settings/rules/new/", changed).status_code == 302
    created = Rule.objects.get(name="Pending")
    assert created.threshold is None
    assert created.conditions == {"field": "changed", "op": "includes_any", "value": ["status"]}


def test_a_time_rule_acts_on_the_conversation_as_it_is_when_judged(db, commit, agent):
    """The tick lists its batch once; what an agent does to a later one meanwhile stays."""
    from unittest import mock

    from parley.automation import timers

    api = factories.make_channel("api")
    rule("no_reply_for", [{"type": "set_priority", "priority": "urgent"}], threshold=10)
    with commit():
        first = factories.inbound(api, "one", sender="one@example.com").conversation
        second = factories.inbound(api, "two", sender="two@example.com").conversation
    real = timers.fire_once

    def meanwhile(conversation, *args):
        if conversation.pk == first.pk:  # while the first is judged, an agent takes the second
            Conversation.objects.filter(pk=second.pk).update(assignee=agent, subject="Taken")
        return real(conversation, *args)

    with commit(), mock.patch.object(timers, "fire_once", side_effect=meanwhile):
        assert fire_due_rules(later(minutes=11)) == 2

    second.refresh_from_db()
    assert second.priority == Priority.URGENT
    assert (second.assignee, second.subject) == (agent, "Taken")


def test_one_conversation_that_fails_does_not_stop_the_rule_for_the_others(db, commit, monkeypatch):
    from parley.automation import timers

    api = factories.make_channel("api")
    with commit():
        broken = factories.inbound(api, "Hi", sender="broken@example.com").conversation
        fine = factories.inbound(api, "Hi", sender="fine@example.com").conversation
    rule("no_reply_for", [{"type": "add_note", "text": "late"}], threshold=30)
    real = timers.latest_customer_message

    def failing(conversation):
        if conversation.pk == broken.pk:
            raise RuntimeError("a row the code did not expect")
        return real(conversation)

    monkeypatch.setattr(timers, "latest_customer_message", failing)
    with commit():
        assert fire_due_rules(later(minutes=31)) == 1
    assert firings(fine) == [["added a note"]]
    assert firings(broken) == []
