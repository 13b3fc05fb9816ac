"""Outside systems Parley reads from (shops) and notifies (Slack, e-mail, webhooks)."""

import uuid

from django.db import models

from parley.core.secrets import EncryptedSecrets


class ShopifyStore(EncryptedSecrets, models.Model):
    """A connected Shopify shop. Secrets: access_token (Admin API), webhook_secret (the
    app's client secret, which signs webhooks)."""

    name = models.CharField(max_length=120)
    # "example.myshopify.com"; a full http(s) URL is accepted for a local or proxied shop.
    shop_domain = models.CharField(max_length=200, unique=True)
    api_version = models.CharField(max_length=10, default="2025-07")
    active = models.BooleanField(default=True)
    # Set when the shop refuses us (a revoked token); shown until a call succeeds again.
    health_problem = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def source(self) -> str:
        """The Order.source of this shop's orders."""
        return f"shopify:{self.pk}"


class SlackWebhook(EncryptedSecrets, models.Model):
    """A Slack incoming webhook rules post to. Secret: url — whoever has it can post to the
    channel, so it is write-only and never shown in rules or the API."""

    name = models.CharField(max_length=120, unique=True)
    enabled = models.BooleanField(default=True)
    # Set when Slack refuses the webhook for good (channel archived, app removed).
    health_problem = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WebhookEndpoint(EncryptedSecrets, models.Model):
    """A URL rules call with a signed JSON POST. Secret: signing_secret."""

    name = models.CharField(max_length=120, unique=True)
    url = models.URLField(max_length=500)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeliveryKind(models.TextChoices):
    SLACK = "slack", "Slack"
    EMAIL = "email", "E-mail"
    WEBHOOK = "webhook", "Webhook"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RETRYING = "retrying", "Retrying"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One notification a rule sent — a Slack post, an e-mail, a webhook call — with what it
    carries, fixed when the rule fired, so a replay sends the same thing (Saleor's
    EventDelivery)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=8, choices=DeliveryKind.choices)
    slack = models.ForeignKey(
        SlackWebhook, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    webhook = models.ForeignKey(
        WebhookEndpoint,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rule = models.CharField(max_length=120, blank=True)
    # slack: {"text"}; email: {"to", "subject", "text"}; webhook: the JSON body.
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["status", "-created_at"], name="delivery_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.uuid}"


class DeliveryAttempt(models.Model):
    """One try at a delivery: what the other side answered, or why it could not be reached."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(auto_now_add=True)
    succeeded = models.BooleanField()
    response_code = models.PositiveIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery} at {self.at:%Y-%m-%d %H:%M:%S}"
