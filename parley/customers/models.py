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
    # Known keys: vip (bool), language, tags (list); anything else a team records.
    attributes = models.JSONField(default=dict, blank=True)
    # A copy of the profile picture a platform shares (its own URLs expire).
    picture = models.FileField(upload_to="customers/", max_length=300, blank=True)
    # Set while this profile is merged into another: kept (for an unmerge), never listed.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
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
    # What two identities share when they are likely one person (see normalize.match_key):
    # an email without dots or +tags, a phone number whatever the kind. Empty: never matched.
    match_key = models.CharField(max_length=320, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="identity_unique_per_kind")
        ]
        indexes = [
            models.Index(
                fields=["match_key", "customer"],
                name="identity_match_key",
                condition=~models.Q(match_key=""),
            )
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


class Order(models.Model):
    """An order from a shop (Shopify, a CSV import, the API), shown beside the conversation."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    # Where it came from: "shopify:<store id>", "csv", "api"; with external_id, its key.
    source = models.CharField(max_length=40)
    external_id = models.CharField(max_length=120)
    # The number customers quote, without "#": "1042".
    number = models.CharField(max_length=40)
    placed_at = models.DateTimeField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    financial_status = models.CharField(max_length=40, blank=True)
    fulfillment_status = models.CharField(max_length=40, blank=True)
    # [{"title", "quantity", "sku", "price"}]
    line_items = models.JSONField(default=list, blank=True)
    # [{"number", "url", "company"}]
    tracking = models.JSONField(default=list, blank=True)
    admin_url = models.URLField(max_length=500, blank=True)
    # The contact written on the order (it may differ from the profile's).
    email = models.CharField(max_length=320, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # The shop's own last-change time: an older webhook never overwrites a newer state.
    source_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="order_unique_per_source"
            )
        ]
        indexes = [
            models.Index(fields=["number"], name="order_number"),
            models.Index(fields=["customer", "placed_at"], name="order_customer"),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"


class CustomerMerge(models.Model):
    """One merge and exactly what it moved, so that an unmerge can put it all back."""

    target = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="merges")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # {"<source id>": {"identities": [ids], "conversations": [ids], "notes": [ids],
    #  "orders": [ids]}}
    moved = models.JSONField(default=dict)
    # The kept profile's name and attributes before, and as the merge left them.
    target_before = models.JSONField(default=dict)
    target_after = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"merge {self.pk} into {self.target_id}"


class SuggestionReason(models.TextChoices):
    SAME_PHONE = "same_phone", _("Same phone number")
    SAME_EMAIL = "same_email", _("Same e-mail address")
    SAME_MESSAGE = "same_message", _("Given together in one message")
    SAME_ORDER = "same_order", _("Named the other's order")
    SIMILAR_NAME = "similar_name", _("Same name, similar contact")


class MergeSuggestion(models.Model):
    """Two profiles that are likely one person: shown to agents, merged only by one."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=16, choices=SuggestionReason.choices)
    evidence = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when merged or dismissed; a dismissed pair is never suggested again.
    resolved_at = models.DateTimeField(null=True, blank=True)
    dismissed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "other"], name="suggestion_unique_pair"),
            models.CheckConstraint(
                condition=models.Q(customer__lt=models.F("other")), name="suggestion_ordered_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} ~ {self.other_id} ({self.reason})"
