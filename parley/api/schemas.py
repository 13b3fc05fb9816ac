"""Request and response shapes of the REST API."""

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator

from parley.automation.models import Rule
from parley.conversations.models import Conversation, Message, Priority
from parley.customers.models import Order
from parley.sla.display import sla_of

from .parser import no_nul

# Database integers stop at 2**63 - 1; a larger id is refused as input instead of
# overflowing in the database driver.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# Query-string text: a NUL cannot be compared against any database column.
QueryText = Annotated[str, AfterValidator(no_nul)]

PRIORITY_NAMES = {p.value: p.name.lower() for p in Priority}
PRIORITY_VALUES = {name: value for value, name in PRIORITY_NAMES.items()}


class Ref(Schema):
    id: int
    name: str


class SlaOut(Schema):
    policy: str | None
    next_due_at: datetime | None = Field(description="The soonest unmet due time, or null")
    breached_at: datetime | None = Field(description="When a target was first missed")
    paused: bool = Field(description="Pending or resolved: the clocks stand still")
    first_response_due_at: datetime | None
    first_response_met_at: datetime | None
    next_response_due_at: datetime | None
    next_response_met_at: datetime | None
    resolution_due_at: datetime | None
    resolution_met_at: datetime | None

    @staticmethod
    def of(c: Conversation) -> "SlaOut | None":
        sla = sla_of(c)
        if sla is None:
            return None
        return SlaOut(
            policy=sla.policy.name if sla.policy else None,
            paused=sla.paused,
            **{name: getattr(sla, name) for name in SlaOut.model_fields if name.endswith("_at")},
        )


class ConversationOut(Schema):
    id: int
    reference: str
    channel: Ref
    customer: Ref
    subject: str
    status: str
    priority: str
    assignee: Ref | None
    team: Ref | None
    tags: list[str]
    preview: str
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    last_customer_message_at: datetime | None
    last_agent_message_at: datetime | None
    resolved_at: datetime | None
    waiting_since: datetime | None
    sla: SlaOut | None

    @staticmethod
    def of(c: Conversation) -> "ConversationOut":
        return ConversationOut(
            id=c.pk,
            reference=c.reference,
            channel=Ref(id=c.channel_id, name=c.channel.name),
            customer=Ref(id=c.customer_id, name=str(c.customer)),
            subject=c.subject,
            status=c.status,
            priority=PRIORITY_NAMES[c.priority],
            assignee=Ref(id=c.assignee.pk, name=str(c.assignee)) if c.assignee else None,
            team=Ref(id=c.team.pk, name=c.team.name) if c.team else None,
            tags=[t.name for t in c.tags.all()],
            preview=c.preview,
            created_at=c.created_at,
            updated_at=c.updated_at,
            first_response_at=c.first_response_at,
            last_customer_message_at=c.last_customer_message_at,
            last_agent_message_at=c.last_agent_message_at,
            resolved_at=c.resolved_at,
            waiting_since=c.waiting_since,
            sla=SlaOut.of(c),
        )


class ConversationPage(Schema):
    items: list[ConversationOut]
    next_cursor: str | None


class ConversationPatch(Schema):
    status: str | None = None
    priority: str | None = Field(None, description="urgent, high, normal or low")
    tags: list[str] | None = Field(None, description="The complete new set of tags")


class AssignIn(Schema):
    assignee_id: Id | None = None
    team_id: Id | None = None
    note: str = Field("", max_length=5000, description="A handoff note for the new owner")


class AttachmentOut(Schema):
    filename: str
    content_type: str
    size: int
    url: str


class MessageOut(Schema):
    id: int
    direction: str
    text: str
    html: str
    author: Ref | None
    external_id: str | None
    status: str
    failure_reason: str
    created_at: datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def of(m: Message) -> "MessageOut":
        return MessageOut(
            id=m.pk,
            direction=m.direction,
            text=m.text,
            html=m.html,
            author=Ref(id=m.author.pk, name=str(m.author)) if m.author else None,
            external_id=m.external_id,
            status=m.status,
            failure_reason=m.failure_reason,
            created_at=m.created_at,
            attachments=[
                AttachmentOut(
                    filename=a.filename, content_type=a.content_type, size=a.size, url=a.file.url
                )
                for a in m.attachments.all()
            ],
        )


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class TextIn(Schema):
    text: str = Field(min_length=1, max_length=100_000)


class ReplyIn(TextIn):
    unless_newer_than: int | None = Field(
        None,
        ge=0,
        le=MAX_ID,
        description="The newest message id you have read: the reply is refused (409, "
        "newer_messages) if the customer or another agent wrote after it.",
    )


class IdentityOut(Schema):
    kind: str
    value: str


class CustomerOut(Schema):
    id: int
    name: str
    attributes: dict
    identities: list[IdentityOut]
    created_at: datetime


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


class CustomerPatch(Schema):
    name: str | None = Field(None, max_length=200)
    attributes: dict | None = Field(None, description="Merged in; a null value removes a key")


class TagOut(Schema):
    id: int
    name: str
    color: str


class TagIn(Schema):
    name: str = Field(min_length=1, max_length=50)
    color: str = Field("#6b7280", pattern=r"^#[0-9a-fA-F]{6}$")


class ChannelOut(Schema):
    id: int
    kind: str
    name: str
    settings: dict
    secrets: dict[str, str] = Field(description="Masked: secrets are write-only")
    team_id: int | None
    public_key: str
    active: bool


class ChannelIn(Schema):
    kind: str
    name: str = Field(min_length=1, max_length=120)
    settings: dict = Field(default_factory=dict)
    secrets: dict[str, str] = Field(default_factory=dict)
    team_id: Id | None = None


class ChannelPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    settings: dict | None = None
    secrets: dict[str, str] | None = None
    team_id: Id | None = None
    active: bool | None = None


class AgentOut(Schema):
    id: int
    email: str
    name: str
    role: str
    language: str
    is_active: bool
    team_ids: list[int]


class AgentIn(Schema):
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    password: str = Field(min_length=8, max_length=200)
    name: str = Field("", max_length=120)
    role: str = "agent"
    language: str = Field("", max_length=8)


class AgentPatch(Schema):
    name: str | None = Field(None, max_length=120)
    role: str | None = None
    language: str | None = Field(None, max_length=8)
    is_active: bool | None = None


class TeamOut(Schema):
    id: int
    name: str
    member_ids: list[int]


class TeamIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    member_ids: list[Id] | None = None


class Accepted(Schema):
    event_id: int
    status: str


class ErrorOut(Schema):
    code: str
    detail: str


class TrackingIn(Schema):
    number: str = ""
    url: str = ""
    company: str = ""


class LineItemIn(Schema):
    title: str
    quantity: int = 1
    sku: str = ""
    price: str | None = None


class OrderIn(Schema):
    """An order from your store. `external_id` (default: the number) is its key: the same
    key again updates the order."""

    number: str
    external_id: str = ""
    placed_at: str = ""
    updated_at: str = ""
    currency: str = ""
    total: str | None = None
    financial_status: str = ""
    fulfillment_status: str = ""
    line_items: list[LineItemIn] = []
    tracking: list[TrackingIn] = []
    admin_url: str = ""


class OrdersIn(Schema):
    orders: list[OrderIn] = Field(..., max_length=500)


class OrderOut(Schema):
    id: int
    source: str
    external_id: str
    number: str
    placed_at: datetime | None
    currency: str
    total: str | None
    financial_status: str
    fulfillment_status: str
    line_items: list[dict]
    tracking: list[dict]
    admin_url: str

    @staticmethod
    def of(order: Order) -> "OrderOut":
        return OrderOut(
            id=order.pk,
            source=order.source,
            external_id=order.external_id,
            number=order.number,
            placed_at=order.placed_at,
            currency=order.currency,
            total=str(order.total) if order.total is not None else None,
            financial_status=order.financial_status,
            fulfillment_status=order.fulfillment_status,
            line_items=order.line_items,
            tracking=order.tracking,
            admin_url=order.admin_url,
        )


class MergeIn(Schema):
    target: Id
    sources: list[Id] = Field(..., min_length=1, max_length=10)


class MergePreviewOut(Schema):
    target: int
    sources: list[int]
    counts: dict[str, int]
    name: str
    attributes: dict
    conflicts: dict


class MergeOut(Schema):
    id: int
    target: int
    sources: list[int]
    created_at: datetime
    undone_at: datetime | None


class SuggestionOut(Schema):
    id: int
    customers: list[int]
    reason: str
    evidence: str
    created_at: datetime


RuleTrigger = Literal[
    "created",
    "message_received",
    "reply_sent",
    "conversation_updated",
    "no_reply_for",
    "pending_for",
    "sla_breach_within",
]


class RuleIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    trigger: RuleTrigger
    # The N of a time-based trigger: minutes, or hours for pending_for.
    threshold: int | None = None
    conditions: dict = Field(default_factory=dict)
    actions: list[dict]
    position: int = Field(0, ge=0, le=100_000)
    stop_processing: bool = False
    enabled: bool = True


class RulePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    trigger: RuleTrigger | None = None
    threshold: int | None = None
    conditions: dict | None = None
    actions: list[dict] | None = None
    position: int | None = Field(None, ge=0, le=100_000)
    stop_processing: bool | None = None
    enabled: bool | None = None


class RuleOut(Schema):
    id: int
    name: str
    trigger: str
    threshold: int | None
    conditions: dict
    actions: list[dict]
    position: int
    stop_processing: bool
    enabled: bool

    @staticmethod
    def of(rule: Rule) -> "RuleOut":
        return RuleOut(
            id=rule.pk,
            name=rule.name,
            trigger=rule.trigger,
            threshold=rule.threshold,
            conditions=rule.conditions,
            actions=rule.actions,
            position=rule.position,
            stop_processing=rule.stop_processing,
            enabled=rule.enabled,
        )


class DryRunIn(Schema):
    conditions: dict


class DryRunOut(Schema):
    looked_at: int
    matched: list[int]
