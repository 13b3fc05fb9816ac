"""Conversations (tickets), their messages, the timeline, and the durable inbound inbox."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# Statuses a customer reply reopens; after CLOSED a new conversation starts instead.
REOPENABLE = (Status.PENDING, Status.RESOLVED)
# The queue: what inbox views list unless asked for a status. Also the condition of the
# partial index that serves them, so the two must stay the same tuple.
QUEUE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING)


class Priority(models.IntegerChoices):
    # Stored as a rank so that ordering by the column puts urgent first.
    URGENT = 0, _("Urgent")
    HIGH = 1, _("High")
    NORMAL = 2, _("Normal")
    LOW = 3, _("Low")


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
    color = models.CharField(max_length=7, default="#6b7280")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Conversation(models.Model):
    """A ticket. Its id is the short reference customers and agents quote (#1234)."""

    channel = models.ForeignKey("connectors.Channel", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="conversations"
    )
    thread_ref = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="conversations")
    # Orders the customer's messages name ("#1042", "주문번호 1042").
    orders = models.ManyToManyField("customers.Order", blank=True, related_name="conversations")
    preview = models.CharField(max_length=160, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    last_agent_message_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # When the customer started waiting for us; null while the ball is in their court.
    waiting_since = models.DateTimeField(null=True, blank=True)
    # What the conversation is about when the platform says so: a comment thread's post
    # ({"post_id", "post_url", "caption"}).
    origin = models.JSONField(default=dict, blank=True)
    # 0 to 100 from urgency words, tone, customer value, reach, waiting and SLA (triage.priority),
    # with why: [{"signal", "points", "value"}, …].
    priority_score = models.PositiveSmallIntegerField(default=0)
    priority_why = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [
            # Covering: counts and visibility filters (team, assignee) never touch the table.
            models.Index(
                fields=[
                    "status",
                    "priority",
                    "waiting_since",
                    "updated_at",
                    "id",
                    "team",
                    "assignee",
                ],
                name="conv_queue",
            ),
            # The queue already in inbox order: PostgreSQL reads the first page straight off it.
            models.Index(
                fields=["priority", "waiting_since", "-updated_at", "-id"],
                condition=models.Q(status__in=QUEUE_STATUSES),
                name="conv_queue_order",
            ),
            # The queue by score ("Highest score first").
            models.Index(
                fields=["-priority_score", "waiting_since", "-updated_at", "-id"],
                condition=models.Q(status__in=QUEUE_STATUSES),
                name="conv_queue_score",
            ),
            models.Index(fields=["assignee", "status", "priority"], name="conv_assignee"),
            models.Index(fields=["team", "status", "priority"], name="conv_team"),
            models.Index(fields=["channel", "thread_ref", "status"], name="conv_thread"),
            models.Index(fields=["customer", "-created_at"], name="conv_customer"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def reference(self) -> str:
        return f"#{self.pk}"


class Direction(models.TextChoices):
    INBOUND = "in", _("From customer")
    OUTBOUND = "out", _("Reply")
    NOTE = "note", _("Internal note")


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")


# Delivery only moves forward; FAILED is final.
DELIVERY_ORDER: dict[str, int] = {
    DeliveryStatus.QUEUED: 0,
    DeliveryStatus.SENT: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.READ: 3,
}


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    # Denormalised from the conversation so (channel, external_id) can be unique.
    channel = models.ForeignKey("connectors.Channel", on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=4, choices=Direction.choices)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_id = models.CharField(max_length=255, null=True, blank=True)
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, blank=True)
    failure_reason = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Platform extras shown with the message (quick reply, postback, story, location,
    # contacts, order, comment reply mode, template…): see connectors.base.InboundMessage.
    details = models.JSONField(default=dict, blank=True)
    # Customer reactions: {identity value: emoji}.
    reactions = models.JSONField(default=dict, blank=True)
    # Unsent / deleted on the platform: the text is kept for leads and admins only.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="message_external_id_unique_per_channel",
            )
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.pk}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{instance.message.conversation_id}/{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300, blank=True)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    # Why there is no file: the platform's copy could not be downloaded.
    problem = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return self.filename


class EntryKind(models.TextChoices):
    CREATED = "created", _("Conversation started")
    MESSAGE_RECEIVED = "message_received", _("Customer wrote")
    REPLY_SENT = "reply_sent", _("Reply")
    NOTE_ADDED = "note_added", _("Internal note")
    ASSIGNED = "assigned", _("Assigned")
    HANDOFF = "handoff", _("Handoff")
    STATUS_CHANGED = "status_changed", _("Status changed")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    TAGS_CHANGED = "tags_changed", _("Tags changed")
    DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
    CUSTOMER_MERGED = "customer_merged", _("Customer profiles merged")
    CUSTOMER_UNMERGED = "customer_unmerged", _("Customer merge undone")
    RULE_FIRED = "rule_fired", _("Rule fired")


class TimelineEntry(models.Model):
    """The audit trail: who did what to a conversation, and when. Rendered in order."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="timeline"
    )
    kind = models.CharField(max_length=24, choices=EntryKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who acted when it was not an agent: "customer", "system", "rule: VIP first"…
    actor_label = models.CharField(max_length=120, blank=True)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="timeline_conv")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.conversation_id}"


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    FAILED = "failed", _("Failed")
    IGNORED = "ignored", _("Ignored (unsupported)")


class InboundEvent(models.Model):
    """The durable inbox: a raw payload exactly as it arrived, stored before we answer 200."""

    channel = models.ForeignKey("connectors.Channel", on_delete=models.PROTECT, related_name="+")
    headers = models.JSONField(default=dict)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=InboundStatus.choices, default=InboundStatus.RECEIVED
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "received_at"], name="inbound_status")]

    def __str__(self) -> str:
        return f"event {self.pk} ({self.status})"
