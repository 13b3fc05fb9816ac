"""Rules: when something happens to a conversation, if it matches, then do something."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Trigger(models.TextChoices):
    CREATED = "created", _("Conversation created")
    MESSAGE_RECEIVED = "message_received", _("Customer message received")
    REPLY_SENT = "reply_sent", _("Agent reply sent")
    CONVERSATION_UPDATED = "conversation_updated", _("Conversation updated by an agent")
    # Time-based (automation.timers): `threshold` is their N.
    NO_REPLY_FOR = "no_reply_for", _("No agent reply for N minutes")
    PENDING_FOR = "pending_for", _("Pending for N hours")
    SLA_BREACH_WITHIN = "sla_breach_within", _("SLA due within N minutes")


class Rule(models.Model):
    """`conditions` is a tree ({"all": [...]}, {"any": [...]}, {"not": …} or one test
    {"field", "op", "value"}); `actions` a list ({"type": "add_tags", "tags": [...]}, …).
    Both are checked by automation.conditions / automation.effects before they are saved."""

    name = models.CharField(max_length=120)
    trigger = models.CharField(max_length=24, choices=Trigger.choices)
    conditions = models.JSONField(default=dict, blank=True)
    actions = models.JSONField(default=list)
    # The N of a time-based trigger, in its unit (automation.timers.TIMERS); null otherwise.
    threshold = models.PositiveIntegerField(null=True, blank=True)
    # Rules run in this order; a firing rule with stop_processing ends the run.
    position = models.PositiveIntegerField(default=0)
    stop_processing = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class BusinessHours(models.Model):
    """When a team answers: a week of opening periods in a time zone, and holidays (see
    automation.business_time). Hours without a team are the workspace's default."""

    name = models.CharField(max_length=120)
    team = models.OneToOneField(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="hours"
    )
    time_zone = models.CharField(max_length=64, default="UTC")
    # {"mon": [["09:00", "18:00"]], …}
    week = models.JSONField(default=dict)
    # ["2026-12-25", …]
    holidays = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["team__name", "id"]
        verbose_name_plural = "business hours"

    def __str__(self) -> str:
        return self.name


class RuleFiring(models.Model):
    """A time-based rule judged one occurrence (a waiting period, a pending stretch, a due
    time) of a conversation: the unique constraint lets two workers never fire it twice."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="firings")
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    occurrence = models.DateTimeField()
    matched = models.BooleanField()
    judged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "conversation", "occurrence"], name="rule_firing_once"
            )
        ]

    def __str__(self) -> str:
        return f"rule {self.rule_id} on {self.conversation_id} at {self.occurrence}"


class OutsideHoursReply(models.Model):
    """The channel's outside-hours reply went to this conversation for the closed period
    ending at `reopens_at`: once per conversation per closed period."""

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    reopens_at = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "reopens_at"], name="outside_hours_reply_once"
            )
        ]

    def __str__(self) -> str:
        return f"outside-hours reply on {self.conversation_id} until {self.reopens_at}"
