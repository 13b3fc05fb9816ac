"""How much each signal adds to a conversation's priority score (see priority.py)."""

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from parley.core.errors import InvalidInput

from .urgency import DEFAULT_URGENCY_WORDS, check_urgency_words

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


def _default_words() -> dict[str, list[str]]:
    return {language: list(words) for language, words in DEFAULT_URGENCY_WORDS.items()}


def _points(default: int, help_text: "StrPromise") -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        default=default, validators=[MaxValueValidator(100)], help_text=help_text
    )


class PrioritySettings(models.Model):
    """The workspace's one set of weights: the most points each signal can add (the score
    is capped at 100), and the urgency words."""

    urgency_points = _points(25, _("Urgency words: one word gives 60 %, three or more all."))
    negative_points = _points(20, _("Negative sentiment, by how negative the message reads."))
    vip_points = _points(15, _("The customer is VIP."))
    orders_points = _points(10, _("Orders: all at 10 orders or more."))
    lifetime_value_points = _points(10, _("Lifetime value, up to the amount below."))
    lifetime_value_full = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=1000,
        validators=[MinValueValidator(1)],
        help_text=_("The lifetime value (in the customer's main currency) that gives all."),
    )
    followers_points = _points(10, _("Social reach: from 1,000 followers, all at 1,000,000."))
    waiting_points = _points(15, _("Waiting for us: all after 4 hours."))
    sla_points = _points(25, _("SLA due within 4 hours: all when due or late."))
    urgency_words = models.JSONField(
        default=_default_words,
        help_text=_('Per language code, or "any": {"en": ["urgent", "refund"], "any": ["!!!"]}'),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("priority settings")
        verbose_name_plural = _("priority settings")

    def __str__(self) -> str:
        return str(_("Priority score"))

    def save(self, *args: object, **kwargs: object) -> None:
        self.pk = 1  # one row: the workspace's
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        try:
            self.urgency_words = check_urgency_words(self.urgency_words)
        except InvalidInput as exc:
            raise ValidationError({"urgency_words": exc.detail}) from None

    @classmethod
    def current(cls) -> "PrioritySettings":
        """The saved settings, or the defaults (unsaved) until someone changes them."""
        return cls.objects.order_by("pk").first() or cls()
