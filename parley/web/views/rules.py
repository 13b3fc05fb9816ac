"""Settings → Rules: build, try and switch rules without writing code (admins)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parley.accounts.models import Agent
from parley.automation.actions import delete_rule, save_rule, switch_rule
from parley.automation.builder import Row, actions_from_rows, conditions_from_rows, rows_from_rule
from parley.automation.engine import dry_run
from parley.automation.models import Rule
from parley.automation.timers import TIMERS, check_threshold
from parley.core.errors import InvalidInput

from ..forms import ACTION_ROWS, CONDITION_ROWS, RuleBuilderForm


def _admin(request: HttpRequest) -> Agent:
    if not getattr(request.user, "is_admin", False):
        raise PermissionDenied("only admins manage rules")
    return request.user  # type: ignore[return-value]


def _rule(rule_id: int) -> Rule:
    rule = Rule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise Http404("rule not found")
    return rule


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    return render(request, "web/rules.html", {"rules": Rule.objects.all()})


@login_required
def rule_edit(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    agent = _admin(request)
    rule = _rule(rule_id) if rule_id else None
    too_big = rule is not None and not _fits(rule)
    if request.method != "POST":
        form = RuleBuilderForm(initial=_initial(rule))
        return render(
            request, "web/rule_form.html", {"form": form, "rule": rule, "too_big": too_big}
        )
    form = RuleBuilderForm(request.POST)
    context: dict = {"form": form, "rule": rule, "too_big": too_big}
    if too_big and "dry_run" not in request.POST:
        # Saving the rows would silently drop what they cannot show.
        form.add_error(None, _("This rule has more than the builder shows: edit it in Settings."))
    elif form.is_valid():
        try:
            conditions, actions = _built(form.cleaned_data)
            if "dry_run" in request.POST:
                context["looked_at"], context["matched"] = dry_run(conditions)
            else:
                save_rule(agent, rule, **_fields(form.cleaned_data, conditions, actions))
                messages.success(request, _("Rule saved."))
                return redirect("rules")
        except InvalidInput as exc:
            form.add_error(None, exc.detail)
    ok = form.is_valid() and not form.non_field_errors()
    return render(request, "web/rule_form.html", context, status=200 if ok else 400)


@login_required
@require_POST
def rule_switch(request: HttpRequest, rule_id: int) -> HttpResponse:
    switch_rule(_admin(request), _rule(rule_id), enabled=request.POST.get("enabled") == "on")
    return redirect("rules")


@login_required
@require_POST
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    _admin(request)
    delete_rule(_rule(rule_id))
    messages.success(request, _("Rule deleted."))
    return redirect("rules")


def _built(data: dict) -> tuple[dict, list[dict]]:
    conditions = [
        Row(data[f"field_{n}"], data[f"op_{n}"], data[f"value_{n}"]) for n in range(CONDITION_ROWS)
    ]
    actions = [Row(data[f"action_{n}"], "", data[f"action_value_{n}"]) for n in range(ACTION_ROWS)]
    return conditions_from_rows(data["match"], conditions), actions_from_rows(actions)


def _fields(data: dict, conditions: dict, actions: list[dict]) -> dict:
    return {
        "name": data["name"],
        "trigger": data["trigger"],
        # The builder sends every field: an N left empty is missing, not "unchanged".
        "threshold": check_threshold(data["trigger"], data["threshold"])
        if data["trigger"] in TIMERS
        else None,
        "conditions": conditions,
        "actions": actions,
        "position": data["position"],
        "stop_processing": data["stop_processing"],
        "enabled": data["enabled"],
    }


def _fits(rule: Rule) -> bool:
    rows = rows_from_rule(rule.conditions, rule.actions)
    return rows is not None and len(rows[1]) <= CONDITION_ROWS and len(rows[2]) <= ACTION_ROWS


def _initial(rule: Rule | None) -> dict:
    if rule is None:
        return {"enabled": False}
    initial = {
        "name": rule.name,
        "trigger": rule.trigger,
        "threshold": rule.threshold,
        "position": rule.position,
        "stop_processing": rule.stop_processing,
        "enabled": rule.enabled,
    }
    rows = rows_from_rule(rule.conditions, rule.actions)
    if rows is None:
        return initial
    match, conditions, actions = rows
    initial["match"] = match
    for n, row in enumerate(conditions[:CONDITION_ROWS]):
        initial.update({f"field_{n}": row.name, f"op_{n}": row.op, f"value_{n}": row.value})
    for n, row in enumerate(actions[:ACTION_ROWS]):
        initial.update({f"action_{n}": row.name, f"action_value_{n}": row.value})
    return initial
