"""Automation rules (admins), with a dry run before they go live."""

from django.http import HttpRequest
from ninja import Router, Status

from parley.automation.actions import save_rule
from parley.automation.engine import dry_run
from parley.automation.models import Rule

from .admin import require_admin
from .lookup import get_or_404
from .schemas import DryRunIn, DryRunOut, Id, RuleIn, RuleOut, RulePatch

router = Router(tags=["rules"])


@router.get("/rules", response=list[RuleOut])
def list_rules(request: HttpRequest):
    require_admin(request)
    return [RuleOut.of(rule) for rule in Rule.objects.all()]


@router.post("/rules", response={201: RuleOut})
def create_rule(request: HttpRequest, body: RuleIn):
    agent = require_admin(request)
    return Status(201, RuleOut.of(save_rule(agent, None, **body.dict())))


@router.post("/rules/dry-run", response=DryRunOut)
def try_rule(request: HttpRequest, body: DryRunIn):
    """Which of the last 500 conversations these conditions would have matched."""
    require_admin(request)
    looked, matched = dry_run(body.conditions)
    return DryRunOut(looked_at=looked, matched=[c.pk for c in matched])


@router.patch("/rules/{rule_id}", response=RuleOut)
def change_rule(request: HttpRequest, rule_id: Id, body: RulePatch):
    agent = require_admin(request)
    rule = get_or_404(Rule, rule_id, "rule")
    return RuleOut.of(save_rule(agent, rule, **body.dict()))


@router.delete("/rules/{rule_id}", response={204: None})
def delete_rule(request: HttpRequest, rule_id: Id):
    require_admin(request)
    get_or_404(Rule, rule_id, "rule").delete()
    return Status(204, None)
