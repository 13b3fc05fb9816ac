"""Settings → AI provider (off by default; the key is write-only) and AI calls (the log)."""

import ipaddress
from urllib.parse import urlsplit

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from parley.connectors.admin import secret_field

from .models import ProviderCall, ProviderSettings


class ProviderSettingsForm(forms.ModelForm):
    """A blank key keeps the stored one; "remove key" forgets it (servers without keys)."""

    url = forms.URLField(max_length=300, required=False, assume_scheme="https")
    api_key = secret_field()
    remove_key = forms.BooleanField(required=False)

    class Meta:
        model = ProviderSettings
        fields = ("enabled", "url", "model", "timeout", "max_tokens")

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        stored = self.instance.masked_secrets().get("api_key") if self.instance.pk else None
        self.fields["api_key"].label = _("API key")
        self.fields["api_key"].help_text = (
            _("Stored: %(key)s; leave blank to keep it.") % {"key": stored}
            if stored
            else _("Sent as a Bearer token; stored encrypted, never shown again.")
        )
        self.fields["remove_key"].label = _("Remove the stored key")
        self.fields["url"].label = _("API URL")
        self.fields["url"].help_text = ProviderSettings._meta.get_field("url").help_text

    def clean_url(self) -> str:
        url = self.cleaned_data.get("url", "").strip()
        parts = urlsplit(url)
        if url and parts.scheme not in ("http", "https"):
            raise forms.ValidationError(_("A URL starting with https:// (or http://)."))
        if url and (parts.username or parts.password):
            raise forms.ValidationError(_("No user name or password in the URL: use the key."))
        if url and _link_local(parts.hostname or ""):
            raise forms.ValidationError(_("Link-local (cloud metadata) addresses are refused."))
        return url

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("enabled") and not (data.get("url") and data.get("model")):
            raise forms.ValidationError(_("To turn the provider on, give its URL and a model."))
        return data

    def save(self, commit: bool = True) -> ProviderSettings:
        settings = super().save(commit=False)
        if self.cleaned_data.get("remove_key"):
            settings.set_secret("api_key", "")
        elif self.cleaned_data.get("api_key"):
            settings.set_secret("api_key", self.cleaned_data["api_key"].strip())
        if commit:
            settings.save()
        return settings


def _link_local(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_link_local
    except ValueError:
        return False


@admin.register(ProviderSettings)
class ProviderSettingsAdmin(admin.ModelAdmin):
    form = ProviderSettingsForm
    list_display = ("__str__", "enabled", "model", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ProviderSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ProviderCall)
class ProviderCallAdmin(admin.ModelAdmin):
    """Read-only: who asked what, how many tokens, how long, how it went."""

    list_display = (
        "created_at",
        "agent",
        "action",
        "conversation",
        "model",
        "prompt_tokens",
        "completion_tokens",
        "duration_ms",
        "ok",
        "error",
    )
    list_filter = ("action", "ok", "model")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
