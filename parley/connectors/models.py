"""A channel is one connected account (a mailbox, a Page, a WhatsApp number, an API feed)."""

import secrets as pysecrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from parley.core.secrets import EncryptedSecrets


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Live chat")
    WEBFORM = "webform", _("Web form")
    MESSENGER = "messenger", _("Messenger")
    INSTAGRAM = "instagram", _("Instagram DM")
    INSTAGRAM_COMMENT = "instagram_comment", _("Instagram comment")
    WHATSAPP = "whatsapp", _("WhatsApp")
    X = "x", _("X")
    API = "api", _("API")


def new_public_key() -> str:
    return pysecrets.token_urlsafe(18)


class Channel(EncryptedSecrets, models.Model):
    kind = models.CharField(max_length=20, choices=ChannelKind.choices)
    name = models.CharField(max_length=120)
    settings = models.JSONField(default=dict, blank=True)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    public_key = models.CharField(max_length=40, unique=True, default=new_public_key)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the platform refuses the channel itself (an expired token); shown to
    # admins until a successful check clears it.
    health_problem = models.TextField(blank=True)
    health_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MessageTemplate(models.Model):
    """A WhatsApp message template, synced from the business account: the only messages
    allowed outside the 24-hour customer-service window."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="templates")
    name = models.CharField(max_length=512)
    language = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    category = models.CharField(max_length=40, blank=True)
    body = models.TextField(blank=True)
    components = models.JSONField(default=list, blank=True)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "name", "language"], name="template_unique_per_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    @property
    def parameter_count(self) -> int:
        """How many {{n}} placeholders the body has."""
        import re

        return len(set(re.findall(r"{{\s*(\d+)\s*}}", self.body)))
