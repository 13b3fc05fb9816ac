"""Saving rules: checked as the engine will read them."""

from django.db import transaction

from parley.accounts.models import Agent
from parley.core.errors import InvalidInput

from .conditions import compile_conditions
from .effects import compile_actions
from .models import Rule, Trigger
from .timers import TIMERS, check_threshold


@transaction.atomic
def save_rule(agent: Agent, rule: Rule | None, **fields: object) -> Rule:
    """Create (rule=None) or change a rule; InvalidInput names what is wrong with it."""
    rule = rule or Rule(created_by=agent)
    for name, value in fields.items():
        if value is not None:
            setattr(rule, name, value)
    if rule.trigger not in Trigger.values:
        problem = f"trigger: one of {', '.join(Trigger.values)} (got {rule.trigger!r})"
        raise InvalidInput(problem, code="invalid_rule")
    if rule.trigger not in TIMERS and fields.get("threshold") is None:
        rule.threshold = None  # left over from a time-based trigger it had before
    rule.threshold = check_threshold(rule.trigger, rule.threshold)
    compile_conditions(rule.conditions)
    compile_actions(rule.actions)
    rule.save()
    return rule


@transaction.atomic
def switch_rule(agent: Agent, rule: Rule, *, enabled: bool) -> Rule:
    rule.enabled = enabled
    rule.save(update_fields=["enabled", "updated_at"])
    return rule


@transaction.atomic
def delete_rule(rule: Rule) -> None:
    rule.delete()
