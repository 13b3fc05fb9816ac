"""Read-side queries for inbox views, shared by the web UI and the API."""

from dataclasses import dataclass

from django.db.models import Count, F, OrderBy, Prefetch, Q, QuerySet
from django.utils import timezone

from parley.accounts.models import Agent
from parley.sla.models import ConversationSla
from parley.sla.queries import SLA_VIEWS, due_filter, due_soonest

from .access import visible_conversations
from .models import QUEUE_STATUSES, Conversation

VIEWS = ("mine", "unassigned", "teams", "all")
# ?sort= values besides the default (priority, then longest waiting).
SORTS = ("due", "score")


@dataclass(frozen=True)
class InboxFilters:
    status: str = ""
    channel: int | None = None
    tag: str = ""
    assignee: int | None = None
    priority: int | None = None
    team: int | None = None
    sla: str = ""  # one of SLA_VIEWS
    sort: str = ""  # one of SORTS


def view_queryset(agent: Agent, view: str) -> QuerySet[Conversation]:
    conversations = visible_conversations(agent)
    if view == "mine":
        return conversations.filter(assignee=agent)
    if view == "unassigned":
        return conversations.filter(assignee__isnull=True)
    if view == "teams":
        return conversations.filter(team_id__in=agent.team_ids())
    return conversations


def filtered(
    conversations: QuerySet[Conversation], filters: InboxFilters
) -> QuerySet[Conversation]:
    if filters.status:
        conversations = conversations.filter(status=filters.status)
    else:
        conversations = conversations.filter(status__in=QUEUE_STATUSES)
    if filters.channel:
        conversations = conversations.filter(channel_id=filters.channel)
    if filters.tag:
        conversations = conversations.filter(tags__name=filters.tag)
    if filters.assignee:
        conversations = conversations.filter(assignee_id=filters.assignee)
    if filters.priority is not None:
        conversations = conversations.filter(priority=filters.priority)
    if filters.team:
        conversations = conversations.filter(team_id=filters.team)
    if filters.sla in SLA_VIEWS:
        conversations = conversations.filter(due_filter(filters.sla, timezone.now()))
    return conversations


def inbox(agent: Agent, view: str, filters: InboxFilters) -> QuerySet[Conversation]:
    """Priority first, then whoever has waited longest; those not waiting come last (with
    sort "due", the soonest SLA due time before all that).
    Related rows are fetched for the page only: joining them first makes the database sort
    the whole queue with them (see bench/RESULTS.md)."""
    order: tuple[str | OrderBy, ...] = (
        "priority",
        F("waiting_since").asc(nulls_last=True),
        "-updated_at",
        "-id",
    )
    if filters.sort == "due":
        order = (due_soonest(), *order)
    elif filters.sort == "score":  # highest priority score first (triage.priority)
        order = ("-priority_score", *order[1:])
    return (
        filtered(view_queryset(agent, view), filters)
        .prefetch_related(
            "channel",
            "customer",
            "assignee",
            "team",
            "tags",
            # The API names each clock's policy: read with the clocks, not once a row.
            Prefetch("sla", queryset=ConversationSla.objects.select_related("policy")),
        )
        .order_by(*order)
    )


def view_counts(agent: Agent) -> dict[str, int]:
    """Open work per view, for the sidebar badges."""
    queue = visible_conversations(agent).filter(status__in=QUEUE_STATUSES)
    mine, unassigned, teams, everything = (
        Q(assignee=agent),
        Q(assignee__isnull=True),
        Q(team_id__in=agent.team_ids()),
        Q(),
    )
    return queue.aggregate(
        mine=Count("pk", filter=mine),
        unassigned=Count("pk", filter=unassigned),
        teams=Count("pk", filter=teams),
        all=Count("pk", filter=everything),
    )
