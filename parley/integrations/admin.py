from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse

from parley.connectors.admin import secret_field
from parley.core.errors import InvalidInput

from .actions import check_store
from .models import (
    Delivery,
    DeliveryAttempt,
    DeliveryKind,
    ShopifyStore,
    SlackWebhook,
    WebhookEndpoint,
)
from .notify import replay_delivery
from .outbound import check_url

SECRET_NAMES = ("access_token", "webhook_secret")
MIN_SECRET = 16


class ShopifyStoreForm(forms.ModelForm):
    """Secrets are write-only: a blank field keeps the stored value."""

    access_token = secret_field()
    webhook_secret = secret_field()

    class Meta:
        model = ShopifyStore
        fields = ("name", "shop_domain", "api_version", "active")
        help_texts = {"shop_domain": "your-shop.myshopify.com"}

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        masked = self.instance.masked_secrets() if self.instance.pk else {}
        helps = {
            "access_token": "Admin API access token of the shop's custom app (shpat_…).",
            "webhook_secret": "The app's client secret: it signs the webhooks.",
        }
        for name in SECRET_NAMES:
            stored = f" Stored: {masked[name]}; leave blank to keep it." if name in masked else ""
            self.fields[name].help_text = helps[name] + stored

    def save(self, commit: bool = True) -> ShopifyStore:
        store = super().save(commit=False)
        for name in SECRET_NAMES:
            if self.cleaned_data.get(name):
                store.set_secret(name, self.cleaned_data[name].strip())
        if commit:
            store.save()
        return store


@admin.register(ShopifyStore)
class ShopifyStoreAdmin(admin.ModelAdmin):
    form = ShopifyStoreForm
    list_display = ("name", "shop_domain", "active", "health")
    readonly_fields = ("webhook_url", "health")
    actions = ("check_connection",)

    @admin.display(description="Webhook URL (orders/*, fulfillments/*)")
    def webhook_url(self, store: ShopifyStore) -> str:
        if not store.pk:
            return "—"
        return settings.PUBLIC_URL + reverse("shopify_webhook", args=[store.pk])

    @admin.display(description="Health")
    def health(self, store: ShopifyStore) -> str:
        return f"Not working: {store.health_problem}" if store.health_problem else "No problem seen"

    @admin.action(description="Check connection")
    def check_connection(self, request: HttpRequest, queryset) -> None:  # type: ignore[no-untyped-def]
        for store in queryset:
            problem = check_store(store)
            if problem:
                self.message_user(request, f"{store}: {problem}", messages.ERROR)
            else:
                self.message_user(request, f"{store}: connected", messages.SUCCESS)


class SlackWebhookForm(forms.ModelForm):
    """The incoming-webhook URL is the credential: write-only, kept encrypted."""

    url = secret_field()

    class Meta:
        model = SlackWebhook
        fields = ("name", "enabled")

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        stored = self.instance.masked_secrets().get("url") if self.instance.pk else None
        self.fields["url"].label = "Incoming webhook URL"
        self.fields["url"].required = stored is None
        self.fields["url"].help_text = "https://hooks.slack.com/services/…" + (
            f" Stored: {stored}; leave blank to keep it." if stored else ""
        )

    def clean_url(self) -> str:
        url = self.cleaned_data.get("url", "")
        return _checked_url(url) if url else ""

    def save(self, commit: bool = True) -> SlackWebhook:
        hook = super().save(commit=False)
        if self.cleaned_data.get("url"):
            hook.set_secret("url", self.cleaned_data["url"])
            hook.health_problem = ""
        if commit:
            hook.save()
        return hook


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    signing_secret = secret_field()

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "enabled")

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        stored = self.instance.masked_secrets().get("signing_secret") if self.instance.pk else None
        self.fields["signing_secret"].required = stored is None
        self.fields["signing_secret"].help_text = (
            f"At least {MIN_SECRET} characters; the receiver checks X-Parley-Signature-256 "
            "with it (python -c 'import secrets; print(secrets.token_hex(32))')."
            + (f" Stored: {stored}; leave blank to keep it." if stored else "")
        )

    def clean_url(self) -> str:
        return _checked_url(self.cleaned_data.get("url", ""))

    def clean_signing_secret(self) -> str:
        secret = self.cleaned_data.get("signing_secret", "").strip()
        if secret and len(secret) < MIN_SECRET:
            raise forms.ValidationError(f"At least {MIN_SECRET} characters.")
        return secret

    def save(self, commit: bool = True) -> WebhookEndpoint:
        endpoint = super().save(commit=False)
        if self.cleaned_data.get("signing_secret"):
            endpoint.set_secret("signing_secret", self.cleaned_data["signing_secret"])
        if commit:
            endpoint.save()
        return endpoint


def _checked_url(url: str) -> str:
    try:
        return check_url(url, "URL")
    except InvalidInput as exc:
        raise forms.ValidationError(exc.detail) from None


@admin.register(SlackWebhook)
class SlackWebhookAdmin(admin.ModelAdmin):
    form = SlackWebhookForm
    list_display = ("name", "id", "enabled", "health")
    readonly_fields = ("health",)

    @admin.display(description="Health")
    def health(self, hook: SlackWebhook) -> str:
        return f"Not working: {hook.health_problem}" if hook.health_problem else "No problem seen"


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("name", "id", "url", "enabled")


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ("at", "succeeded", "response_code", "reason", "response_body", "duration_ms")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Every notification rules sent, each attempt, and a replay for those that failed."""

    list_display = (
        *("created_at", "kind", "target", "rule", "conversation_id", "status"),
        *("attempts", "response_code", "reason"),
    )
    list_filter = ("status", "kind")
    search_fields = ("rule", "uuid", "reason")
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = (AttemptInline,)
    actions = ("replay",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="To")
    def target(self, delivery: Delivery) -> str:
        if delivery.kind == DeliveryKind.EMAIL:
            return ", ".join(delivery.payload.get("to", []))
        return str(delivery.slack or delivery.webhook or "(deleted)")

    @admin.action(description="Replay (send again)")
    def replay(self, request: HttpRequest, queryset) -> None:  # type: ignore[no-untyped-def]
        for delivery in queryset:
            replay_delivery(delivery)
        self.message_user(request, f"{queryset.count()} queued to be sent again.", messages.SUCCESS)
