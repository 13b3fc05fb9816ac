from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse

from parley.connectors.admin import secret_field

from .actions import check_store
from .models import ShopifyStore

SECRET_NAMES = ("access_token", "webhook_secret")


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
