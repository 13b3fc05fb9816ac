"""Inbox views: Mine, Unassigned, My teams, All — filtered, sorted, paginated, live."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from parley.accounts.models import Agent, Team
from parley.api.schemas import MAX_ID
from parley.connectors.models import Channel
from parley.conversations.models import Priority, Status, Tag
from parley.conversations.queries import SORTS, VIEWS, InboxFilters, view_counts
from parley.conversations.queries import inbox as inbox_query
from parley.sla.queries import SLA_VIEWS

PAGE_SIZE = 50


def filters_from(request: HttpRequest) -> InboxFilters:
    def number(name: str) -> int | None:
        raw = request.GET.get(name, "")
        return int(raw) if raw.isdigit() and int(raw) <= MAX_ID else None

    status = request.GET.get("status", "")
    return InboxFilters(
        status=status if status in Status.values else "",
        channel=number("channel"),
        tag=request.GET.get("tag", "")[:50].replace("\x00", ""),
        assignee=number("assignee"),
        priority=number("priority"),
        team=number("team"),
        sla=_one_of(request.GET.get("sla", ""), SLA_VIEWS),
        sort=_one_of(request.GET.get("sort", ""), SORTS),
    )


def _one_of(value: str, allowed: tuple[str, ...]) -> str:
    return value if value in allowed else ""


@login_required
def inbox(request: HttpRequest, view: str) -> HttpResponse:
    if view not in VIEWS:
        raise Http404("no such view")
    agent = request.user
    assert isinstance(agent, Agent)
    page = Paginator(inbox_query(agent, view, filters_from(request)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "view": view,
        "page": page,
        "counts": view_counts(agent),
        "filters": request.GET,
        "query": _query_without_page(request),
    }
    if request.GET.get("partial"):
        return render(request, "web/_inbox_list.html", context)
    context.update(_filter_choices())
    return render(request, "web/inbox.html", context)


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("partial", None)
    return params.urlencode()


def _filter_choices() -> dict:
    return {
        "statuses": Status.choices,
        "priorities": Priority.choices,
        "channels": Channel.objects.all(),
        "tags": Tag.objects.all(),
        "agents": Agent.objects.filter(is_active=True),
        "teams": Team.objects.all(),
    }
