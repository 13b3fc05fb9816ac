"""Outside systems Parley reads from: shops."""

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
