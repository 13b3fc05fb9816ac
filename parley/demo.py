"""The demo workspace: an online shop's support team with a lived-in shared inbox.

Customers write in through the real ingest pipeline and agents work the conversations through
the same actions the UI uses; afterwards the timestamps are spread over the last two weeks.
"""

import random
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

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
from parley.customers.models import Customer, CustomerNote, Identity, IdentityKind
from parley.customers.resolve import IdentityRef, normalize_identity

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
CHANNELS = {
    ChannelKind.EMAIL: ("Email · help@juniper-outfitters.example", CARE),
    ChannelKind.CHAT: ("Website chat", None),
    ChannelKind.WEBFORM: ("Contact form", CARE),
    ChannelKind.MESSENGER: ("Facebook Messenger", None),
    ChannelKind.INSTAGRAM: ("Instagram DMs @juniper.outfitters", None),
    ChannelKind.INSTAGRAM_COMMENT: ("Instagram comments @juniper.outfitters", None),
    ChannelKind.WHATSAPP: ("WhatsApp +1 415 555 0100", SALES),
    ChannelKind.X: ("X @juniperoutfit", None),
    ChannelKind.API: ("Mobile app (API)", SALES),
}
SENDER_KIND = {
    ChannelKind.EMAIL: IdentityKind.EMAIL,
    ChannelKind.CHAT: IdentityKind.CHAT,
    ChannelKind.WEBFORM: IdentityKind.EMAIL,
    ChannelKind.MESSENGER: IdentityKind.MESSENGER,
    ChannelKind.INSTAGRAM: IdentityKind.INSTAGRAM,
    ChannelKind.INSTAGRAM_COMMENT: IdentityKind.INSTAGRAM,
    ChannelKind.WHATSAPP: IdentityKind.WHATSAPP,
    ChannelKind.X: IdentityKind.X,
    ChannelKind.API: IdentityKind.API,
}
SUBJECT_KINDS = {
    ChannelKind.EMAIL,
    ChannelKind.WEBFORM,
    ChannelKind.API,
    ChannelKind.INSTAGRAM_COMMENT,
}
RECEIPT_KINDS = {ChannelKind.WHATSAPP, ChannelKind.MESSENGER, ChannelKind.INSTAGRAM}
EXTRA_KINDS = (ChannelKind.EMAIL, ChannelKind.INSTAGRAM, ChannelKind.WHATSAPP, ChannelKind.CHAT)
TAG_COLORS = {
    "refund": "#dc2626", "shipping": "#2563eb", "vip": "#ca8a04", "bug": "#7c3aed",
    "order-status": "#0d9488", "wholesale": "#16a34a", "discount": "#db2777",
    "payment": "#ea580c", "sizing": "#64748b", "restock": "#0891b2", "invoice": "#4b5563",
}  # fmt: skip
STATUS_WEIGHTS = {Status.NEW: 16, Status.OPEN: 32, Status.PENDING: 18, Status.RESOLVED: 20,
                  Status.CLOSED: 14}  # fmt: skip
# How many hours ago a conversation in each status began.
AGE_HOURS = {Status.NEW: (0.2, 30.0), Status.OPEN: (2.0, 120.0), Status.PENDING: (10.0, 200.0),
             Status.RESOLVED: (24.0, 300.0), Status.CLOSED: (120.0, 336.0)}  # fmt: skip
# Seconds that pass before each kind of timeline entry.
GAP_SECONDS = {EntryKind.MESSAGE_RECEIVED: (900, 21600), EntryKind.REPLY_SENT: (240, 5400),
               EntryKind.NOTE_ADDED: (60, 900), EntryKind.HANDOFF: (600, 7200),
               EntryKind.DELIVERY_FAILED: (2, 20), EntryKind.STATUS_CHANGED: (30, 1800)}  # fmt: skip

EN_NAMES = """Emma Johnson, Liam Brown, Olivia García, Noah Wilson, Ava Martinez, Ethan Anderson,
Sophia Taylor, Lucas Thomas, Mia Moore, Mason Jackson, Isabella White, Logan Harris, Chloé Martin,
James Thompson, Amelia Clark, Benjamin Lewis, Harper Robinson, Elijah Walker, Zoe Young, Henry Allen,
Aisha Khan, Mateo Rossi, Freya Lindqvist, Oscar Novak, Lily Bennett, Daniel O'Brien, Grace Kelly,
Samuel Okafor, Nora Fischer, Leo Dubois, Hannah Schmidt, Jack Murphy"""
KO_NAMES = """김지은 jieun.kim, 박서준 seojun.park, 이하늘 haneul.lee, 최민호 minho.choi,
정유나 yuna.jung, 한소희 sohee.han, 오세훈 sehun.oh, 윤아름 areum.yoon"""
EN_DOMAINS = ("gmail.com", "outlook.com", "icloud.com", "proton.me", "yahoo.com")
US_AREAS = ("415", "212", "312", "206", "617", "512")

STORIES_TEXT = """
tags: order-status shipping
subject: Where is my order #{order}?
asks: Hi! I ordered the Harbor rain jacket last week (order #{order}) and the tracking hasn't
  moved since Tuesday. Any idea when it will arrive?
answer: Hi {first}, sorry for the wait! The carrier shows #{order} held at their regional hub
  after the storm. It should be out for delivery within 2 business days; I'm keeping an eye on it.
again: Thanks. Still nothing today though, should I be worried?
note: Opened a trace with the carrier for #{order}, ref TR-55812.

tags: refund
subject: Return and refund for #{order}
asks: Hello, I'd like to return the linen shirt from order #{order}. It's too big and the next
  size down is sold out. How do I get a refund?
answer: No problem at all, {first}. I've emailed you a prepaid return label. Once the parcel is
  scanned we refund your original payment method within 3-5 business days.
again: Dropped it off at the post office this morning 👍
note: Refund of $58.00 approved for #{order}, releases on the first carrier scan.

tags: sizing
subject: Trailhead boots sizing
asks: Do the Trailhead boots run small? I'm usually a 9.5, sometimes a 10 in sneakers.
answer: Good question! They run about half a size small, so we'd recommend a 10. Exchanges are
  free within 30 days if the fit isn't right.
again: Perfect, ordered the 10. Can I still use my discount code on it?

tags: discount bug
subject: Discount code not working
asks: The code SPRING15 says "invalid" at checkout. I got it in your newsletter yesterday, has it
  expired already?
answer: Sorry about that, {first}! The code only applies to full-price items and one item in your
  cart was on sale. I've applied the 15% manually to order #{order}.
again: Hmm, my confirmation e-mail still shows the full price.
note: Checkout rejects SPRING15 when it is typed in lowercase. Reported to the web team (WEB-412).

tags: shipping refund
subject: Order #{order} arrived damaged
asks: My stoneware mug set from order #{order} arrived with two mugs broken, the box was crushed
  on one side. What can I do?
answer: I'm so sorry, {first}! A replacement set ships today at no cost, and there's no need to
  send the broken ones back. New tracking will follow by e-mail.
again: Thank you, that was fast!
note: Damage claim filed with the carrier, photos saved on the order.

tags: wholesale
subject: Wholesale pricing for our boutique
asks: Hi, we run a small boutique in Portland and would love to stock your soy candles and linen
  towels. Do you offer wholesale pricing?
answer: Thanks for reaching out, {first}! Our wholesale minimum is $300 at 50% off retail, with
  free shipping over $600. I've attached our line sheet and can set up your account today.
again: Great, we'd like to start with 24 candles. How do we place the order?
note: Potential B2B account, they asked for net-30 terms. Check credit before approving.

tags: order-status
subject: Wrong shipping address on #{order}
asks: I just placed order #{order} and it's going to my old address! Can you change it to
  18 Bay Street, Apt 4?
answer: Caught it just in time! The address on #{order} is now 18 Bay Street, Apt 4, and it
  ships tomorrow morning.

tags: payment bug
subject: Card declined at checkout
asks: My card keeps getting declined at checkout, but my bank says there's no problem on their
  side. I've tried three times now.
answer: Thanks for telling us, {first}. Our payment provider had a hiccup this morning and it's
  fixed now. Could you try again? Your cart is still saved.
again: It went through now, thanks!
note: Payment provider incident 10:05-10:40, about 30 failed checkouts. Following up with each.

tags: order-status refund
subject: Please cancel order #{order}
asks: Please cancel order #{order}, I picked the wrong colour. I wanted sage green, not olive.
answer: Done! #{order} is cancelled and fully refunded; it can take 3-5 days to show on your
  statement. Sage green is in stock if you'd like to reorder.

tags: restock
subject: Restock: oatmeal cardigan size M
asks: Hi, when will the oatmeal cardigan in size M be back in stock? I've been waiting for weeks!
answer: The next batch is due around the 20th. Shall I add you to the restock alert so you get an
  e-mail the moment it's live?
again: Yes please!

tags: shipping order-status
subject: Order #{order} needed by Saturday
asks: Order #{order} was supposed to arrive before my sister's birthday on Saturday and it still
  says "label created". Can anything be done?
answer: I completely understand, {first}. I've upgraded #{order} to express shipping free of
  charge, so it arrives Friday. Tracking updates tonight.
again: It's Friday evening and it's still not here...
note: Express upgrade done, $14.90 absorbed. Warehouse confirms carrier pick-up at 16:00.

tags: shipping
subject: Marked delivered but not here
asks: Tracking for #{order} says delivered yesterday, but there's nothing at my door or with my
  neighbours.
answer: That's frustrating, sorry! Carriers sometimes mark parcels delivered a day early. If it
  hasn't turned up by tomorrow evening we'll send a replacement right away.
again: Still nothing. Can you send the replacement?
note: Third "delivered but missing" this month in this zip code, flagged to our carrier rep.

tags: invoice
subject: VAT invoice for #{order}
asks: Could you send a VAT invoice for order #{order}? Company: Lindqvist Design AB,
  VAT SE556677889901.
answer: Of course! The VAT invoice for #{order} is attached. Let me know if the billing address
  should be different.

tags: order-status shipping
subject: 주문번호 {order} 배송 문의
asks: 주문번호 {order} 배송이 언제 되나요? 일주일째
  배송 준비 중으로 나와요.
answer: 안녕하세요 고객님, 기다리게 해드려 죄송합니다.
  주문번호 {order}은 오늘 출고되어 2~3일 안에 도착할
  예정입니다.
again: 아직 배송 조회가 안 돼요.
note: 택배사 송장 등록 지연, 내일 오전에 다시 확인 예정

tags: payment bug
subject: 결제 오류
asks: 결제가 안 돼요. 카드 승인이 계속 거절됩니다.
answer: 불편을 드려 죄송합니다. 결제 시스템 점검이
  끝났으니 다시 한 번 시도해 주시겠어요?
again: 이제 결제됐어요. 감사합니다!
note: Korean cards failing 3-D Secure since this morning, reported to payments.

tags: refund
subject: 환불 요청
asks: 환불 요청드립니다. 주문번호 {order} 니트 사이즈가
  너무 커요.
answer: 네 고객님, 반품 라벨을 이메일로 보내드렸습니다.
  상품이 도착하면 3~5일 안에 환불 처리됩니다.
again: 오늘 택배 보냈어요.
note: 환불 승인 완료 (#{order}), 입고 확인 후 처리

tags: sizing
subject: 사이즈 교환 문의
asks: 사이즈 교환 가능한가요? M을 L로 바꾸고 싶어요.
answer: 네, 30일 이내에는 무료로 교환 가능합니다.
  교환 신청 링크를 보내드릴게요.
again: 링크 받았어요, 신청 완료했습니다.

tags: discount
subject: 할인 코드 적용 안 됨
asks: 할인 코드 SPRING15가 적용이 안 돼요.
answer: 확인해 보니 정가 상품에만 적용되는 코드였어요.
  주문번호 {order}에 15% 할인을 직접 적용해 드렸습니다.
"""
COMMENTS_TEXT = """
tags:
subject: Post: the spring linen drop
asks: Is this available in green? 😍
answer: Yes! Sage green is back in stock in every size 💚

tags: shipping
subject: Post: the spring linen drop
asks: Love this! Do you ship to Canada?
answer: We do! Shipping to Canada is free on orders over $75 🇨🇦

tags: shipping order-status
subject: Post: new candle scents
asks: Ordered two weeks ago and still nothing. Order #{order}. Not impressed.
answer: So sorry {first}! We've sent you a DM so we can sort this out right away.
note: Moved to DMs, the order is stuck at customs.

tags: shipping
subject: Post: the spring linen drop
asks: 이 제품 한국으로도 배송되나요?
answer: 네! 한국으로도 배송됩니다. 보통 7~10일 정도 걸려요 📦
"""
HANDOFF_NOTES = (
    "Going off shift. Customer is waiting on the carrier's answer, details are in the notes.",
    "Needs a refund above my limit, can you approve it and reply?",
    "Passing this over: you handled this customer's last order.",
)
NUDGE = {False: "Any update on this?", True: "혹시 진행 상황 있을까요?"}
WRAP_UP = {
    (
        False,
        True,
    ): "Thanks! I've passed this on and will get back to you once the warehouse replies.",
    (False, False): "All sorted now. Let us know if there's anything else we can do!",
    (True, True): "확인 감사합니다. 물류팀 답변을 받는 대로 다시 연락드리겠습니다.",
    (True, False): "처리 완료되었습니다. 궁금하신 점이 있으면 언제든 문의해 주세요!",
}
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
    """`key: value` lines, one blank-line-separated block per story; indented lines continue."""
    stories = []
    for block in text.strip().split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith(" "):
                fields[key] += " " + line.strip()
            else:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        stories.append(
            Story(
                tags=tuple(fields["tags"].split()),
                subject=fields["subject"],
                asks=fields["asks"],
                answer=fields["answer"],
                again=fields.get("again", ""),
                note=fields.get("note", ""),
            )
        )
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
        return {
            IdentityKind.EMAIL: self.email,
            IdentityKind.WHATSAPP: self.phone,
            IdentityKind.CHAT: f"visitor-{n * 2654435761 % 16**8:08x}",
            IdentityKind.MESSENGER: str(7301000000000000 + n * 7919),
            IdentityKind.INSTAGRAM: str(17841400000000000 + n * 104729),
            IdentityKind.X: str(1500000000000000000 + n * 982451653),
            IdentityKind.API: f"app-user-{4100 + n}",
        }[kind]


@dataclass
class Demo:
    rng: random.Random
    agents: dict[str, Agent]
    teams: dict[str, Team]
    channels: dict[str, Channel]
    customers: dict[int, Customer] = field(default_factory=dict)
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
    channels = {}
    for kind, (name, team) in CHANNELS.items():
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
    story = story.filled(order=str(rng.randint(1001, 1480)), first=person.first)
    status = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
    text = story.asks
    if kind == ChannelKind.EMAIL:
        text += f"\n\n{'감사합니다.' if story.korean else 'Thanks,'}\n{person.name}"
    subject = story.subject if kind in SUBJECT_KINDS else ""
    conversation = _customer_writes(demo, person, kind, f"demo-{kind}-{n}", text, subject)
    scene = Scene(person, kind, story, status, _handler(demo, person, story), conversation)
    _triage(demo, scene)
    if status != Status.NEW:
        _work(demo, scene)
    _retime(demo, scene)


def _customer_writes(
    demo: Demo, person: Person, kind: str, thread: str, text: str, subject: str = ""
) -> Conversation:
    """Ingest one customer message; a known customer on a new channel gets that identity first."""
    identity_kind = SENDER_KIND[kind]
    value = person.identity(identity_kind)
    customer = demo.customers.get(person.key)
    if customer is not None:
        Identity.objects.get_or_create(
            kind=identity_kind,
            value=normalize_identity(identity_kind, value),
            defaults={"customer": customer, "display_name": person.name},
        )
    demo.received += 1
    inbound = InboundMessage(
        channel_id=demo.channels[kind].pk,
        external_id=f"demo-in-{demo.received}",
        thread_ref=thread,
        sender=IdentityRef(identity_kind, value, person.name),
        text=text,
        subject=subject,
        sent_at=timezone.now(),
    )
    message = ingest_message(inbound)
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
        team = conversation.team or demo.teams[rng.choice((SALES, CARE))]
        actions.assign_conversation(lead, conversation, assignee=None, team=team)
    elif roll > (0.55 if scene.person.korean else 0.8):
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
    TimelineEntry.objects.bulk_update(entries, ["created_at"])
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
    Message.objects.bulk_update(messages, ["created_at", "sent_at", "status"])
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


def _finish_customers(demo: Demo, people: list[Person]) -> None:
    """Profile attributes, a pinned note for VIPs, and join dates that match their history."""
    for person in people:
        customer = demo.customers.get(person.key)
        if customer is None:
            continue
        orders = demo.rng.randint(1, 9) + (20 if person.vip else 0)
        attributes = {"country": person.country, "phone": f"+{person.phone}", "orders": orders}
        update_customer(customer, attributes={**attributes, "tier": "VIP" if person.vip else None})
        if person.vip:
            add_customer_note(demo.agents["priya"], customer, VIP_NOTE, pinned=True)
        span = customer.conversations.aggregate(first=Min("created_at"), last=Max("updated_at"))
        Customer.objects.filter(pk=customer.pk).update(
            created_at=span["first"], updated_at=span["last"]
        )
        Identity.objects.filter(customer=customer).update(created_at=span["first"])
        CustomerNote.objects.filter(customer=customer).update(created_at=span["first"])
