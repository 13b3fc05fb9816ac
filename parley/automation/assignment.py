"""Who gets a conversation: a team's assignment policy over its available members.

Available means: active, presence "online", a workspace page open in the last few minutes,
on shift by their schedule, and under capacity (open conversations they own). Among those,
a team can prefer agents who speak the customer's language and have skills matching the
conversation's tags, and send unhappy customers to the best-rated agent (CSAT). Then the
policy picks: round-robin takes turns in a fixed order; least loaded picks the lowest share
of capacity in use. Nobody available: the conversation waits in the team's queue, and the
periodic distribution hands it out once someone is.

`choose` is pure (the property tests drive it); the rest reads and writes the database.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone

from parley.accounts.models import Agent, Policy, Presence, SatisfactionRating, Team
from parley.conversations import actions
from parley.conversations.models import Conversation, Direction, Status
from parley.core.errors import InvalidInput

from .business_time import is_open, schedule_from

# Statuses that count against an agent's capacity: pending waits on the customer.
LOAD_STATUSES = (Status.NEW, Status.OPEN)
# A workspace page says "here" every minute; three missed and the agent is away.
SEEN_WITHIN = timedelta(minutes=3)
# Ratings older than this say little about how an agent answers today.
RATINGS_WITHIN = timedelta(days=90)
MIN_RATINGS = 3
DISTRIBUTE_BATCH = 200


@dataclass(frozen=True)
class Candidate:
    id: int
    load: int
    capacity: int
    languages: frozenset[str] = frozenset()
    skills: frozenset[str] = frozenset()
    rating: float | None = None
    # The agent row it was read from (none in the pure tests).
    agent: Agent | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Need:
    """What the conversation asks of its agent."""

    language: str = ""
    topics: frozenset[str] = frozenset()
    unhappy: bool = False


def choose(
    policy: str,
    candidates: Sequence[Candidate],
    need: Need,
    *,
    last_id: int | None = None,
    match_skills: bool = True,
    best_rated_for_negative: bool = False,
) -> Candidate | None:
    """The agent to assign among available candidates; None when all are at capacity."""
    pool = [c for c in candidates if c.load < c.capacity]
    if not pool or policy == Policy.MANUAL:
        return None
    if match_skills:
        pool = _best_matching(pool, need)
    if need.unhappy and best_rated_for_negative:
        rated = [c.rating for c in pool if c.rating is not None]
        if rated:
            pool = [c for c in pool if c.rating == max(rated)]
    if policy == Policy.ROUND_ROBIN:
        ordered = sorted(pool, key=lambda c: c.id)
        after = [c for c in ordered if last_id is None or c.id > last_id]
        return (after or ordered)[0]
    return min(pool, key=lambda c: (c.load / c.capacity, c.load, c.id))


def _best_matching(pool: list[Candidate], need: Need) -> list[Candidate]:
    """Those who match best (language first, then the number of topics); everyone when
    nobody matches at all — a conversation is better answered than left waiting."""

    def fit(c: Candidate) -> tuple[bool, int]:
        return (bool(need.language) and need.language in c.languages, len(need.topics & c.skills))

    best = max(fit(c) for c in pool)
    return [c for c in pool if fit(c) == best] if best != (False, 0) else pool


def on_shift(agent: Agent, now: datetime) -> bool:
    """No schedule, or one that makes no sense (admin shows the error): on shift."""
    if not agent.shift_week:
        return True
    try:
        return is_open(schedule_from(agent.shift_time_zone, agent.shift_week), now)
    except InvalidInput:
        return True


def candidates(
    team: Team, now: datetime, *, exclude: Iterable[int] = (), rated: bool = False
) -> list[Candidate]:
    """The team's available members with their load (and, when `rated`, their CSAT): two
    or three queries."""
    members = [
        agent
        for agent in team.members.exclude(pk__in=list(exclude)).filter(
            is_active=True, presence=Presence.ONLINE, last_seen_at__gte=now - SEEN_WITHIN
        )
        if on_shift(agent, now)
    ]
    if not members:
        return []
    ids = [agent.pk for agent in members]
    loads = dict(
        Conversation.objects.filter(assignee_id__in=ids, status__in=LOAD_STATUSES)
        .values_list("assignee_id")
        .annotate(n=Count("id"))
    )
    ratings = _ratings(ids, now) if rated else {}
    return [
        Candidate(
            id=agent.pk,
            load=loads.get(agent.pk, 0),
            capacity=agent.capacity,
            languages=frozenset(str(x).lower() for x in agent.languages or []),
            skills=frozenset(str(x).lower() for x in agent.skills or []),
            rating=ratings.get(agent.pk),
            agent=agent,
        )
        for agent in members
    ]


def _ratings(agent_ids: list[int], now: datetime) -> dict[int, float]:
    rows = (
        SatisfactionRating.objects.filter(
            agent_id__in=agent_ids, created_at__gte=now - RATINGS_WITHIN
        )
        .values("agent_id")
        .annotate(average=Avg("score"), n=Count("id"))
        .filter(n__gte=MIN_RATINGS)
    )
    return {row["agent_id"]: round(float(row["average"]), 2) for row in rows}


def need_of(conversation: Conversation) -> Need:
    """Language and mood of the customer's latest message; the conversation's tags as topics."""
    from parley.triage.language import detect_language
    from parley.triage.sentiment import sentiment

    latest = (
        conversation.messages.filter(direction=Direction.INBOUND)
        .order_by("-pk")
        .values_list("text", flat=True)
        .first()
    )
    text = (latest or conversation.subject or "")[:5000]
    return Need(
        language=detect_language(text),
        topics=frozenset(conversation.tags.values_list("name", flat=True)),
        unhappy=sentiment(text).label == "negative",
    )


def assign_by_policy(
    conversation: Conversation,
    team: Team,
    *,
    exclude: Iterable[int] = (),
    note: str = "",
    now: datetime | None = None,
) -> Agent | None:
    """Give the conversation to the team and, by its policy, to one available member; the
    agent chosen (None: it waits in the team's queue)."""
    now = now or timezone.now()
    exclude = set(exclude)
    with transaction.atomic():
        # One decision at a time per team: two workers never pick from the same loads.
        team = Team.objects.select_for_update().get(pk=team.pk)
        need = need_of(conversation)
        rated = need.unhappy and team.best_rated_for_negative
        picked = choose(
            team.policy,
            candidates(team, now, exclude=exclude, rated=rated),
            need,
            last_id=team.last_assigned_id,
            match_skills=team.match_skills,
            best_rated_for_negative=team.best_rated_for_negative,
        )
        agent = picked.agent if picked else None
        if agent is not None:
            team.last_assigned = agent
            team.save(update_fields=["last_assigned"])
        # Taken away from an excluded agent (shift over, away) even when nobody is free.
        leaving = conversation.assignee_id in exclude
        if agent is not None or conversation.team_id != team.pk or note or leaving:
            actions.assign_conversation(
                None, conversation, assignee=agent, team=team, note=note, why=_why(team)
            )
    return agent


def _why(team: Team) -> str:
    return f"{team}: {Policy(team.policy).label.lower()}"


def distribute_waiting(now: datetime | None = None) -> int:
    """Hand out the unassigned conversations waiting in teams with a policy, oldest first,
    while someone is available; how many were assigned."""
    now = now or timezone.now()
    assigned = 0
    for team in Team.objects.exclude(policy=Policy.MANUAL):
        still = {"team": team, "assignee__isnull": True, "status__in": LOAD_STATUSES}
        waiting = (
            Conversation.objects.filter(**still)
            .order_by("priority", "waiting_since", "id")
            .values_list("pk", flat=True)[:DISTRIBUTE_BATCH]
        )
        for pk in list(waiting):
            with transaction.atomic():
                conversation = _still_so(team, pk, still)
                if conversation is None:
                    continue
                if assign_by_policy(conversation, team, now=now) is None:
                    break  # nobody left with room: the rest keep waiting
            assigned += 1
    return assigned


def _still_so(team: Team, pk: int, still: dict) -> Conversation | None:
    """The conversation read afresh and locked, if it still matches what the batch was
    listed by: an agent (or another worker's run) may have taken, answered or closed it
    since, and saving the listed copy would undo that. The team is locked first, in the
    order assign_by_policy takes them. Inside a transaction."""
    Team.objects.select_for_update().filter(pk=team.pk).first()
    return Conversation.objects.select_for_update().filter(pk=pk, **still).first()


def away_since(agent: Agent, now: datetime) -> datetime | None:
    """Since when the agent has been away (None while available or never seen)."""
    if agent.presence != Presence.ONLINE:
        return agent.presence_since or agent.last_seen_at
    if agent.last_seen_at is not None and now - agent.last_seen_at > SEEN_WITHIN:
        return agent.last_seen_at
    return None


def reassign_from_away(now: datetime | None = None) -> int:
    """Move open conversations of agents away longer than their team allows back through
    the team's policy; how many moved."""
    now = now or timezone.now()
    moved = 0
    for team in Team.objects.filter(reassign_after_minutes__isnull=False):
        limit = timedelta(minutes=team.reassign_after_minutes or 0)
        owners = Agent.objects.filter(
            Q(teams=team), ~Q(presence=Presence.ONLINE) | Q(last_seen_at__lt=now - SEEN_WITHIN)
        ).distinct()
        for agent in owners:
            since = away_since(agent, now)
            if since is None or now - since < limit:
                continue
            minutes = int((now - since).total_seconds() // 60)
            note = f"{agent} has been away {minutes} min"
            still = {"assignee": agent, "team": team, "status__in": LOAD_STATUSES}
            for pk in list(Conversation.objects.filter(**still).values_list("pk", flat=True)):
                with transaction.atomic():
                    conversation = _still_so(team, pk, still)
                    if conversation is None:
                        continue
                    assign_by_policy(conversation, team, exclude=[agent.pk], note=note, now=now)
                moved += 1
    return moved


def hand_off_shift(actor: Agent, agent: Agent, team: Team, note: str) -> int:
    """End `agent`'s shift: their open and pending conversations go to `team` (assigned by
    its policy, never back to them) with the handoff note, and they go offline. How many
    moved."""
    from parley.accounts.actions import set_presence

    set_presence(agent, Presence.OFFLINE)
    mine = Conversation.objects.filter(
        assignee=agent, status__in=(*LOAD_STATUSES, Status.PENDING)
    ).order_by("id")
    moved = 0
    for conversation in mine:
        if team.policy == Policy.MANUAL:
            actions.assign_conversation(actor, conversation, assignee=None, team=team, note=note)
        else:
            assign_by_policy(conversation, team, exclude=[agent.pk], note=note)
        moved += 1
    return moved


def rate_conversation(
    conversation: Conversation, score: int, comment: str = ""
) -> SatisfactionRating:
    """Record the customer's rating (1 to 5), credited to the agent who has the conversation;
    rating again replaces it."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput("score: a whole number from 1 to 5", code="invalid_rating")
    rating, _ = SatisfactionRating.objects.update_or_create(
        conversation=conversation,
        defaults={"agent_id": conversation.assignee_id, "score": score, "comment": comment[:2000]},
    )
    return rating
