"""The rule builder's rows ("message text / contains any of / refund, 환불") to and from the
rule's JSON, so that a rule can be written without code. Rows name teams, agents and
channels by name; the rule stores their ids.

A rule the rows cannot show (nested groups) is edited as JSON instead.
"""

import math
from dataclasses import dataclass

from parley.accounts.models import Agent, Team
from parley.connectors.models import Channel
from parley.core.errors import InvalidInput
from parley.integrations.models import SlackWebhook, WebhookEndpoint

from .conditions import FIELDS, OPS

LIST_OPS = {"in", "not_in", "contains_any", "contains_all", "contains_none"}
LIST_OPS |= {"includes_any", "includes_all", "excludes"}
ACTION_TYPES = (
    "add_tags",
    "remove_tags",
    "set_priority",
    "set_status",
    "assign_team",
    "assign_agent",
    "assign_policy",
    "send_saved_reply",
    "add_note",
    "auto_reply",
    "notify_slack",
    "notify_email",
    "call_webhook",
)
NAMED = {"channel": Channel, "team": Team, "assignee": Agent}


@dataclass
class Row:
    """One line of the builder: a condition (field, op, value) or an action (type, value)."""

    name: str
    op: str
    value: str


def conditions_from_rows(match: str, rows: list[Row]) -> dict:
    tests = [_test(row, n) for n, row in enumerate(rows, start=1) if row.name]
    if not tests:
        return {}
    return tests[0] if len(tests) == 1 else {match: tests}


def actions_from_rows(rows: list[Row]) -> list[dict]:
    return [_action(row, n) for n, row in enumerate(rows, start=1) if row.name]


def _words(value: str) -> list[str]:
    return [word.strip() for word in value.split(",") if word.strip()]


def _test(row: Row, n: int) -> dict:
    where = f"condition {n}"
    if row.name not in FIELDS:
        raise InvalidInput(f"{where}: choose what to look at", code="invalid_rule")
    kind, _ = FIELDS[row.name]
    if row.op not in OPS[kind]:
        raise InvalidInput(f"{where}: choose how to compare", code="invalid_rule")
    value: object = row.value.strip()
    if row.op in ("is_set", "is_not_set"):
        value = None
    elif row.name in NAMED:
        ids = [_id_of(row.name, name, where) for name in _words(row.value)]
        value = ids if row.op in LIST_OPS else (ids[0] if ids else None)
    elif kind == "bool":
        value = str(value).lower() in ("yes", "true", "1", "예")
    elif kind == "number":
        value = _number(str(value), where)
    elif kind in ("hours", "sentiment"):
        value = str(value).lower()
    elif kind == "language":
        codes = [code.lower() for code in _words(row.value)]
        value = codes if row.op in LIST_OPS else row.value.strip().lower()
    elif kind == "changes":
        value = [word.lower() for word in _words(row.value)]
    elif row.op in LIST_OPS:
        value = _words(row.value)
    return {"field": row.name, "op": row.op, "value": value}


def _id_of(field: str, name: str, where: str) -> int:
    model = NAMED[field]
    if model is Agent:
        agents = Agent.objects.filter(is_active=True)
        found = (
            agents.filter(display_name__iexact=name).first()
            or agents.filter(email__iexact=name).first()
        )
    else:
        found = model.objects.filter(name__iexact=name).first()  # type: ignore[attr-defined]
    if found is None:
        raise InvalidInput(f"{where}: no {field} named “{name}”", code="invalid_rule")
    return int(found.pk)


def _saved_reply_id(name: str, where: str) -> int:
    """A saved reply everyone may use (a rule belongs to no agent), by shortcut or title."""
    from parley.replies.models import SavedReply

    shared = SavedReply.objects.filter(owner__isnull=True, team__isnull=True)
    found = (
        shared.filter(shortcut__iexact=name.lstrip("#/")).first()
        or shared.filter(title__iexact=name).first()
    )
    if found is None:
        problem = f"{where}: no workspace saved reply with the shortcut or title “{name}”"
        raise InvalidInput(problem, code="invalid_rule")
    return int(found.pk)


def _number(value: str, where: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise InvalidInput(f"{where}: a number", code="invalid_rule")
    return number


def _action(row: Row, n: int) -> dict:
    where = f"action {n}"
    value = row.value.strip()
    if row.name in ("add_tags", "remove_tags"):
        return {"type": row.name, "tags": _words(value)}
    if row.name == "set_priority":
        return {"type": row.name, "priority": value.lower()}
    if row.name == "set_status":
        return {"type": row.name, "status": value.lower()}
    if row.name == "assign_team":
        return {"type": "assign", "team": _id_of("team", value, where)}
    if row.name == "assign_agent":
        return {"type": "assign", "agent": _id_of("assignee", value, where)}
    if row.name == "send_saved_reply":
        return {"type": row.name, "saved_reply": _saved_reply_id(value, where)}
    if row.name == "assign_policy":
        return {"type": "assign", "team": _id_of("team", value, where), "by_policy": True}
    if row.name in ("add_note", "auto_reply"):
        return {"type": row.name, "text": value}
    if row.name in NOTIFY_PARTS:
        return _notify_action(row.name, value, where)
    raise InvalidInput(f"{where}: choose what to do", code="invalid_rule")


# Notification rows are "parts | separated | like this": Slack "webhook name | text",
# e-mail "addresses | subject | text", webhook "endpoint name".
NOTIFY_PARTS = {"notify_slack": 2, "notify_email": 3, "call_webhook": 1}


def _notify_action(kind: str, value: str, where: str) -> dict:
    parts = [part.strip() for part in value.split("|", NOTIFY_PARTS[kind] - 1)]
    if len(parts) != NOTIFY_PARTS[kind] or not all(parts):
        shapes = {
            "notify_slack": "Slack webhook name | text",
            "notify_email": "addresses | subject | text",
            "call_webhook": "webhook endpoint name",
        }
        raise InvalidInput(f"{where}: {shapes[kind]}", code="invalid_rule")
    if kind == "notify_email":
        return {"type": kind, "to": _words(parts[0]), "subject": parts[1], "text": parts[2]}
    model = SlackWebhook if kind == "notify_slack" else WebhookEndpoint
    found = model.objects.filter(name__iexact=parts[0]).first()
    if found is None:
        noun = "Slack webhook" if model is SlackWebhook else "webhook endpoint"
        raise InvalidInput(f"{where}: no {noun} named “{parts[0]}”", code="invalid_rule")
    if kind == "notify_slack":
        return {"type": kind, "slack": found.pk, "text": parts[1]}
    return {"type": kind, "webhook": found.pk}


def _notify_row(action: dict) -> Row:
    kind = action["type"]
    if kind == "notify_email":
        to = ", ".join(str(a) for a in action.get("to") or [])
        return Row(kind, "", f"{to} | {action.get('subject', '')} | {action.get('text', '')}")
    model = SlackWebhook if kind == "notify_slack" else WebhookEndpoint
    found = model.objects.filter(pk=action.get("slack") or action.get("webhook") or 0).first()
    name = found.name if found else ""
    return Row(kind, "", f"{name} | {action.get('text', '')}" if kind == "notify_slack" else name)


def rows_from_rule(
    conditions: dict, actions: list[dict]
) -> tuple[str, list[Row], list[Row]] | None:
    """The builder's rows for a rule, or None when it is nested deeper than one group."""
    match, tests = "all", [conditions] if conditions else []
    for group in ("all", "any"):
        if group in conditions:
            match, tests = group, conditions[group]
    if any("field" not in test for test in tests):
        return None
    return match, [_row_of(test) for test in tests], [_action_row(a) for a in actions]


def _shown(field: str, value: object) -> str:
    values = value if isinstance(value, list) else [] if value is None else [value]
    if field in NAMED:
        rows = NAMED[field].objects.filter(pk__in=values)  # type: ignore[attr-defined]
        return ", ".join(getattr(row, "display_name", "") or str(row) for row in rows)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return ", ".join(str(v) for v in values)


def _row_of(test: dict) -> Row:
    return Row(test["field"], test["op"], _shown(test["field"], test.get("value")))


def _action_row(action: dict) -> Row:
    kind = action.get("type", "")
    if kind in NOTIFY_PARTS:
        return _notify_row(action)
    if kind == "assign":
        if action.get("agent"):
            return Row("assign_agent", "", _shown("assignee", action["agent"]))
        if action.get("by_policy"):
            return Row("assign_policy", "", _shown("team", action.get("team")))
        return Row("assign_team", "", _shown("team", action.get("team")))
    if kind == "send_saved_reply":
        from parley.replies.models import SavedReply

        found = SavedReply.objects.filter(pk=int(action.get("saved_reply") or 0)).first()
        return Row(kind, "", found.shortcut or found.title if found else "")
    value = action.get("tags") or action.get("priority") or action.get("status") or ""
    value = action.get("text", value)
    return Row(kind, "", ", ".join(value) if isinstance(value, list) else str(value))
