"""Assignment decisions per second: the policy alone, and whole decisions in the database.

    python bench/assignment.py [--agents 25] [--open 2000] [--decisions 1000]
                               [--database-url postgres://…]

In a fresh database: one team of `--agents` members (online, mixed languages, skills and
capacities), `--open` conversations already assigned among them (their load), and
`--decisions` new unassigned conversations with one customer message each (English and
Korean, some unhappy). Times `assign_by_policy` one conversation at a time, as the rules
and the periodic distribution call it (lock the team, read members, loads and ratings,
read the customer's latest message for language and mood, choose, assign with a timeline
entry), for round-robin and least-loaded with skills, language and CSAT preferences on.
Also times `choose` alone over the same team. Prints JSON and Markdown table rows.
"""

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

from harness import own_database, percentile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
TEXTS = [
    "Hi, my order arrived damaged and I would like a refund please",
    "Where is my parcel? It has been a week, this is terrible!!!",
    "주문번호 {n} 배송이 언제 되나요? 급해요",
    "Can I exchange the linen shirt for a bigger size?",
    "결제가 안 돼요. 정말 최악이에요",
    "Love the new mugs, great quality!",
]


def populate(agents: int, open_count: int, decisions: int, rng: random.Random) -> dict:
    """The team, its members and their work; the ids of the conversations to assign."""
    from django.db import transaction
    from django.utils import timezone

    from parley.accounts.models import Agent, SatisfactionRating, Team
    from parley.connectors.models import Channel
    from parley.conversations.models import Conversation, Direction, Message, Status
    from parley.customers.models import Customer

    now = timezone.now()
    with transaction.atomic():
        team = Team.objects.create(name="Support", match_skills=True, best_rated_for_negative=True)
        members = Agent.objects.bulk_create(
            Agent(
                username=f"a{n}",
                email=f"a{n}@example.com",
                display_name=f"Agent {n}",
                capacity=rng.choice([20, 40, 60]) * open_count // (agents * 30) + 10,
                languages=rng.choice([["en"], ["ko"], ["ko", "en"]]),
                skills=rng.sample(["refund", "shipping", "payments", "wholesale"], 2),
                last_seen_at=now,
            )
            for n in range(agents)
        )
        team.members.set(members)
        channel = Channel.objects.create(kind="api", name="bench")
        customers = Customer.objects.bulk_create(Customer(name=f"C{n}") for n in range(2000))
        busy = Conversation.objects.bulk_create(
            Conversation(
                channel=channel,
                customer=rng.choice(customers),
                status=Status.OPEN,
                assignee=rng.choice(members),
                team=team,
            )
            for _ in range(open_count)
        )
        SatisfactionRating.objects.bulk_create(
            SatisfactionRating(conversation=c, agent_id=c.assignee_id, score=rng.randint(2, 5))
            for c in busy[: agents * 10]
        )
        waiting = Conversation.objects.bulk_create(
            Conversation(channel=channel, customer=rng.choice(customers), status=Status.NEW)
            for _ in range(decisions * 2)
        )
        Message.objects.bulk_create(
            Message(
                conversation=c,
                channel=channel,
                direction=Direction.INBOUND,
                text=rng.choice(TEXTS).format(n=1000 + i),
            )
            for i, c in enumerate(waiting)
        )
    ids = [c.pk for c in waiting]
    return {"team": team.pk, "round_robin": ids[:decisions], "least_loaded": ids[decisions:]}


def time_decisions(team_id: int, policy: str, ids: list[int]) -> dict:
    from parley.accounts.models import Team
    from parley.automation.assignment import assign_by_policy
    from parley.conversations.models import Conversation

    Team.objects.filter(pk=team_id).update(policy=policy)
    team = Team.objects.get(pk=team_id)
    laps, assigned = [], 0
    for conversation in Conversation.objects.filter(pk__in=ids).select_related("channel"):
        began = time.perf_counter()
        assigned += assign_by_policy(conversation, team) is not None
        laps.append(time.perf_counter() - began)
    return summary(laps) | {"assigned": assigned}


def time_choose(team_id: int, calls: int, rng: random.Random) -> dict:
    from django.utils import timezone

    from parley.accounts.models import Policy, Team
    from parley.automation.assignment import Need, candidates, choose

    pool = candidates(Team.objects.get(pk=team_id), timezone.now(), rated=True)
    needs = [
        Need(language=rng.choice(["en", "ko", ""]), topics=frozenset({"refund"}), unhappy=bad)
        for bad in (True, False)
    ]
    laps = []
    for n in range(calls):
        began = time.perf_counter()
        choose(Policy.LEAST_LOADED, pool, needs[n % 2], best_rated_for_negative=True)
        laps.append(time.perf_counter() - began)
    return summary(laps)


def summary(laps: list[float]) -> dict:
    total = sum(laps)
    return {
        "decisions": len(laps),
        "per_second": round(len(laps) / total) if total else 0,
        "p50_ms": round(percentile(laps, 0.5) * 1000, 3),
        "p99_ms": round(percentile(laps, 0.99) * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=25)
    parser.add_argument("--open", type=int, default=2000)
    parser.add_argument("--decisions", type=int, default=1000)
    parser.add_argument("--database-url", default="", help="default: PARLEY_DATABASE_URL's server")
    args = parser.parse_args()
    with own_database(args.database_url) as database:
        rng = random.Random(11)
        made = populate(args.agents, args.open, args.decisions, rng)
        result = {
            "database": database,
            "agents": args.agents,
            "open_conversations": args.open,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}",
            "choose_only": time_choose(made["team"], 100_000, rng),
            "round_robin": time_decisions(made["team"], "round_robin", made["round_robin"]),
            "least_loaded": time_decisions(made["team"], "least_loaded", made["least_loaded"]),
        }
    print(json.dumps(result, indent=2))
    for name in ("choose_only", "round_robin", "least_loaded"):
        f = result[name]
        print(f"| {result['database']} | {name} | {f['decisions']:,} | {f['per_second']:,} "
              f"| {f['p50_ms']} | {f['p99_ms']} |")  # fmt: skip


if __name__ == "__main__":
    main()
