"""Assignment: fair turns, nobody over capacity, nobody unavailable, the right person for
the customer; shift handoff and away reassignment through the real actions."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from parley.accounts.actions import mark_seen, set_presence
from parley.accounts.models import Policy, Presence, SatisfactionRating
from parley.automation import assignment
from parley.automation.assignment import (
    Candidate,
    Need,
    assign_by_policy,
    choose,
    distribute_waiting,
    hand_off_shift,
    reassign_from_away,
)
from parley.automation.effects import compile_actions
from parley.conversations.models import Conversation, EntryKind, Status
from parley.core.errors import InvalidInput
from tests import factories

POLICIES = (Policy.ROUND_ROBIN, Policy.LEAST_LOADED)
capacities = st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=8)


def team_of(capacity: list[int], loads: list[int] | None = None) -> list[Candidate]:
    loads = loads or [0] * len(capacity)
    pairs = enumerate(zip(capacity, loads, strict=True))
    return [Candidate(id=i + 1, load=n, capacity=c) for i, (c, n) in pairs]


def run(policy: str, pool: list[Candidate], decisions: int) -> list[int]:
    """Make decisions one after another as the database would see them: each assignment
    adds to the chosen agent's load and moves the rotation."""
    picked, last = [], None
    for _ in range(decisions):
        chosen = choose(policy, pool, Need(), last_id=last)
        if chosen is None:
            break
        picked.append(chosen.id)
        last = chosen.id
        pool = [Candidate(c.id, c.load + (c.id == chosen.id), c.capacity) for c in pool]
    return picked


@given(st.integers(min_value=1, max_value=9), st.integers(min_value=0, max_value=60))
def test_round_robin_takes_turns_fairly(agents, decisions):
    picked = run(Policy.ROUND_ROBIN, team_of([1000] * agents), decisions)
    counts = [picked.count(i + 1) for i in range(agents)]
    assert len(picked) == decisions
    assert max(counts) - min(counts) <= 1


@given(st.sampled_from(POLICIES), capacities, st.integers(min_value=0, max_value=60))
def test_nobody_goes_over_capacity_and_all_room_is_used(policy, capacity, decisions):
    picked = run(policy, team_of(capacity), decisions)
    for i, room in enumerate(capacity):
        assert picked.count(i + 1) <= room
    # Work is refused only when everyone is full.
    assert len(picked) == min(decisions, sum(capacity))


@given(capacities, st.lists(st.integers(min_value=0, max_value=6), min_size=8, max_size=8))
def test_least_loaded_picks_the_lowest_share_of_capacity(capacity, loads):
    pool = team_of(capacity, loads[: len(capacity)])
    chosen = choose(Policy.LEAST_LOADED, pool, Need())
    open_ = [c for c in pool if c.load < c.capacity]
    if not open_:
        assert chosen is None
        return
    assert chosen is not None
    assert chosen.load / chosen.capacity == min(c.load / c.capacity for c in open_)


@given(
    st.sampled_from(POLICIES),
    st.lists(st.sampled_from(["ko", "en", "ja"]), min_size=1, max_size=6),
    st.sampled_from(["ko", "en", "ja"]),
)
def test_someone_who_speaks_the_language_is_preferred(policy, spoken, wanted):
    pool = [Candidate(i + 1, 0, 5, languages=frozenset([lang])) for i, lang in enumerate(spoken)]
    chosen = choose(policy, pool, Need(language=wanted))
    assert chosen is not None
    if wanted in spoken:
        assert wanted in chosen.languages


def test_skills_match_tags_and_nobody_matching_still_gets_an_answer():
    pool = [
        Candidate(1, 0, 5, skills=frozenset({"shipping"})),
        Candidate(2, 3, 5, skills=frozenset({"refund", "payments"})),
    ]
    need = Need(topics=frozenset({"refund"}))
    assert choose(Policy.LEAST_LOADED, pool, need).id == 2
    assert choose(Policy.LEAST_LOADED, pool, need, match_skills=False).id == 1
    assert choose(Policy.LEAST_LOADED, pool, Need(topics=frozenset({"wholesale"}))).id == 1


def test_unhappy_customers_go_to_the_best_rated_agent_when_the_team_says_so():
    pool = [Candidate(1, 0, 5, rating=3.9), Candidate(2, 4, 5, rating=4.8), Candidate(3, 0, 5)]
    unhappy = Need(unhappy=True)
    assert choose(Policy.LEAST_LOADED, pool, unhappy, best_rated_for_negative=True).id == 2
    assert choose(Policy.LEAST_LOADED, pool, unhappy).id == 1
    assert choose(Policy.LEAST_LOADED, pool, Need(), best_rated_for_negative=True).id == 1


def test_a_manual_team_assigns_nobody():
    assert choose(Policy.MANUAL, team_of([5, 5]), Need()) is None


# Through the database


def online(agent, **fields):
    for name, value in fields.items():
        setattr(agent, name, value)
    agent.save()
    mark_seen(agent.pk)
    agent.refresh_from_db()
    return agent


@pytest.fixture
def team(db):
    team = factories.make_team("Payments")
    team.policy = Policy.ROUND_ROBIN
    team.save()
    return team


def conversation_in(channel, text="Where is my refund?", sender=None):
    message = factories.inbound(channel, text, sender=sender or f"c{id(text)}@example.com")
    return message.conversation


def test_only_available_agents_get_work(team, api_channel):
    now = timezone.now()
    here = online(factories.make_agent(name="Here", teams=[team]))
    online(factories.make_agent(name="Away", teams=[team]), presence=Presence.AWAY)
    gone = online(factories.make_agent(name="Gone", teams=[team]))
    gone.last_seen_at = now - timedelta(minutes=10)
    gone.save()
    factories.make_agent(name="Never seen", teams=[team])
    off_shift = {"mon": [["00:00", "00:01"]]}  # a minute a week: off shift now
    online(factories.make_agent(name="Off", teams=[team]), shift_week=off_shift)

    for n in range(4):
        conversation = conversation_in(api_channel, sender=f"a{n}@example.com")
        assert assign_by_policy(conversation, team, now=now) == here


def test_policy_assignment_is_on_the_timeline_and_capacity_holds(team, api_channel):
    kim = online(factories.make_agent(name="Kim", teams=[team]), capacity=1)
    lee = online(factories.make_agent(name="Lee", teams=[team]), capacity=1)
    first, second, third = (
        conversation_in(api_channel, sender=f"cap{n}@example.com") for n in range(3)
    )

    assert {assign_by_policy(first, team), assign_by_policy(second, team)} == {kim, lee}
    assert assign_by_policy(third, team) is None
    third.refresh_from_db()
    assert third.team == team and third.assignee is None  # waits in the team's queue
    entry = first.timeline.filter(kind=EntryKind.ASSIGNED).last()
    assert entry.actor_label == "Payments: round-robin"

    # Kim resolves hers: the periodic distribution hands out the waiting one.
    mine = first if first.assignee == kim else second
    mine.status = Status.RESOLVED
    mine.save()
    assert distribute_waiting() == 1
    third.refresh_from_db()
    assert third.assignee == kim


def test_a_rule_assigns_by_the_teams_policy(team, api_channel):
    kim = online(factories.make_agent(name="Kim", teams=[team]))
    [effect] = compile_actions([{"type": "assign", "team": team.pk, "by_policy": True}])
    conversation = conversation_in(api_channel)

    assert effect.apply(conversation) == f"assigned to Kim / {team}"
    conversation.refresh_from_db()
    assert conversation.assignee == kim

    set_presence(kim, Presence.AWAY)
    other = conversation_in(api_channel, sender="other@example.com")
    assert effect.apply(other) == f"queued for {team}: nobody available"


def test_assign_by_policy_is_checked_when_the_rule_is_saved(team):
    with pytest.raises(InvalidInput, match="name only a team"):
        compile_actions([{"type": "assign", "team": team.pk, "agent": 1, "by_policy": True}])
    with pytest.raises(InvalidInput, match=r"actions\[0\]\.team: an id"):
        compile_actions([{"type": "assign", "by_policy": True}])


def test_unhappy_customer_goes_to_the_best_rated_agent(team, api_channel):
    team.policy, team.best_rated_for_negative = Policy.LEAST_LOADED, True
    team.save()
    plain = online(factories.make_agent(name="Plain", teams=[team]))
    star = online(factories.make_agent(name="Star", teams=[team]))
    for agent, score in ((plain, 3), (star, 5)):
        for _ in range(3):
            c = conversation_in(api_channel, "thanks", sender=f"r{agent.pk}{_}@example.com")
            SatisfactionRating.objects.create(conversation=c, agent=agent, score=score)
    for n in range(2):  # Star already has more work than Plain
        c = conversation_in(api_channel, "hi", sender=f"busy{n}@example.com")
        c.assignee = star
        c.status = Status.OPEN
        c.save()

    angry = conversation_in(
        api_channel, "This is terrible, the worst service ever. I am furious!", "x@example.com"
    )
    calm = conversation_in(api_channel, "Could you tell me the opening hours?", "y@example.com")
    assert assign_by_policy(angry, team) == star
    assert assign_by_policy(calm, team) == plain


def test_language_match_sends_korean_to_a_korean_speaker(team, api_channel):
    team.policy = Policy.LEAST_LOADED
    team.save()
    online(factories.make_agent(name="En", teams=[team]), languages=["en"])
    ko = online(factories.make_agent(name="Ko", teams=[team]), languages=["ko", "en"])
    korean = "안녕하세요, 주문한 상품이 아직 도착하지 않았어요."
    c = conversation_in(api_channel, korean, "k@example.com")
    assert assign_by_policy(c, team) == ko


def test_shift_handoff_moves_open_work_with_the_note(team, api_channel, admin):
    night = factories.make_team("Night")
    night.policy = Policy.ROUND_ROBIN
    night.save()
    leaving = online(factories.make_agent(name="Leaving", teams=[team, night]))
    owl = online(factories.make_agent(name="Owl", teams=[night]))
    open_ones = [conversation_in(api_channel, sender=f"h{n}@example.com") for n in range(3)]
    for c in open_ones:
        c.assignee, c.status = leaving, Status.OPEN
        c.save()
    done = conversation_in(api_channel, sender="done@example.com")
    done.assignee, done.status = leaving, Status.RESOLVED
    done.save()

    assert hand_off_shift(leaving, leaving, night, "Refunds waiting on the bank") == 3

    for c in open_ones:
        c.refresh_from_db()
        assert (c.assignee, c.team) == (owl, night)
        entry = c.timeline.filter(kind=EntryKind.HANDOFF).last()
        assert entry.data["note"] == "Refunds waiting on the bank"
        assert entry.data["from_agent"] == "Leaving"
    done.refresh_from_db()
    assert done.assignee == leaving
    leaving.refresh_from_db()
    assert leaving.presence == Presence.OFFLINE


def test_conversations_of_an_agent_away_too_long_are_reassigned(team, api_channel):
    team.reassign_after_minutes = 30
    team.save()
    away = online(factories.make_agent(name="Away", teams=[team]))
    cover = online(factories.make_agent(name="Cover", teams=[team]))
    c = conversation_in(api_channel, sender="wait@example.com")
    c.assignee, c.team, c.status = away, team, Status.OPEN
    c.save()
    set_presence(away, Presence.AWAY)
    now = away.presence_since

    assert reassign_from_away(now + timedelta(minutes=10)) == 0
    c.refresh_from_db()
    assert c.assignee == away

    cover.last_seen_at = now + timedelta(minutes=40)  # still here then
    cover.save()
    assert reassign_from_away(now + timedelta(minutes=41)) == 1
    c.refresh_from_db()
    assert c.assignee == cover
    assert "has been away 41 min" in c.timeline.filter(kind=EntryKind.HANDOFF).last().data["note"]


def test_presence_is_checked(agent):
    with pytest.raises(InvalidInput, match="presence: one of online, away, offline"):
        set_presence(agent, "sleeping")


def test_handoff_without_a_note_to_a_team_with_nobody_free_unassigns(team, api_channel, admin):
    leaving = online(factories.make_agent(name="Leaving", teams=[team]))
    c = conversation_in(api_channel, sender="nonote@example.com")
    c.assignee, c.team, c.status = leaving, team, Status.OPEN
    c.save()

    assert hand_off_shift(leaving, leaving, team, "") == 1

    c.refresh_from_db()
    assert (c.assignee, c.team) == (None, team)  # waits in the team's queue, not with them


def test_distribution_leaves_a_conversation_taken_or_closed_meanwhile(team, api_channel):
    """The batch is listed once; an agent may take or close one before its turn comes."""
    kim = online(factories.make_agent(name="Kim", teams=[team]))
    quick = factories.make_agent(name="Quick", teams=[team])
    first, taken, closed = (
        conversation_in(api_channel, sender=f"m{n}@example.com") for n in range(3)
    )
    for c in (first, taken, closed):
        c.team, c.status = team, Status.OPEN
        c.save()
    real = assignment.assign_by_policy

    def meanwhile(conversation, team, **kwargs):
        if conversation.pk == first.pk:  # while the first is decided, others act
            Conversation.objects.filter(pk=taken.pk).update(assignee=quick)
            Conversation.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
        return real(conversation, team, **kwargs)

    with mock.patch.object(assignment, "assign_by_policy", side_effect=meanwhile):
        assert distribute_waiting() == 1

    first.refresh_from_db()
    taken.refresh_from_db()
    closed.refresh_from_db()
    assert first.assignee == kim
    assert taken.assignee == quick
    assert (closed.status, closed.assignee) == (Status.CLOSED, None)
