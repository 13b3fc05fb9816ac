"""The demo workspace: an online shop's support team with a lived-in shared inbox.

Customers write in through the real ingest pipeline and agents work the conversations through
the same actions the UI uses; afterwards the timestamps are spread over the last two weeks.
"""

import random
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from parley.accounts.actions import create_agent, save_team
from parley.accounts.models import Agent, Role, Team
from parley.connectors.actions import save_channel
from parley.connectors.base import InboundMessage
from parley.connectors.models import Channel, ChannelKind
from parley.conversations import actions
from parley.conversations.ingest import ingest_message
from parley.conversations.models import (
    Conversation,
    DeliveryStatus,
    Direction,
    EntryKind,
    Message,
    Priority,
    Status,
    TimelineEntry,
)
from parley.customers.actions import add_customer_note, update_customer
from parley.customers.models import Customer, CustomerNote, Identity, IdentityKind, Order
from parley.customers.orders import OrderData, record_order
from parley.customers.resolve import IdentityRef, link_identities
from parley.kb.demo import load_demo_articles
from parley.replies.demo import load_demo_replies

DEMO_ADMIN_EMAIL = "admin@example.com"
DEMO_PASSWORD = "parley-demo"  # noqa: S105
CONVERSATIONS = 150
SALES, CARE = "Sales & Orders", "Customer Care"

# key, e-mail, name, role, language, teams
AGENTS = (
    ("alex", DEMO_ADMIN_EMAIL, "Alex Morgan", Role.ADMIN, "", ()),
    ("priya", "priya@example.com", "Priya Shah", Role.LEAD, "", (SALES, CARE)),
    ("sam", "sam@example.com", "Sam Carter", Role.AGENT, "", (SALES,)),
    ("mina", "mina@example.com", "Mina Park", Role.AGENT, "ko", (SALES, CARE)),
    ("jonas", "jonas@example.com", "Jonas Weber", Role.AGENT, "", (CARE,)),
)
HANDLERS = {"sam": 6, "jonas": 6, "mina": 4, "priya": 2, "alex": 1}
# kind: (name, team, the kind of identity its customers write from)
CHANNELS: dict[str, tuple[str, str | None, str]] = {
    ChannelKind.EMAIL: ("Email · help@juniper-outfitters.example", CARE, IdentityKind.EMAIL),
    ChannelKind.CHAT: ("Website chat", None, IdentityKind.CHAT),
    ChannelKind.WEBFORM: ("Contact form", CARE, IdentityKind.EMAIL),
    ChannelKind.MESSENGER: ("Facebook Messenger", None, IdentityKind.MESSENGER),
    ChannelKind.INSTAGRAM: ("Instagram DMs @juniper.outfitters", None, IdentityKind.INSTAGRAM),
    ChannelKind.INSTAGRAM_COMMENT: ("Instagram comments", None, IdentityKind.INSTAGRAM),
    ChannelKind.WHATSAPP: ("WhatsApp +1 415 555 0100", SALES, IdentityKind.WHATSAPP),
    ChannelKind.X: ("X @juniperoutfit", None, IdentityKind.X),
    ChannelKind.API: ("Mobile app (API)", SALES, IdentityKind.API),
}
SUBJECT_KINDS = {"email", "webform", "api", "instagram_comment"}
RECEIPT_KINDS = {ChannelKind.WHATSAPP, ChannelKind.MESSENGER, ChannelKind.INSTAGRAM}
EXTRA_KINDS = (ChannelKind.EMAIL, ChannelKind.INSTAGRAM, ChannelKind.WHATSAPP, ChannelKind.CHAT)
TAG_COLORS = {
    "refund": "#dc2626", "shipping": "#2563eb", "vip": "#ca8a04", "bug": "#7c3aed",
    "order-status": "#0d9488", "wholesale": "#16a34a", "discount": "#db2777",
    "payment": "#ea580c", "sizing": "#64748b", "restock": "#0891b2", "invoice": "#4b5563",
}  # fmt: skip
STATUS_WEIGHTS = {"new": 16, "open": 32, "pending": 18, "resolved": 20, "closed": 14}
# How many hours ago a conversation in each status began.
AGE_HOURS = {"new": (0.2, 30), "open": (2, 120), "pending": (10, 200), "resolved": (24, 300),
             "closed": (120, 336)}  # fmt: skip
# Seconds that pass before each kind of timeline entry.
GAP_SECONDS = {"message_received": (900, 21600), "reply_sent": (240, 5400), "note_added": (60, 900),
               "handoff": (600, 7200), "delivery_failed": (2, 20),
               "status_changed": (30, 1800)}  # fmt: skip

EN_NAMES = """Emma Johnson, Liam Brown, Olivia García, Noah Wilson, Ava Martinez, Ethan Anderson,
Sophia Taylor, Lucas Thomas, Mia Moore, Mason Jackson, Isabella White, Logan Harris, Zoe Young,
Chloé Martin, James Thompson, Amelia Clark, Benjamin Lewis, Harper Robinson, Elijah Walker,
Henry Allen, Aisha Khan, Mateo Rossi, Freya Lindqvist, Oscar Novak, Lily Bennett, Daniel O'Brien,
Grace Kelly, Samuel Okafor, Nora Fischer, Leo Dubois, Hannah Schmidt, Jack Murphy"""
KO_NAMES = """김지은 jieun.kim, 박서준 seojun.park, 이하늘 haneul.lee, 최민호 minho.choi,
정유나 yuna.jung, 한소희 sohee.han, 오세훈 sehun.oh, 윤아름 areum.yoon"""
EN_DOMAINS = ("gmail.com", "outlook.com", "icloud.com", "proton.me", "yahoo.com")
US_AREAS = ("415", "212", "312", "206", "617", "512")

# One block per story: `tags | subject`, then > the customer asks, < the answer,
# + what the customer writes next, ! an internal note. Indented lines continue the one above.
STORIES_TEXT = """
order-status shipping | Where is my order #{order}?
> Hi! I ordered the Harbor rain jacket last week (order #{order}) and tracking hasn't moved
  since Tuesday. Any idea when it will arrive?
< Hi {first}, sorry for the wait! #{order} is held at the carrier's hub after the storm and
  should be out for delivery within 2 business days. I'm keeping an eye on it.
+ Thanks. Still nothing today though, should I be worried?
! Opened a trace with the carrier for #{order}, ref TR-55812.

refund | Return and refund for #{order}
> Hello, I'd like to return the linen shirt from order #{order}, it's too big. How do I get a
  refund?
< No problem, {first}! I've e-mailed you a prepaid return label. Once the parcel is scanned we
  refund your card within 3-5 business days.
+ Dropped it off at the post office this morning 👍
! Refund of $58.00 approved for #{order}, releases on the first carrier scan.

sizing | Trailhead boots sizing
> Do the Trailhead boots run small? I'm usually a 9.5, sometimes a 10 in sneakers.
< They run about half a size small, so we'd recommend a 10. Exchanges are free for 30 days.
+ Perfect, ordered the 10. Can I still use my discount code on it?

discount bug | Discount code not working
> The code SPRING15 from yesterday's newsletter says "invalid" at checkout. Expired already?
< Sorry, {first}! It only applies to full-price items and one item in your cart was on sale.
  I've applied the 15% to order #{order} by hand.
+ Hmm, my confirmation e-mail still shows the full price.
! Checkout rejects SPRING15 typed in lowercase. Reported to the web team (WEB-412).

shipping refund | Order #{order} arrived damaged
> My stoneware mug set (order #{order}) arrived with two mugs broken. What can I do?
< I'm so sorry, {first}! A replacement set ships today at no cost, no need to send the broken
  ones back.
+ Thank you, that was fast!
! Damage claim filed with the carrier, photos saved on the order.

wholesale | Wholesale pricing for our boutique
> Hi, we run a small boutique in Portland and would love to stock your soy candles. Do you
  offer wholesale pricing?
< Thanks for reaching out, {first}! Our wholesale minimum is $300 at 50% off retail. I've
  attached the line sheet and can set up your account today.
+ Great, we'd like to start with 24 candles. How do we place the order?
! Potential B2B account, they asked for net-30 terms. Check credit before approving.

order-status | Wrong shipping address on #{order}
> I just placed order #{order} with my old address! Can you change it to 18 Bay Street, Apt 4?
< Caught it just in time! #{order} now goes to 18 Bay Street, Apt 4 and ships tomorrow.

payment bug | Card declined at checkout
> My card keeps getting declined at checkout but my bank says everything is fine on their side.
< Thanks for telling us, {first}. Our payment provider had a hiccup this morning and it's fixed
  now. Could you try again? Your cart is still saved.
+ It went through now, thanks!
! Payment provider incident 10:05-10:40, about 30 failed checkouts. Following up with each.

order-status refund | Please cancel order #{order}
> Please cancel order #{order}, I picked the wrong colour. I wanted sage green, not olive.
< Done! #{order} is cancelled and fully refunded; it can take 3-5 days to show on your card.

shipping order-status | Order #{order} needed by Saturday
> Order #{order} has to arrive before my sister's birthday on Saturday and still says "label
  created". Can anything be done?
< I understand, {first}. I've upgraded #{order} to free express shipping, it arrives Friday.
+ It's Friday evening and it's still not here...
! Express upgrade done, $14.90 absorbed. Warehouse confirms carrier pick-up at 16:00.

restock invoice | Restock and VAT invoice
> When is the oatmeal cardigan in M back? Also, could I get a VAT invoice for #{order}?
< The cardigan is due back around the 20th, and the VAT invoice for #{order} is attached.
+ Great, please add me to the restock alert!

order-status shipping | 주문번호 {order} 배송 문의
> 주문번호 {order} 배송이 언제 되나요? 일주일째 배송
  준비 중으로 나와요.
< 기다리게 해드려 죄송합니다. 주문번호 {order}은 오늘
  출고되어 2~3일 안에 도착할 예정입니다.
+ 아직 배송 조회가 안 돼요.
! 택배사 송장 등록 지연, 내일 오전에 다시 확인 예정

payment bug | 결제 오류
> 결제가 안 돼요. 카드 승인이 계속 거절됩니다.
< 불편을 드려 죄송합니다. 결제 시스템 점검이 끝났으니
  다시 한 번 시도해 주시겠어요?
+ 이제 결제됐어요. 감사합니다!
! Korean cards failing 3-D Secure since this morning, reported to payments.

refund | 환불 요청
> 환불 요청드립니다. 주문번호 {order} 니트가 너무 커요.
< 반품 라벨을 이메일로 보내드렸습니다. 상품이 도착하면
  3~5일 안에 환불 처리됩니다.
+ 오늘 택배 보냈어요.
! 환불 승인 완료 (#{order}), 입고 확인 후 처리

discount sizing | 할인 코드와 사이즈 교환
> 할인 코드 SPRING15가 적용이 안 돼요. 사이즈 교환도
  가능한가요?
< 코드는 정가 상품에만 적용돼서 주문번호 {order}에 15%
  할인을 직접 적용해 드렸어요. 교환은 30일 이내 무료입니다.
"""
COMMENTS_TEXT = """
| Post: the spring linen drop
> Is this available in green? 😍
< Yes! Sage green is back in stock in every size 💚

shipping order-status | Post: new candle scents
> Ordered two weeks ago and still nothing. Order #{order}. Not impressed.
< So sorry {first}! We've sent you a DM so we can sort this out right away.
! Moved to DMs, the parcel is stuck at customs.

shipping | Post: the spring linen drop
> 이 제품 한국으로도 배송되나요?
< 네! 한국으로도 배송됩니다. 보통 7~10일 정도 걸려요 📦
"""
HANDOFF_NOTES = (
    "Going off shift. Customer is waiting on the carrier's answer, details are in the notes.",
    "Can you take this one? I'm on the warehouse call all afternoon.",
    "Passing this over: you handled this customer's last order.",
)
NUDGE = {False: "Any update on this?", True: "혹시 진행 상황 있을까요?"}
WRAP_UP = {
    (False, True): "Thanks! I've passed this on and will write again once the warehouse replies.",
    (False, False): "All sorted now. Let us know if there's anything else we can do!",
    (True, True): "확인 감사합니다. 물류팀 답변을 받는 대로 다시 연락드리겠습니다.",
    (True, False): "처리 완료되었습니다. 궁금하신 점이 있으면 언제든 문의해 주세요!",
}
# title, price (USD; KRW orders reuse the figures, it is a demo)
CATALOGUE = [
    ("Harbor rain jacket", "129.00"),
    ("Linen shirt", "58.00"),
    ("Stoneware mug set", "42.00"),
    ("Oatmeal cardigan", "89.00"),
    ("Beeswax candle", "18.00"),
    ("Canvas tote", "24.00"),
]
VIP_NOTE = "Long-time customer. Always offer free express shipping and check in after delivery."
WHATSAPP_WINDOW = "(#131047) More than 24 hours have passed since the customer last replied."


@dataclass(frozen=True)
class Story:
    tags: tuple[str, ...]
    subject: str
    asks: str
    answer: str
    again: str = ""
    note: str = ""

    @property
    def korean(self) -> bool:
        return any("가" <= char <= "힣" for char in self.asks)

    def filled(self, **facts: str) -> "Story":
        texts = ("subject", "asks", "answer", "again", "note")
        return replace(self, **{name: getattr(self, name).format(**facts) for name in texts})


def parse_stories(text: str) -> list[Story]:
    stories = []
    for block in text.strip().split("\n\n"):
        head, *lines = block.replace("\n  ", " ").splitlines()
        tags, _, subject = head.partition("|")
        parts = {line[0]: line[2:] for line in lines}
        texts = (parts.get(marker, "") for marker in "><+!")
        stories.append(Story(tuple(tags.split()), subject.strip(), *texts))
    return stories


STORIES = parse_stories(STORIES_TEXT)
COMMENT_STORIES = parse_stories(COMMENTS_TEXT)


@dataclass(frozen=True)
class Person:
    key: int
    name: str
    email: str
    phone: str  # E.164 digits, which is also the WhatsApp id
    kinds: tuple[str, ...]
    korean: bool = False
    vip: bool = False

    @property
    def first(self) -> str:
        return self.name.split()[0]

    @property
    def country(self) -> str:
        return {"82": "KR", "44": "GB"}.get(self.phone[:2], "US")

    def identity(self, kind: str) -> str:
        n = self.key
        values: dict[str, str] = {
            IdentityKind.EMAIL: self.email,
            IdentityKind.WHATSAPP: self.phone,
            IdentityKind.CHAT: f"visitor-{n * 2654435761 % 16**8:08x}",
            IdentityKind.MESSENGER: str(7301000000000000 + n * 7919),
            IdentityKind.INSTAGRAM: str(17841400000000000 + n * 104729),
            IdentityKind.X: str(1500000000000000000 + n * 982451653),
            IdentityKind.API: f"app-user-{4100 + n}",
        }
        return values[kind]


@dataclass
class Demo:
    rng: random.Random
    agents: dict[str, Agent]
    teams: dict[str, Team]
    channels: dict[str, Channel]
    customers: dict[int, Customer] = field(default_factory=dict)
    placed: set[int] = field(default_factory=set)  # people with an order on file
    now: datetime = field(default_factory=timezone.now)
    received: int = 0

    def team_for(self, agent: Agent, conversation: Conversation) -> Team | None:
        """The conversation's team if the agent is in it, else one of the agent's teams."""
        ids = agent.team_ids()
        if conversation.team_id in ids:
            return conversation.team
        return next((team for team in self.teams.values() if team.pk in ids), None)


@dataclass
class Scene:
    person: Person
    kind: str
    story: Story
    status: str
    agent: Agent
    conversation: Conversation


def workspace_is_empty() -> bool:
    return not Agent.objects.exists() and not Conversation.objects.exists()


def load_demo() -> None:
    """Build the demo workspace. The same seed always gives the same inbox."""
    rng = random.Random(42)
    with transaction.atomic():
        agents = _agents()
        teams = _teams(agents)
        for tag, color in TAG_COLORS.items():
            actions.create_tag(tag, color)
        demo = Demo(rng, agents, teams, _channels(teams))
        people = _people(rng)
        _conversations(demo, people)
        _finish_customers(demo, people)
        _same_shopper_on_instagram(demo, people)
        load_demo_articles(agents["priya"])
        load_demo_replies(agents["priya"], teams[CARE])


def _agents() -> dict[str, Agent]:
    return {
        key: create_agent(email=email, password=DEMO_PASSWORD, name=name, role=role, language=lang)
        for key, email, name, role, lang, _ in AGENTS
    }


def _teams(agents: dict[str, Agent]) -> dict[str, Team]:
    teams = {}
    for team in (SALES, CARE):
        members = [agents[key].pk for key, *_, names in AGENTS if team in names]
        teams[team] = save_team(None, name=team, member_ids=members)
    return teams


def _channels(teams: dict[str, Team]) -> dict[str, Channel]:
    channels: dict[str, Channel] = {}
    for kind, (name, team, _) in CHANNELS.items():
        team_row = teams[team] if team else None
        channels[kind] = save_channel(
            None, kind=kind, name=name, settings={"demo": True}, team=team_row
        )
    return channels


def _people(rng: random.Random) -> list[Person]:
    names = [(name.strip(), "") for name in EN_NAMES.split(",")]
    names += [(ko, roman) for ko, roman in (pair.split() for pair in KO_NAMES.split(","))]
    rng.shuffle(names)
    kinds = list(CHANNELS)
    return [
        _person(rng, i, name, roman, kinds[i % len(kinds)]) for i, (name, roman) in enumerate(names)
    ]


def _person(rng: random.Random, i: int, name: str, roman: str, primary: str) -> Person:
    extra = rng.sample(EXTRA_KINDS, rng.randint(1, 2)) if rng.random() < 0.45 else []
    kinds = (primary, *(kind for kind in extra if kind != primary))
    if roman:
        email = f"{roman}@{rng.choice(('naver.com', 'kakao.com', 'gmail.com'))}"
        phone = f"8210{rng.randint(2000, 9999)}{i:04d}"
    else:
        plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        email = f"{plain.lower().replace(' ', '.').replace(chr(39), '')}@{rng.choice(EN_DOMAINS)}"
        phone = f"447700900{i:03d}" if i % 3 == 0 else f"1{rng.choice(US_AREAS)}55502{i:02d}"
    return Person(i, name, email, phone, kinds, korean=bool(roman), vip=rng.random() < 0.12)


def _conversations(demo: Demo, people: list[Person]) -> None:
    visits: dict[int, int] = {}
    for n in range(CONVERSATIONS):
        person = people[n % len(people)] if n < 2 * len(people) else demo.rng.choice(people)
        seen = visits.get(person.key, 0)
        visits[person.key] = seen + 1
        _play(demo, n, person, person.kinds[seen % len(person.kinds)])


def _play(demo: Demo, n: int, person: Person, kind: str) -> None:
    """One conversation from the customer's first message to where it stands today."""
    rng = demo.rng
    pool = COMMENT_STORIES if kind == ChannelKind.INSTAGRAM_COMMENT else STORIES
    story = rng.choice([s for s in pool if s.korean == person.korean])
    number = str(1001 + n)  # one order per story, never someone else's
    story = story.filled(order=number, first=person.first)
    status = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
    _place_order(demo, person, number)
    text = story.asks
    if kind == ChannelKind.EMAIL:
        text += f"\n\n{'감사합니다.' if story.korean else 'Thanks,'}\n{person.name}"
    subject = story.subject if kind in SUBJECT_KINDS else ""
    conversation = _customer_writes(demo, person, kind, f"demo-{kind}-{n}", text, subject)
    if person.key not in demo.placed:  # their first order, now that they have a profile
        _place_order(demo, person, number)
        conversation.orders.add(
            *Order.objects.filter(number=number, customer=conversation.customer)
        )
    scene = Scene(person, kind, story, status, _handler(demo, person, story), conversation)
    _triage(demo, scene)
    if status != Status.NEW:
        _work(demo, scene)
    _retime(demo, scene)


def _customer_writes(
    demo: Demo, person: Person, kind: str, thread: str, text: str, subject: str = ""
) -> Conversation:
    """Ingest one customer message; a known customer on a new channel gets that identity first."""
    identity_kind = CHANNELS[kind][2]
    value = person.identity(identity_kind)
    customer = demo.customers.get(person.key)
    if customer is not None:
        link_identities(customer, [IdentityRef(identity_kind, value, person.name)], evidence="demo")
    demo.received += 1
    sender = IdentityRef(identity_kind, value, person.name)
    external_id = f"demo-in-{demo.received}"
    channel_id = demo.channels[kind].pk
    inbound = InboundMessage(channel_id, external_id, thread, sender, text, subject=subject)
    message = ingest_message(inbound)
    assert message is not None  # a customer's message always has a conversation
    demo.customers.setdefault(person.key, message.conversation.customer)
    return message.conversation


def _customer_replies(demo: Demo, scene: Scene, text: str) -> None:
    thread = scene.conversation.thread_ref
    scene.conversation = _customer_writes(demo, scene.person, scene.kind, thread, text)


def _handler(demo: Demo, person: Person, story: Story) -> Agent:
    if person.korean:
        return demo.agents["mina"]
    if "wholesale" in story.tags:
        return demo.agents["sam"]
    return demo.agents[demo.rng.choices(list(HANDLERS), list(HANDLERS.values()))[0]]


def _triage(demo: Demo, scene: Scene) -> None:
    rng, conversation = demo.rng, scene.conversation
    _assign(demo, scene)
    actor = conversation.assignee or demo.agents["priya"]
    if scene.person.vip:
        priority = rng.choice((Priority.URGENT, Priority.HIGH))
    elif "bug" in scene.story.tags:
        priority = Priority.HIGH
    else:
        priority = rng.choices(list(Priority), (5, 15, 60, 20))[0]
    actions.set_priority(actor, conversation, priority)
    tags = [*scene.story.tags, *(["vip"] if scene.person.vip else [])]
    if tags and (scene.status != Status.NEW or rng.random() < 0.5):
        actions.set_tags(actor, conversation, tags)


def _assign(demo: Demo, scene: Scene) -> None:
    """Leave it in the queue, give it to a team, hand it to an agent, or hand it off."""
    rng, conversation, agent = demo.rng, scene.conversation, scene.agent
    lead, roll, new = demo.agents["priya"], rng.random(), scene.status == Status.NEW
    if new and roll < 0.4:
        return
    if roll < (0.7 if new else 0.18):
        queue = conversation.team or demo.teams[rng.choice((SALES, CARE))]
        actions.assign_conversation(lead, conversation, assignee=None, team=queue)
    elif roll > (0.75 if scene.person.korean else 0.88):
        _handoff(demo, scene)
    else:
        actor = agent if rng.random() < 0.5 else lead
        team = demo.team_for(agent, conversation)
        actions.assign_conversation(actor, conversation, assignee=agent, team=team)


def _handoff(demo: Demo, scene: Scene) -> None:
    rng, conversation, agent = demo.rng, scene.conversation, scene.agent
    first = demo.agents[
        rng.choice([k for k in ("sam", "jonas", "priya") if demo.agents[k] != agent])
    ]
    team = demo.team_for(first, conversation)
    actions.assign_conversation(demo.agents["priya"], conversation, assignee=first, team=team)
    if scene.person.korean:
        note = "Customer writes in Korean. Mina, can you take this one?"
    elif "wholesale" in scene.story.tags:
        note = "Wholesale enquiry, Sam looks after the B2B accounts."
    else:
        note = rng.choice(HANDOFF_NOTES)
    team = demo.team_for(agent, conversation)
    actions.assign_conversation(first, conversation, assignee=agent, team=team, note=note)


def _work(demo: Demo, scene: Scene) -> None:
    rng, agent, story = demo.rng, scene.agent, scene.story
    if story.note and rng.random() < 0.6:
        actions.add_note(agent, scene.conversation, story.note)
    reply = actions.send_reply(agent, scene.conversation, story.answer)
    if scene.status == Status.OPEN:
        _leave_open(demo, scene, reply)
        return
    pending = scene.status == Status.PENDING
    if story.again and rng.random() < 0.5:
        _customer_replies(demo, scene, story.again)
        actions.send_reply(agent, scene.conversation, WRAP_UP[(story.korean, pending)])
    actions.set_status(agent, scene.conversation, Status.PENDING if pending else Status.RESOLVED)
    if scene.status == Status.CLOSED:
        actions.set_status(agent, scene.conversation, Status.CLOSED)


def _leave_open(demo: Demo, scene: Scene, reply: Message) -> None:
    """Open: the reply did not get through, the customer has not answered yet, or wrote back."""
    rng = demo.rng
    if scene.kind == ChannelKind.WHATSAPP and rng.random() < 0.3:
        actions.record_delivery_status(reply.pk, DeliveryStatus.FAILED, reason=WHATSAPP_WINDOW)
        return
    if rng.random() < 0.3:
        return
    if rng.random() < 0.5:
        actions.set_status(scene.agent, scene.conversation, Status.PENDING)
    _customer_replies(demo, scene, scene.story.again or NUDGE[scene.story.korean])


def _retime(demo: Demo, scene: Scene) -> None:
    """Move the conversation into the past, keeping the order of everything that happened."""
    rng = demo.rng
    entries = list(TimelineEntry.objects.filter(conversation=scene.conversation).order_by("pk"))
    offsets, total, previous = [], 0, None
    for entry in entries:
        total += _gap(rng, entry, previous)
        offsets.append(total)
        previous = entry
    age = rng.uniform(*AGE_HOURS[scene.status]) * 3600
    scale = min(1.0, 0.9 * age / total) if total else 1.0
    start = demo.now - timedelta(seconds=age)
    for entry, offset in zip(entries, offsets, strict=True):
        entry.created_at = start + timedelta(seconds=offset * scale)
        TimelineEntry.objects.filter(pk=entry.pk).update(created_at=entry.created_at)
    messages = _retime_messages(scene, entries)
    _retime_conversation(scene, entries, messages)


def _gap(rng: random.Random, entry: TimelineEntry, previous: TimelineEntry | None) -> int:
    if previous is None:
        return 0
    if previous.actor_label == "customer" and previous.kind != EntryKind.MESSAGE_RECEIVED:
        return 0  # the message that started or reopened the conversation
    if entry.actor_label == "customer":
        lo, hi = GAP_SECONDS[EntryKind.MESSAGE_RECEIVED]
    elif entry.data.get("new") == Status.CLOSED:
        lo, hi = 86400, 3 * 86400
    else:
        lo, hi = GAP_SECONDS.get(entry.kind, (15, 300))
    return rng.randint(lo, hi)


def _retime_messages(scene: Scene, entries: list[TimelineEntry]) -> list[Message]:
    at: dict[int, datetime] = {}
    for entry in entries:
        if entry.message_id is not None:
            at.setdefault(entry.message_id, entry.created_at)
    messages = list(Message.objects.filter(conversation=scene.conversation).order_by("pk"))
    inbound = [at[m.pk] for m in messages if m.direction == Direction.INBOUND]
    for message in messages:
        message.created_at = at[message.pk]
        if message.direction == Direction.INBOUND:
            message.sent_at = message.created_at
        elif message.status == DeliveryStatus.QUEUED:
            message.sent_at = message.created_at + timedelta(seconds=2)
            answered = any(t > message.created_at for t in inbound)
            receipt = DeliveryStatus.READ if answered else DeliveryStatus.DELIVERED
            message.status = receipt if scene.kind in RECEIPT_KINDS else DeliveryStatus.SENT
        changed = {"created_at": message.created_at, "sent_at": message.sent_at}
        Message.objects.filter(pk=message.pk).update(**changed, status=message.status)
    return messages


def _retime_conversation(
    scene: Scene, entries: list[TimelineEntry], messages: list[Message]
) -> None:
    conversation = scene.conversation
    inbound = [m.created_at for m in messages if m.direction == Direction.INBOUND]
    outbound = [m.created_at for m in messages if m.direction == Direction.OUTBOUND]
    last_reply = outbound[-1] if outbound else None
    times = {
        "created_at": entries[0].created_at,
        "updated_at": entries[-1].created_at,
        "last_customer_message_at": inbound[-1],
        "first_response_at": outbound[0] if outbound else None,
        "last_agent_message_at": last_reply,
    }
    if conversation.waiting_since is not None:
        waiting = (t for t in inbound if last_reply is None or t > last_reply)
        times["waiting_since"] = next(waiting, inbound[-1])
    if conversation.resolved_at is not None:
        resolved = [e.created_at for e in entries if e.data.get("new") == Status.RESOLVED]
        times["resolved_at"] = resolved[-1]
    Conversation.objects.filter(pk=conversation.pk).update(**times)


def _place_order(demo: Demo, person: Person, number: str) -> None:
    """The order a story is about, on the customer's profile (once they have one)."""
    customer = demo.customers.get(person.key)
    if customer is None or Order.objects.filter(number=number).exists():
        return
    rng = demo.rng
    items = rng.sample(CATALOGUE, rng.randint(1, 3))
    quantities = [rng.randint(1, 2) for _ in items]
    shipped = rng.random() < 0.7
    record_order(
        "demo",
        OrderData(
            external_id=number,
            number=number,
            placed_at=demo.now - timedelta(days=rng.randint(3, 20)),
            currency="KRW" if person.korean else "USD",
            total=sum(
                (Decimal(price) * q for (_, price), q in zip(items, quantities, strict=True)),
                Decimal(0),
            ),
            financial_status="paid",
            fulfillment_status="fulfilled" if shipped else "unfulfilled",
            line_items=[
                {"title": title, "quantity": q, "sku": "", "price": price}
                for (title, price), q in zip(items, quantities, strict=True)
            ],
            tracking=[_tracking(number)] if shipped else [],
            admin_url=f"https://juniper-outfitters.example/admin/orders/{number}",
        ),
        customer=customer,
    )
    demo.placed.add(person.key)


def _tracking(number: str) -> dict:
    code = f"1Z{int(number) * 7919:010d}"
    return {"number": code, "url": f"https://track.example/{code}", "company": "UPS"}


def _same_shopper_on_instagram(demo: Demo, people: list[Person]) -> None:
    """A shopper who e-mailed about an order writes from an Instagram account Parley has
    not met: the DM names the order, so the two profiles are suggested as one."""
    person = next(p for p in people if not p.korean and ChannelKind.EMAIL in p.kinds[:1])
    order = Order.objects.filter(customer=demo.customers[person.key]).first()
    if order is None:
        return
    channel = demo.channels[ChannelKind.INSTAGRAM]
    handle = person.first.lower() + ".makes"
    sender = IdentityRef(IdentityKind.INSTAGRAM, str(17841499999000000 + person.key), handle)
    text = f"Hi, it's {person.first} (I emailed you). Any update on order #{order.number}?"
    ingest_message(InboundMessage(channel.pk, "demo-ig-again", "demo-ig-again", sender, text))


def _finish_customers(demo: Demo, people: list[Person]) -> None:
    """Profile attributes, a pinned note for VIPs, and join dates that match their history."""
    for person in people:
        customer = demo.customers.get(person.key)
        if customer is None:
            continue
        orders = demo.rng.randint(1, 9) + (20 if person.vip else 0)
        attributes = {
            "country": person.country,
            "orders": orders,
            "language": "ko" if person.korean else "en",
            "vip": True if person.vip else None,
        }
        update_customer(customer, attributes=attributes)
        if person.vip:
            add_customer_note(demo.agents["priya"], customer, VIP_NOTE, pinned=True)
        span = customer.conversations.aggregate(first=Min("created_at"), last=Max("updated_at"))
        Customer.objects.filter(pk=customer.pk).update(
            created_at=span["first"], updated_at=span["last"]
        )
        Identity.objects.filter(customer=customer).update(created_at=span["first"])
        CustomerNote.objects.filter(customer=customer).update(created_at=span["first"])
