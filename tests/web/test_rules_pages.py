"""Settings → Rules: an admin builds, tries, saves and switches rules without JSON."""

import pytest

from parley.automation.builder import Row, actions_from_rows, conditions_from_rows, rows_from_rule
from parley.automation.models import Rule
from tests.conftest import api_client
from tests.factories import inbound, make_agent, make_channel, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_web(client, admin):
    client.force_login(admin)
    return client


def refund_form(team_name: str, **changes) -> dict:
    form = {
        "name": "Refunds on Instagram",
        "trigger": "message_received",
        "match": "all",
        "position": "1",
        "field_0": "channel_kind",
        "op_0": "is",
        "value_0": "instagram",
        "field_1": "text",
        "op_1": "contains_any",
        "value_1": "refund, 환불",
        "action_0": "add_tags",
        "action_value_0": "refund",
        "action_1": "set_priority",
        "action_value_1": "high",
        "action_2": "assign_team",
        "action_value_2": team_name,
    }
    return {**form, **changes}


def test_build_try_and_save_a_rule(admin_web):
    make_team("Payments")
    instagram = make_channel("instagram", instagram_account_id="9")
    inbound(instagram, "I want a refund", sender="ig-9", kind="instagram")
    inbound(make_channel("api"), "refund please", sender="a@example.com")

    tried = admin_web.post("/settings/rules/new/", {**refund_form("Payments"), "dry_run": "1"})
    assert tried.status_code == 200
    assert "Would have matched 1 of the last 2 conversations" in tried.content.decode()
    assert not Rule.objects.exists()

    saved = admin_web.post("/settings/rules/new/", {**refund_form("Payments"), "enabled": "on"})
    assert saved.status_code == 302
    rule = Rule.objects.get()
    team = rule.actions[2]["team"]
    assert rule.conditions == {
        "all": [
            {"field": "channel_kind", "op": "is", "value": "instagram"},
            {"field": "text", "op": "contains_any", "value": ["refund", "환불"]},
        ]
    }
    assert rule.actions == [
        {"type": "add_tags", "tags": ["refund"]},
        {"type": "set_priority", "priority": "high"},
        {"type": "assign", "team": team},
    ]
    assert rule.enabled
    page = admin_web.get(f"/settings/rules/{rule.pk}/").content.decode()
    assert 'value="refund, 환불"' in page and 'value="Payments"' in page

    admin_web.post(f"/settings/rules/{rule.pk}/switch/", {})
    rule.refresh_from_db()
    assert not rule.enabled


def test_mistakes_are_form_errors_naming_the_row(admin_web):
    missing_team = admin_web.post("/settings/rules/new/", refund_form("Nobody"))
    assert missing_team.status_code == 400
    assert "action 3: no team named “Nobody”" in missing_team.content.decode()
    bad_priority = admin_web.post(
        "/settings/rules/new/", refund_form("Nobody", action_value_1="extreme", action_2="")
    )
    assert "actions[1].priority" in bad_priority.content.decode()
    no_action = admin_web.post(
        "/settings/rules/new/", refund_form("", action_0="", action_1="", action_2="")
    )
    assert "actions: a non-empty list" in no_action.content.decode()
    assert not Rule.objects.exists()


def test_rules_are_for_admins(client):
    client.force_login(make_agent())
    assert client.get("/settings/rules/").status_code == 403
    assert client.post("/settings/rules/new/", refund_form("x")).status_code == 403


def test_builder_rows_round_trip(db):
    make_team("Payments")
    rows = [Row("text", "contains_any", "refund, 환불"), Row("customer_vip", "is", "yes")]
    actions = [Row("assign_team", "", "payments"), Row("add_note", "", "Check the order")]
    conditions = conditions_from_rows("any", rows)
    built = actions_from_rows(actions)
    match, back, back_actions = rows_from_rule(conditions, built)
    assert match == "any"
    assert [(r.name, r.op, r.value) for r in back] == [
        ("text", "contains_any", "refund, 환불"),
        ("customer_vip", "is", "yes"),
    ]
    assert [(r.name, r.value) for r in back_actions] == [
        ("assign_team", "Payments"),
        ("add_note", "Check the order"),
    ]
    nested = {"all": [{"any": [{"field": "text", "op": "matches", "value": "x"}]}]}
    assert rows_from_rule(nested, built) is None


def test_api_tokens_of_agents_cannot_touch_rules(agent):
    assert api_client(agent).post(
        "/api/v1/rules", {}, content_type="application/json"
    ).status_code in (403, 422)


def test_a_rule_larger_than_the_builder_is_not_saved_from_it(admin_web):
    rule = Rule.objects.create(
        name="Nested",
        trigger="created",
        conditions={"all": [{"any": [{"field": "text", "op": "contains_any", "value": ["a"]}]}]},
        actions=[{"type": "add_tags", "tags": ["x"]}],
    )
    page = admin_web.get(f"/settings/rules/{rule.pk}/").content.decode()
    assert "more than the builder shows" in page and "Save rule" not in page
    refused = admin_web.post(f"/settings/rules/{rule.pk}/", refund_form("", action_2=""))
    assert refused.status_code == 400
    rule.refresh_from_db()
    assert "all" in rule.conditions and rule.name == "Nested"
