from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from .actions import REQUIRED_SETTINGS, check_channel
from .chat.admin_form import ChatSettingsForm, embed_snippet
from .email.admin_form import EmailSettingsForm
from .models import Channel, ChannelKind, MessageTemplate
from .webform.admin_form import WebformSettingsForm, form_links

SECRET_NAMES = ("access_token", "app_secret", "verify_token", "callback_secret")
# Account ids, stored in the channel's settings; which ones a kind needs: REQUIRED_SETTINGS.
SETTING_NAMES = ("page_id", "instagram_account_id", "phone_number_id", "waba_id", "callback_url")


def secret_field() -> forms.CharField:
    return forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))


class ChannelForm(WebformSettingsForm, EmailSettingsForm, ChatSettingsForm, forms.ModelForm):
    """Secrets are write-only: a blank field keeps the stored value."""

    page_id = forms.CharField(required=False, help_text="Messenger: the Facebook Page id")
    instagram_account_id = forms.CharField(
        required=False, help_text="Instagram: the professional account's id"
    )
    phone_number_id = forms.CharField(required=False, help_text="WhatsApp: the phone number id")
    waba_id = forms.CharField(required=False, help_text="WhatsApp: the Business account id")
    callback_url = forms.URLField(
        required=False, assume_scheme="https", help_text="API: where replies are POSTed"
    )
    access_token = secret_field()
    app_secret = secret_field()
    verify_token = secret_field()
    callback_secret = secret_field()

    class Meta:
        model = Channel
        fields = ("kind", "name", "team", "active")

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        masked = self.instance.masked_secrets() if self.instance.pk else {}
        for name in SECRET_NAMES:
            self.fields[name].help_text = (
                f"Stored: {masked[name]}. Leave blank to keep it." if name in masked else "Not set"
            )
        for name in SETTING_NAMES:
            self.initial.setdefault(name, self.instance.settings.get(name, ""))

    def clean(self) -> dict:
        data = super().clean() or {}
        needed = REQUIRED_SETTINGS.get(data.get("kind", ""), ())  # type: ignore[call-overload]
        for name in needed:
            if not data.get(name) and not self.instance.settings.get("demo"):
                self.add_error(name, f"A {data.get('kind')} channel needs this.")
        return data

    def save(self, commit: bool = True) -> Channel:
        channel = super().save(commit=False)
        for name in SETTING_NAMES:
            if self.cleaned_data.get(name):
                channel.settings[name] = self.cleaned_data[name].strip()
            else:
                channel.settings.pop(name, None)
        for name in SECRET_NAMES:
            if self.cleaned_data.get(name):
                channel.set_secret(name, self.cleaned_data[name])
        if commit:
            channel.save()
        return channel


class TemplateInline(admin.TabularInline):
    model = MessageTemplate
    fields = ("name", "language", "status", "category", "body")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "WhatsApp templates (synced by “Check connection”)"

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelForm
    list_display = ("name", "kind", "team", "active", "health")
    list_filter = ("kind", "active")
    readonly_fields = ("webhook_url", "health", "tools", "embed_snippet", "form_links")
    embed_snippet = embed_snippet
    form_links = form_links
    inlines = (TemplateInline,)

    def get_inlines(self, request, obj):  # type: ignore[no-untyped-def]
        return self.inlines if obj is not None and obj.kind == ChannelKind.WHATSAPP else ()

    @admin.display(description="Webhook URL")
    def webhook_url(self, channel: Channel) -> str:
        from django.conf import settings

        if not channel.pk:
            return "—"
        return f"{settings.PUBLIC_URL}/hooks/{channel.kind}/{channel.pk}"

    @admin.display(description="Health")
    def health(self, channel: Channel) -> str:
        if channel.health_problem:
            return f"Not working: {channel.health_problem}"
        return "Checked, working" if channel.health_checked_at else "Not checked yet"

    @admin.display(description="Tools")
    def tools(self, channel: Channel) -> str:
        if not channel.pk:
            return "Save the channel first."
        unprocessed = reverse("admin:conversations_inboundevent_changelist")
        return format_html(
            '<button type="submit" formaction="{}" formmethod="post">Check connection</button> '
            '<a href="{}?channel__id__exact={}&status__in=ignored,failed">Unprocessed events</a>',
            reverse("admin:connectors_channel_check", args=[channel.pk]),
            unprocessed,
            channel.pk,
        )

    def get_urls(self):  # type: ignore[no-untyped-def]
        check = self.admin_site.admin_view(require_POST(self.check_view))
        own = [path("<int:channel_id>/check/", check, name="connectors_channel_check")]
        return own + super().get_urls()

    def check_view(self, request: HttpRequest, channel_id: int) -> HttpResponseRedirect:
        """Ask the platform whether the channel works and say what it answered."""
        channel = get_object_or_404(Channel, pk=channel_id)
        ok, said = check_channel(channel)
        self.message_user(request, said, messages.SUCCESS if ok else messages.ERROR)
        return HttpResponseRedirect(reverse("admin:connectors_channel_change", args=[channel_id]))
