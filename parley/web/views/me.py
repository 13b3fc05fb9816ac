"""The agent's own state: online / away / offline, and ending a shift."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parley.accounts.actions import set_presence
from parley.accounts.models import Agent, Presence, Team
from parley.automation.assignment import hand_off_shift
from parley.conversations.models import QUEUE_STATUSES, Conversation


class PresenceForm(forms.Form):
    presence = forms.ChoiceField(choices=Presence.choices)


class HandoffForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), label=gettext_lazy("Hand off to"), empty_label=None
    )
    note = forms.CharField(
        label=gettext_lazy("Handoff note"), widget=forms.Textarea, max_length=5000, required=False
    )


@login_required
@require_POST
def presence(request: HttpRequest) -> HttpResponse:
    form = PresenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose online, away or offline."))
    else:
        set_presence(request.user, form.cleaned_data["presence"])  # type: ignore[arg-type]
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("inbox")


@login_required
def end_shift(request: HttpRequest) -> HttpResponse:
    """Hand an agent's open work to the next shift or team; leads may do it for anyone."""
    actor: Agent = request.user  # type: ignore[assignment]
    leaving = actor
    if request.GET.get("agent"):
        if not actor.sees_everything:
            raise PermissionDenied("only leads end someone else's shift")
        leaving = get_object_or_404(Agent, pk=_int(request.GET["agent"]))
    form = HandoffForm(request.POST or None, initial={"team": _next_team(leaving)})
    if request.method == "POST" and form.is_valid():
        team, note = form.cleaned_data["team"], form.cleaned_data["note"].strip()
        moved = hand_off_shift(actor, leaving, team, note)
        messages.success(
            request,
            _("%(count)d conversations handed off to %(team)s.") % {"count": moved, "team": team},
        )
        return redirect("inbox")
    open_count = Conversation.objects.filter(assignee=leaving, status__in=QUEUE_STATUSES).count()
    return render(
        request, "web/end_shift.html", {"form": form, "leaving": leaving, "open_count": open_count}
    )


def _next_team(agent: Agent) -> Team | None:
    team = agent.teams.select_related("next_shift").first()
    return (team.next_shift or team) if team else None


def _int(value: str) -> int:
    return int(value) if value.isdigit() else 0
