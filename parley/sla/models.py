"""SLA policies and each conversation's clocks against them (see tracking.py)."""

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from parley.connectors.models import ChannelKind
from parley.conversations.models import Priority

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise as _StrPromise

# The clocks a policy can set, in the order an agent meets them.
TARGETS = ("first_response", "next_response", "resolution")
TARGET_LABELS = {
    "first_response": _("First response"),
    "next_response": _("Next response"),
    "resolution": _("Resolution"),
}
# A year of minutes: anything longer is a typo, not a promise.
MOST_MINUTES = 366 * 24 * 60


def _minutes(help_text: "_StrPromise") -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MOST_MINUTES)],
        help_text=help_text,
    )


class SlaPolicy(models.Model):
    """Targets for the conversations it applies to; the first enabled policy by position
    whose priorities and channel kinds match (empty = all) is the conversation's."""

    name = models.CharField(max_length=120)
    enabled = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    priorities = models.JSONField(default=list, blank=True)  # Priority ranks, [] = all
    channel_kinds = models.JSONField(default=list, blank=True)  # ChannelKind values, [] = all
    first_response_minutes = _minutes(_("From the customer's first message to a reply."))
    next_response_minutes = _minutes(_("From each later customer message to the next reply."))
    resolution_minutes = _minutes(_("From the first message to resolved."))
    business_hours = models.BooleanField(
        default=True,
        help_text=_("Count only the team's business hours (calendar time without hours)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if not isinstance(self.priorities, list) or set(self.priorities) - set(Priority.values):
            errors["priorities"] = _("Pick priorities from the list.")
        if not isinstance(self.channel_kinds, list) or set(self.channel_kinds) - set(
            ChannelKind.values
        ):
            errors["channel_kinds"] = _("Pick channel kinds from the list.")
        if all(self.minutes(target) is None for target in TARGETS):
            errors["first_response_minutes"] = _("Set at least one target.")
        if errors:
            raise ValidationError(errors)

    def minutes(self, target: str) -> int | None:
        return getattr(self, f"{target}_minutes")

    def applies_to(self, priority: int, channel_kind: str) -> bool:
        return (not self.priorities or priority in self.priorities) and (
            not self.channel_kinds or channel_kind in self.channel_kinds
        )


class ConversationSla(models.Model):
    """A conversation's clocks. Met times are read from the conversation; due times are
    computed from the start times, the policy and the pauses (tracking.refresh)."""

    conversation = models.OneToOneField(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="sla"
    )
    policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When first response and resolution started counting: the conversation's start, or
    # the policy's creation for a conversation that was open before it.
    started_at = models.DateTimeField()
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    first_response_met_at = models.DateTimeField(null=True, blank=True)
    first_response_breached_at = models.DateTimeField(null=True, blank=True)
    # The customer message after an agent reply that started the current next-response clock.
    next_response_started_at = models.DateTimeField(null=True, blank=True)
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    next_response_met_at = models.DateTimeField(null=True, blank=True)
    next_response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    resolution_met_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    # Stretches the clocks stood still (pending or resolved): [[start, end or null], …],
    # ISO instants in order; an open one last while paused.
    pauses = models.JSONField(default=list, blank=True)
    # The soonest due time among unmet targets while the clocks run; null when none.
    next_due_at = models.DateTimeField(null=True, blank=True)
    # The first breach of any target, kept when later targets are met.
    breached_at = models.DateTimeField(null=True, blank=True)
    # The soonest due time not yet marked breached: what the periodic check looks for.
    check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("conversation SLA")
        indexes = [
            models.Index(fields=["next_due_at"], name="sla_next_due"),
            models.Index(fields=["check_at"], name="sla_check"),
        ]

    def __str__(self) -> str:
        return f"SLA of conversation {self.conversation_id}"

    @property
    def paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1][1] is None
