"""Saving rules: checked as the engine will read them."""

from django.db import transaction

from parley.accounts.models import Agent

from .conditions import compile_conditions
from .effects import compile_actions
from .models import Rule


@transaction.atomic
def save_rule(agent: Agent, rule: Rule | None, **fields: object) -> Rule:
    """Create (rule=None) or change a rule; InvalidInput names what is wrong with it."""
    rule = rule or Rule(created_by=agent)
    for name, value in fields.items():
        if value is not None:
            setattr(rule, name, value)
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
