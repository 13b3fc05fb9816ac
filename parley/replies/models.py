"""Saved replies (personal, team or workspace-wide, one body per language), the agents'
short signatures for chat and social channels, and the brand tone guidelines."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedReply(models.Model):
    """Personal when it has an owner, a team's when it has a team, else everyone's.

    `bodies` maps a language code to that language's text ({"en": "Hi {{ customer.first_name }}"});
    the variant matching the customer's language is used, else `default_language`'s."""

    title = models.CharField(_("title"), max_length=120)
    shortcut = models.CharField(_("shortcut"), max_length=40, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    bodies = models.JSONField(_("texts"), default=dict)
    default_language = models.CharField(_("default language"), max_length=8, default="en")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saved_replies",
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saved_replies",
    )
    usage_count = models.PositiveIntegerField(_("used"), default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner__isnull=True) | models.Q(team__isnull=True),
                name="saved_reply_one_scope",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scope(self) -> str:
        if self.owner_id:
            return "personal"
        return "team" if self.team_id else "workspace"


class SignatureKind(models.TextChoices):
    CHAT = "chat", _("Live chat")
    SOCIAL = "social", _("Social and WhatsApp")


class Signature(models.Model):
    """An agent's short sign-off for chat or social replies. Email's is Agent.signature."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signatures"
    )
    kind = models.CharField(max_length=8, choices=SignatureKind.choices)
    text = models.CharField(_("signature"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "kind"], name="signature_per_agent_kind")
        ]

    def __str__(self) -> str:
        return self.text


class BrandTone(models.Model):
    """How replies should sound, written by an admin and shown beside every composer."""

    text = models.TextField(
        _("guidelines"),
        blank=True,
        max_length=5000,
        help_text=_("Shown beside the composer, and given to the AI provider for drafts."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("brand tone")
        verbose_name_plural = _("brand tone")

    def __str__(self) -> str:
        return str(_("Brand tone"))

    def save(self, *args: object, **kwargs: object) -> None:
        self.pk = 1  # one row: the workspace's
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @classmethod
    def current(cls) -> "BrandTone":
        return cls.objects.order_by("pk").first() or cls()
