"""Customers and the identities (addresses, phone numbers, platform ids) that lead to them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    MESSENGER = "messenger", _("Messenger PSID")
    FACEBOOK = "facebook", _("Facebook user id")
    INSTAGRAM = "instagram", _("Instagram IGSID")
    WHATSAPP = "whatsapp", _("WhatsApp ID")
    X = "x", _("X user id")
    CHAT = "chat", _("Chat visitor")
    API = "api", _("External id")


class Customer(models.Model):
    name = models.CharField(max_length=200, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    # A copy of the profile picture a platform shares (its own URLs expire).
    picture = models.FileField(upload_to="customers/", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name or f"Customer {self.pk}"


class Identity(models.Model):
    """One way to reach a customer. Unique per kind: one address, one person."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=16, choices=IdentityKind.choices)
    value = models.CharField(max_length=320)
    display_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="identity_unique_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class CustomerNote(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pinned", "-created_at"]

    def __str__(self) -> str:
        return self.body[:60]
