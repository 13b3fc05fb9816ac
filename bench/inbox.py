"""Inbox benchmark: latency of the agent workspace's read pages on a large, lived-in database.

    python bench/inbox.py [--conversations 100000] [--messages-per-conversation 5]
                          [--requests 200] [--database-url postgres://…]

Seeds the database directly (bulk inserts in this process: agents, teams, channels, customers
with an e-mail identity, conversations over every status, messages and their timeline), then
starts `parley web` and measures, over keep-alive HTTP on 127.0.0.1 and one request at a time,
the first page of each inbox view (/inbox/<view>/) and the conversation page (/c/<id>/) for an
admin and for an agent in one team. Reports p50/p95 per endpoint against a p95 target of
100 ms, with the SQL each page runs (count, slowest statement and its plan when slow).
"""

import argparse
import html
import json
import os
import platform
import random
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from harness import PARLEY, Instance, percentile, start, wait_for

TARGET_P95_MS = 100.0
VIEWS = ("mine", "unassigned", "teams", "all")
CHUNK = 2000
BATCH = 2000
SLOW_QUERY_MS = 20.0

# A helpdesk with a year of history: most work is done, a fifth is still in the queue.
STATUS_WEIGHTS = {"new": 5, "open": 10, "pending": 5, "resolved": 15, "closed": 65}
# How many days ago a conversation in each status began.
AGE_DAYS = {
    "new": (0.0, 2.0),
    "open": (0.1, 14.0),
    "pending": (0.5, 30.0),
    "resolved": (1.0, 60.0),
    "closed": (3.0, 365.0),
}
PRIORITY_WEIGHTS = {0: 3, 1: 12, 2: 70, 3: 15}
# Seconds before a message of each direction, after the one before it.
GAP_SECONDS = {"in": (900, 86400), "out": (300, 21600), "note": (60, 1800)}
SALES, CARE = "Sales & Orders", "Customer Care"
# kind, name, team, weight
CHANNELS = (
    ("email", "Email · help@bench.example", CARE, 40),
    ("chat", "Website chat", None, 20),
    ("whatsapp", "WhatsApp +1 415 555 0100", SALES, 15),
    ("messenger", "Facebook Messenger", None, 10),
    ("api", "Mobile app (API)", SALES, 15),
)
SUBJECT_KINDS = {"email", "api"}
# e-mail, name, role, teams
AGENTS = (
    ("admin@bench.example", "Ada Admin", "admin", ()),
    ("lead@bench.example", "Lena Lead", "lead", (SALES, CARE)),
    ("sam@bench.example", "Sam Carter", "agent", (SALES,)),
    ("mina@bench.example", "Mina Park", "agent", (SALES,)),
    ("omar@bench.example", "Omar Haddad", "agent", (SALES,)),
    ("rita@bench.example", "Rita Gomes", "agent", (SALES, CARE)),
    ("jonas@bench.example", "Jonas Weber", "agent", (CARE,)),
    ("lucy@bench.example", "Lucy Chen", "agent", (CARE,)),
    ("tom@bench.example", "Tom Novak", "agent", (CARE,)),
    ("ines@bench.example", "Inês Costa", "agent", (CARE,)),
)
BENCH_ADMIN, BENCH_AGENT = "admin@bench.example", "sam@bench.example"
TAGS = (
    "refund", "shipping", "vip", "bug", "order-status", "wholesale", "discount", "payment",
    "sizing", "restock", "invoice",
)  # fmt: skip
FIRST_NAMES = """Emma Liam Olivia Noah Ava Ethan Sophia Lucas Mia Mason Isabella Logan Zoe Chloé
James Amelia Benjamin Harper Elijah Henry Aisha Mateo Freya Oscar Lily Daniel Grace Samuel Nora
Leo Hannah Jack Priya Yusuf Sofia Mohammed Anna Kenji Fatima Luca""".split()  # noqa: SIM905
LAST_NAMES = """Johnson Brown García Wilson Martinez Anderson Taylor Thomas Moore Jackson White
Harris Young Martin Thompson Clark Lewis Robinson Walker Allen Khan Rossi Lindqvist Novak Bennett
O'Brien Kelly Okafor Fischer Dubois Schmidt Murphy Tanaka Silva Müller Nowak""".split()  # noqa: SIM905
KOREAN_NAMES = ("김지은", "박서준", "이하늘", "최민호", "정유나", "한소희", "오세훈", "윤아름")
DOMAINS = ("gmail.com", "outlook.com", "icloud.com", "proton.me", "yahoo.com", "naver.com")
FOLLOW_UPS = {
    False: (
        "Any update on this?",
        "Hi again, just checking in. I still haven't heard anything back.",
        "Thanks, that helps. One more question: can I change the delivery date as well?",
        "I tried that but it still doesn't work. Screenshot attached.",
    ),
    True: ("혹시 진행 상황 있을까요?", "아직 답변을 못 받았어요. 확인 부탁드립니다."),
}
REPLIES = {
    False: (
        "Thanks for your patience! I've checked with the warehouse and will update you tomorrow.",
        "All sorted now. Let us know if there's anything else we can do!",
        "I've escalated this to our logistics team; you'll hear from us within 24 hours.",
    ),
    True: (
        "처리 완료되었습니다. 궁금하신 점이 있으면 언제든 문의해 주세요!",
        "확인 감사합니다. 물류팀 답변을 받는 대로 다시 연락드리겠습니다.",
    ),
}
NOTES = (
    "Going off shift. Customer is waiting on the carrier's answer.",
    "Checked the order history: second time this happened, offer a voucher.",
    "Payment provider confirms the charge went through, safe to ship.",
)
SIGNATURE = "\n\nThanks,\n{name}\n\nSent from my phone"
ENTRY_KINDS = {"in": "message_received", "out": "reply_sent", "note": "note_added"}
CONVERSATION_COLUMNS = (
    "id", "channel_id", "customer_id", "thread_ref", "subject", "status", "priority",
    "assignee_id", "team_id", "preview", "created_at", "updated_at", "first_response_at",
    "last_customer_message_at", "last_agent_message_at", "resolved_at", "waiting_since",
    "origin", "priority_score", "priority_why",
)  # fmt: skip
MESSAGE_COLUMNS = (
    "id", "conversation_id", "channel_id", "direction", "text", "html", "author_id",
    "external_id", "reply_to_id", "status", "failure_reason", "attempts", "created_at", "sent_at",
    "details", "reactions", "deleted_at",
)  # fmt: skip
ENTRY_COLUMNS = (
    "id", "conversation_id", "kind", "actor_id", "actor_label", "message_id", "data", "created_at",
)  # fmt: skip
TAGGING_COLUMNS = ("conversation_id", "tag_id")


@dataclass
class Sizes:
    agents: int = 0
    teams: int = 0
    channels: int = 0
    customers: int = 0
    conversations: int = 0
    queue_conversations: int = 0
    messages: int = 0
    timeline_entries: int = 0
    conversation_tags: int = 0
    by_status: dict = field(default_factory=dict)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages-per-conversation", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    instance = start(args.database_url, serve=False)
    try:
        setup_django(instance)
        began = time.perf_counter()
        sizes = seed(args.conversations, args.messages_per_conversation, random.Random(args.seed))
        seeded = time.perf_counter() - began
        print(f"seeded in {seeded:.1f} s", flush=True)
        began = time.perf_counter()
        analyze()
        analyzed = time.perf_counter() - began
        print(f"analyzed in {analyzed:.1f} s", flush=True)

        rng = random.Random(args.seed + 1)
        plans = {role: plan(email, args.requests, rng) for role, email in roles().items()}
        profiles = {role: profile(p) for role, p in plans.items()}
        from django.db import connections

        connections.close_all()

        serve(instance)
        latencies = {role: measure(instance.url, p) for role, p in plans.items()}
        result = report(args, instance, sizes, seeded, analyzed, latencies, profiles)
        print_table(result, profiles)
        print(json.dumps(result, indent=2, ensure_ascii=False))
    finally:
        shutdown(instance)


def setup_django(instance: Instance) -> None:
    os.environ["PARLEY_VAR_DIR"] = instance.env["PARLEY_VAR_DIR"]
    os.environ["PARLEY_LOG_LEVEL"] = "WARNING"
    if "PARLEY_DATABASE_URL" in instance.env:
        os.environ["PARLEY_DATABASE_URL"] = instance.env["PARLEY_DATABASE_URL"]
    os.environ["DJANGO_SETTINGS_MODULE"] = "parley.settings"
    import django

    django.setup()


def roles() -> dict[str, str]:
    return {"admin": BENCH_ADMIN, "agent": BENCH_AGENT}


# --- seeding ---------------------------------------------------------------------------------


@contextmanager
def manual_timestamps():
    """Let bulk inserts keep the timestamps we give them instead of auto_now(_add)."""
    from parley.conversations.models import Conversation, Message, TimelineEntry
    from parley.customers.models import Customer, Identity

    fields = [
        model._meta.get_field(name)
        for model, name in (
            (Conversation, "created_at"),
            (Conversation, "updated_at"),
            (Message, "created_at"),
            (TimelineEntry, "created_at"),
            (Customer, "created_at"),
            (Customer, "updated_at"),
            (Identity, "created_at"),
        )
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def seed(conversations: int, per_conversation: int, rng: random.Random) -> "Sizes":
    from django.db import connection, transaction

    with manual_timestamps(), transaction.atomic():
        seeder = Seeder(rng)
        seeder.workspace()
        seeder.customers(max(100, conversations // 5))
        seeder.conversations(conversations, per_conversation)
        seeder.clocks_and_scores()
    if connection.vendor == "postgresql":
        reset_sequences()
    return seeder.sizes


def reset_sequences() -> None:
    from django.core.management.color import no_style
    from django.db import connection

    from parley.conversations.models import Conversation, Message, TimelineEntry
    from parley.customers.models import Customer, Identity

    models = [Customer, Identity, Conversation, Message, TimelineEntry]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


class Seeder:
    def __init__(self, rng: random.Random) -> None:
        from django.utils import timezone

        self.rng = rng
        self.now: datetime = timezone.now()
        self.sizes = Sizes()
        self.first_names: list[str] = []
        self.names: list[str] = []
        self.korean: list[bool] = []

    def workspace(self) -> None:
        from parley.accounts.models import Agent, Team
        from parley.connectors.models import Channel
        from parley.conversations.models import Tag

        agents = []
        for email, name, role, _teams in AGENTS:
            agent = Agent(
                username=email,
                email=email,
                display_name=name,
                role=role,
                is_staff=role == "admin",
                is_superuser=role == "admin",
            )
            agent.set_unusable_password()
            agents.append(agent)
        Agent.objects.bulk_create(agents)
        agents = list(Agent.objects.order_by("pk"))
        teams = {name: Team.objects.create(name=name) for name in (SALES, CARE)}
        for agent, (*_, team_names) in zip(agents, AGENTS, strict=True):
            for name in team_names:
                teams[name].members.add(agent)
        self.agents = agents
        self.agent_names = {agent.pk: str(agent) for agent in agents}
        self.team_names = {team.pk: name for name, team in teams.items()}
        self.members = {
            team.pk: [a.pk for a, (*_, names) in zip(agents, AGENTS, strict=True) if n in names]
            for n, team in teams.items()
        }
        self.agent_teams = {
            a.pk: [teams[n].pk for n in names]
            for a, (*_, names) in zip(agents, AGENTS, strict=True)
        }
        # Who picks up work from channels without a team.
        self.handlers = [a.pk for a in agents]
        self.channels = [
            Channel.objects.create(kind=kind, name=name, team=teams[team] if team else None)
            for kind, name, team, _ in CHANNELS
        ]
        self.channel_weights = [weight for *_, weight in CHANNELS]
        self.tags = [Tag.objects.create(name=name).pk for name in TAGS]
        self.sizes.agents, self.sizes.teams = len(agents), len(teams)
        self.sizes.channels = len(self.channels)

    def customers(self, n: int) -> None:
        from parley.customers.models import Customer, CustomerNote, Identity

        rng = self.rng
        customers, identities, notes = [], [], []
        for i in range(1, n + 1):
            korean = rng.random() < 0.1
            if korean:
                name = rng.choice(KOREAN_NAMES)
                first, slug = name, f"user{i}"
            else:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                name, slug = f"{first} {last}", f"{first}.{last}".lower().replace("'", "")
            at = self.now - timedelta(days=rng.uniform(0, 400))
            self.first_names.append(first)
            self.names.append(name)
            self.korean.append(korean)
            attributes = {"plan": rng.choice(("free", "plus", "pro"))} if rng.random() < 0.3 else {}
            customers.append(
                Customer(id=i, name=name, attributes=attributes, created_at=at, updated_at=at)
            )
            identities.append(
                Identity(
                    id=i,
                    customer_id=i,
                    kind="email",
                    value=f"{slug}.{i}@{rng.choice(DOMAINS)}",
                    display_name=name,
                    created_at=at,
                )
            )
            if rng.random() < 0.01:
                notes.append(
                    CustomerNote(
                        customer_id=i,
                        author_id=rng.choice(self.handlers),
                        body="Long-time customer. Offer free express shipping.",
                        pinned=rng.random() < 0.5,
                    )
                )
        Customer.objects.bulk_create(customers, batch_size=BATCH)
        Identity.objects.bulk_create(identities, batch_size=BATCH)
        CustomerNote.objects.bulk_create(notes, batch_size=BATCH)
        self.sizes.customers = n

    def conversations(self, n: int, per_conversation: int) -> None:
        from parley.conversations.models import Conversation, Message, TimelineEntry
        from parley.demo import STORIES

        rng = self.rng
        self.stories = {
            korean: [s for s in STORIES if s.korean == korean] for korean in (False, True)
        }
        statuses = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()), k=n)
        starts = sorted(
            (self.now - timedelta(days=rng.uniform(*AGE_DAYS[status])), status)
            for status in statuses
        )
        counts = message_counts(rng, [status for _, status in starts], per_conversation)
        self.next_message, self.next_entry = 1, 1
        writer = RowWriter()
        for offset in range(0, n, CHUNK):
            self.rows = Rows()
            for i in range(offset, min(n, offset + CHUNK)):
                created, status = starts[i]
                self.conversation(writer, i + 1, created, status, counts[i])
            writer.insert(Conversation, CONVERSATION_COLUMNS, self.rows.conversations)
            writer.insert(Message, MESSAGE_COLUMNS, self.rows.messages)
            writer.insert(TimelineEntry, ENTRY_COLUMNS, self.rows.entries)
            writer.insert(Conversation.tags.through, TAGGING_COLUMNS, self.rows.taggings)
            self.sizes.messages += len(self.rows.messages)
            self.sizes.timeline_entries += len(self.rows.entries)
            self.sizes.conversation_tags += len(self.rows.taggings)
        self.sizes.conversations = n
        self.sizes.by_status = {s: statuses.count(s) for s in STATUS_WEIGHTS}
        self.sizes.queue_conversations = sum(
            self.sizes.by_status[s] for s in ("new", "open", "pending")
        )

    def clocks_and_scores(self) -> None:
        """SLA clocks (due from 3 h ago to 3 h ahead) and priority scores on the queue, so
        that the SLA views and the due and score sorts have something to sort."""
        from parley.conversations.models import QUEUE_STATUSES, Conversation
        from parley.sla.models import ConversationSla

        queue = list(
            Conversation.objects.filter(status__in=QUEUE_STATUSES).values_list("pk", "created_at")
        )
        clocks = []
        for pk, created in queue:
            due = self.now + timedelta(minutes=self.rng.uniform(-180, 180))
            breached = due if due < self.now else None
            clocks.append(
                ConversationSla(
                    conversation_id=pk,
                    started_at=created,
                    first_response_due_at=due,
                    first_response_breached_at=breached,
                    next_due_at=due,
                    breached_at=breached,
                )
            )
        ConversationSla.objects.bulk_create(clocks, batch_size=BATCH)
        for band in range(0, 100, 10):
            ids = [pk for pk, _ in queue if self.rng.randrange(10) == band // 10]
            Conversation.objects.filter(pk__in=ids).update(priority_score=band + 5)

    def conversation(
        self, writer: "RowWriter", cid: int, created: datetime, status: str, count: int
    ) -> None:
        from parley.core.text import preview

        rng, ts, rows = self.rng, writer.ts, self.rows
        channel = rng.choices(self.channels, self.channel_weights)[0]
        team = channel.team_id
        if team and rng.random() < 0.1:
            team = next(t for t in self.members if t != team)
        assignee = None
        if rng.random() < (0.15 if status == "new" else 0.92):
            assignee = rng.choice(self.members[team] if team else self.handlers)
            if team is None and self.agent_teams[assignee] and rng.random() < 0.5:
                team = rng.choice(self.agent_teams[assignee])
        writers = [assignee] if assignee else self.members[team] if team else self.handlers
        customer = 1 + (
            rng.randrange(max(1, len(self.names) // 10))
            if rng.random() < 0.3
            else rng.randrange(len(self.names))
        )
        korean = self.korean[customer - 1]
        story = rng.choice(self.stories[korean]).filled(
            order=str(rng.randint(10000, 99999)), first=self.first_names[customer - 1]
        )

        directions = self.directions(status, count)
        offsets, total = [], 0.0
        for i, direction in enumerate(directions):
            total += rng.uniform(*GAP_SECONDS[direction]) if i else 0.0
            offsets.append(total)
        room = max(60.0, (self.now - created).total_seconds() - 60)
        scale = min(1.0, room / total) if total else 1.0

        self.entry(writer, cid, "created", created, actor_label="customer")
        seen: set[str] = set()
        last_out, texts, times = None, [], []
        for n, (direction, offset) in enumerate(zip(directions, offsets, strict=True)):
            at = created + timedelta(seconds=offset * scale)
            mid = self.next_message
            self.next_message += 1
            author = None if direction == "in" else rng.choice(writers)
            text, html_body = self.text(direction, story, seen, channel.kind, customer, texts)
            delivery, reason = "", ""
            if direction == "in":
                delivery = "received"
            elif direction == "out":
                delivery = rng.choices(("sent", "delivered", "read", "failed"), (2, 5, 12, 1))[0]
                reason = "recipient unreachable" if delivery == "failed" else ""
            quoting = last_out if channel.kind == "api" and direction == "in" else None
            rows.messages.append(
                (
                    mid,
                    cid,
                    channel.pk,
                    direction,
                    text,
                    html_body,
                    author,
                    None if direction == "note" else f"bench-{direction}-{mid}",
                    quoting if quoting and rng.random() < 0.2 else None,
                    delivery,
                    reason,
                    1 if direction == "out" else 0,
                    ts(at),
                    ts(at + timedelta(seconds=2)) if direction == "out" else None,
                    "{}",
                    "{}",
                    None,
                )
            )
            self.entry(
                writer,
                cid,
                ENTRY_KINDS[direction],
                at,
                actor=author,
                actor_label="customer" if direction == "in" else "",
                message=mid,
            )
            if direction == "out":
                last_out = mid
            texts.append(text)
            times.append((direction, at, text))
            if n == 0 and assignee:
                self.entry(
                    writer,
                    cid,
                    "assigned",
                    min(at + timedelta(seconds=rng.uniform(30, 1800)), self.now),
                    actor_label="rule: round robin",
                    data={
                        "assignee": self.agent_names[assignee],
                        "team": self.team_names.get(team),
                    },
                )

        inbound = [at for d, at, _ in times if d == "in"]
        outbound = [at for d, at, _ in times if d == "out"]
        spoken = [(d, at, text) for d, at, text in times if d != "note"]
        updated = times[-1][1]
        resolved_at = None
        if status in ("resolved", "closed"):
            resolved_at = min(updated + timedelta(seconds=rng.uniform(60, 7200)), self.now)
            updated = resolved_at
            self.entry(
                writer,
                cid,
                "status_changed",
                resolved_at,
                actor=rng.choice(writers),
                data={"old": "open", "new": "resolved"},
            )
        waiting_since = None
        if status in ("new", "open") and spoken[-1][0] == "in":
            for d, at, _ in reversed(spoken):
                if d != "in":
                    break
                waiting_since = at
        rows.conversations.append(
            (
                cid,
                channel.pk,
                customer,
                f"<{cid}.bench@mail.example>" if channel.kind == "email" else f"t-{cid}",
                story.subject if channel.kind in SUBJECT_KINDS else "",
                status,
                rng.choices(list(PRIORITY_WEIGHTS), list(PRIORITY_WEIGHTS.values()))[0],
                assignee,
                team,
                preview(spoken[-1][2], 160),
                ts(created),
                ts(updated),
                ts(outbound[0]) if outbound else None,
                ts(inbound[-1]) if inbound else None,
                ts(outbound[-1]) if outbound else None,
                ts(resolved_at),
                ts(waiting_since),
                "{}",
                0,
                "[]",
            )
        )
        tag_count = rng.choices((0, 1, 2), (4, 4, 2))[0]
        rows.taggings += [(cid, tag) for tag in rng.sample(self.tags, tag_count)]

    def directions(self, status: str, count: int) -> list[str]:
        rng = self.rng
        if status == "new":
            return ["in"] * count
        directions, last = ["in"], "in"
        for _ in range(count - 1):
            if rng.random() < 0.1:
                directions.append("note")
            else:
                last = "out" if last == "in" else "in"
                directions.append(last)
        # Pending and finished work ends with our reply; some open work is waiting on us.
        want_out = status != "open" or rng.random() < 0.4
        final = max(i for i, d in enumerate(directions) if d != "note")
        if final and want_out and directions[final] == "in":
            directions[final] = "out"
        elif not want_out and directions[final] == "out":
            directions[final] = "in"
        return directions

    def text(self, direction, story, seen, kind, customer, texts) -> tuple[str, str]:
        rng = self.rng
        first = {"in": story.asks, "out": story.answer, "note": story.note}[direction]
        if direction not in seen and first:
            text = first
        elif direction == "in":
            again = story.again if "again" not in seen else ""
            text = again or rng.choice(FOLLOW_UPS[self.korean[customer - 1]])
            seen.add("again")
        else:
            replies = REPLIES[self.korean[customer - 1]]
            text = rng.choice(replies if direction == "out" else NOTES)
        seen.add(direction)
        if direction != "in" or kind != "email":
            return text, ""
        text += SIGNATURE.format(name=self.names[customer - 1])
        body = "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"
        if texts:
            quoted = html.escape(texts[-1]).replace("\n", "<br>")
            body += f"<blockquote><p>On a previous day, support wrote:</p>{quoted}</blockquote>"
        return text, body

    def entry(self, writer, cid, kind, at, *, actor=None, actor_label="", message=None, data=None):
        eid = self.next_entry
        self.next_entry += 1
        self.rows.entries.append(
            (
                eid,
                cid,
                kind,
                actor,
                actor_label,
                message,
                json.dumps(data or {}),
                writer.ts(at),
            )
        )


@dataclass
class Rows:
    conversations: list[tuple] = field(default_factory=list)
    messages: list[tuple] = field(default_factory=list)
    entries: list[tuple] = field(default_factory=list)
    taggings: list[tuple] = field(default_factory=list)


class RowWriter:
    """Plain multi-row inserts (COPY on PostgreSQL): the big tables skip the ORM's per-row work."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"

    def ts(self, value: datetime | None):
        # Values are UTC; SQLite stores them the way Django does, as naive UTC text.
        if value is None or self.postgres:
            return value
        return str(value.replace(tzinfo=None))

    def insert(self, model, columns: tuple[str, ...], rows: list[tuple]) -> None:
        expected = {f.column for f in model._meta.concrete_fields} - {"id"}
        if expected - set(columns):
            raise RuntimeError(f"{model.__name__} has new columns: {expected - set(columns)}")
        quote = self.connection.ops.quote_name
        table, names = quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
        with self.connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, rows)


def message_counts(rng: random.Random, statuses: list[str], per_conversation: int) -> list[int]:
    """Varied thread lengths (new: 1-3, a few long ones) that add up to n * per_conversation."""
    counts = []
    for status in statuses:
        if status == "new":
            counts.append(rng.randint(1, 3))
        elif rng.random() < 0.01:
            counts.append(rng.randint(15, 40))
        else:
            counts.append(rng.randint(2, max(2, 2 * per_conversation - 2)))
    movable = [i for i, s in enumerate(statuses) if s != "new"] or list(range(len(statuses)))
    floor = 2 if len(movable) < len(statuses) else 1
    diff = per_conversation * len(statuses) - sum(counts)
    while diff:
        i = rng.choice(movable)
        if diff > 0:
            counts[i] += 1
            diff -= 1
        elif counts[i] > floor:
            counts[i] -= 1
            diff += 1
    return counts


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Plan:
    email: str
    cookie: str = ""
    endpoints: dict[str, list[str]] = field(default_factory=dict)


def plan(email: str, requests: int, rng: random.Random) -> Plan:
    """Log the agent in and pick the pages to fetch: each view N times, N conversations."""
    from django.test import Client

    from parley.accounts.models import Agent
    from parley.conversations.access import visible_conversations

    agent = Agent.objects.get(email=email)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(agent)
    result = Plan(email, client.cookies["sessionid"].value)
    for view in VIEWS:
        result.endpoints[f"inbox/{view}"] = [f"/inbox/{view}/"] * requests
    for query in ("sort=due", "sort=score", "sla=soon", "sla=breached"):
        result.endpoints[f"inbox/all?{query}"] = [f"/inbox/all/?{query}"] * requests
    ids = list(visible_conversations(agent).values_list("pk", flat=True))
    sample = rng.sample(ids, min(requests, len(ids)))
    result.endpoints["conversation"] = [f"/c/{pk}/" for pk in sample]
    return result


def profile(p: Plan, runs: int = 3) -> dict[str, dict]:
    """Run each endpoint in this process and record the SQL it runs (fastest of a few runs)."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = p.cookie
    result = {}
    for name, paths in p.endpoints.items():
        client.get(paths[0])
        elapsed, captured, response = min(
            (traced(client, paths[0]) for _ in range(runs)), key=lambda run: run[0]
        )
        if response.status_code != 200:
            raise RuntimeError(f"{paths[0]}: HTTP {response.status_code}")
        seconds, sql, params = max(captured, key=lambda c: c[0])
        result[name] = {
            "path": paths[0],
            "in_process_ms": round(elapsed * 1000, 1),
            "queries": len(captured),
            "sql_ms": round(sum(c[0] for c in captured) * 1000, 1),
            "slowest_sql_ms": round(seconds * 1000, 1),
            "slowest_sql": sql,
            "rows": response.content.count(b'class="row '),
            "plan": explain(sql, params) if seconds * 1000 >= SLOW_QUERY_MS else "",
        }
    return result


def traced(client, path: str):
    from django.db import connection

    captured: list[tuple[float, str, tuple]] = []

    def record(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append((time.perf_counter() - began, sql, params))

    began = time.perf_counter()
    with connection.execute_wrapper(record):
        response = client.get(path)
    return time.perf_counter() - began, captured, response


def explain(sql: str, params: tuple) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(f"{row[0]:>3} {row[1]:>3} {row[3]}" for row in cursor.fetchall())


def serve(instance: Instance) -> None:
    instance.process = subprocess.Popen(
        [PARLEY, "web", "--port", str(instance.port)],
        env=instance.env,
        stdout=subprocess.DEVNULL,
    )
    wait_for(instance)


def measure(url: str, p: Plan, warmup: int = 5) -> dict[str, tuple[list[float], int]]:
    """Per endpoint: the latency of each request (seconds) and the mean response size."""
    result: dict[str, tuple[list[float], int]] = {}
    with httpx.Client(base_url=url, cookies={"sessionid": p.cookie}, timeout=60) as client:
        for name, paths in p.endpoints.items():
            for path in paths[:warmup]:
                client.get(path)
            times, size = [], 0
            for path in paths:
                began = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - began)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: HTTP {response.status_code}")
                size += len(response.content)
            result[name] = (times, size // len(paths))
    return result


def report(args, instance, sizes, seeded, analyzed, latencies, profiles) -> dict:
    endpoints: dict[str, dict] = {}
    slow = []
    for role, by_endpoint in latencies.items():
        endpoints[role] = {}
        for name, (times, size) in by_endpoint.items():
            p95 = round(percentile(times, 0.95) * 1000, 1)
            info = profiles[role][name]
            endpoints[role][name] = {
                "p50_ms": round(percentile(times, 0.50) * 1000, 1),
                "p95_ms": p95,
                "max_ms": round(max(times) * 1000, 1),
                "requests": len(times),
                "bytes": size,
                "in_process_ms": info["in_process_ms"],
                "queries": info["queries"],
                "sql_ms": info["sql_ms"],
                "slowest_sql_ms": info["slowest_sql_ms"],
            }
            if p95 >= TARGET_P95_MS:
                slow.append(f"{role} {name}")
    database = "PostgreSQL" if args.database_url else "SQLite"
    if args.database_url:
        version = instance.sql("SHOW server_version")[0][0].split()[0]
    else:
        import sqlite3

        version = sqlite3.sqlite_version
    return {
        "database": f"{database} {version}",
        "conversations": sizes.conversations,
        "queue_conversations": sizes.queue_conversations,
        "by_status": sizes.by_status,
        "messages": sizes.messages,
        "timeline_entries": sizes.timeline_entries,
        "customers": sizes.customers,
        "agents": sizes.agents,
        "channels": sizes.channels,
        "conversation_tags": sizes.conversation_tags,
        "seed_seconds": round(seeded, 1),
        "analyze_seconds": round(analyzed, 1),
        "requests_per_endpoint": args.requests,
        "target_p95_ms": TARGET_P95_MS,
        "endpoints": endpoints,
        "over_target": slow,
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load {os.getloadavg()[0]:.1f}",
    }


def print_table(result: dict, profiles: dict) -> None:
    for role, by_endpoint in profiles.items():
        for name, info in by_endpoint.items():
            if info["plan"]:
                print(f"\n{role} {name}: slowest SQL {info['slowest_sql_ms']} ms")
                print(info["slowest_sql"])
                print(info["plan"])
    print(f"\n{result['database']}: {result['conversations']} conversations, ", end="")
    print(f"{result['messages']} messages, seeded in {result['seed_seconds']} s")
    print(
        f"{'endpoint':<18}{'role':<7}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'queries':>9}{'SQL ms':>8}{'view ms':>9}"
    )
    for role, by_endpoint in result["endpoints"].items():
        for name, row in by_endpoint.items():
            flag = "  over target" if row["p95_ms"] >= TARGET_P95_MS else ""
            print(
                f"{name:<18}{role:<7}{row['p50_ms']:>8}{row['p95_ms']:>8}"
                f"{row['queries']:>9}{row['sql_ms']:>8}{row['in_process_ms']:>9}{flag}"
            )
    print(flush=True)


def shutdown(instance: Instance) -> None:
    if "django" in sys.modules:
        from django.db import connections

        connections.close_all()
    url = instance.env.get("PARLEY_DATABASE_URL", "")
    instance.stop()
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
