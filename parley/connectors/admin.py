from django import forms
from django.contrib import admin

from .models import Channel

SECRET_NAMES = ("access_token", "app_secret", "verify_token", "callback_secret")


def secret_field() -> forms.CharField:
    return forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))


class ChannelForm(forms.ModelForm):
    """Secrets are write-only: a blank field keeps the stored value."""

    access_token = secret_field()
    app_secret = secret_field()
    verify_token = secret_field()
    callback_secret = secret_field()

    class Meta:
        model = Channel
        fields = ("kind", "name", "team", "active", "settings")

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        masked = self.instance.masked_secrets() if self.instance.pk else {}
        for name in SECRET_NAMES:
            self.fields[name].help_text = (
                f"Stored: {masked[name]}. Leave blank to keep it." if name in masked else "Not set"
            )

    def save(self, commit: bool = True) -> Channel:
        channel = super().save(commit=False)
        for name in SECRET_NAMES:
            if self.cleaned_data.get(name):
                channel.set_secret(name, self.cleaned_data[name])
        if commit:
            channel.save()
        return channel


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelForm
    list_display = ("name", "kind", "team", "active", "public_key")
    list_filter = ("kind", "active")
    readonly_fields = ("public_key", "webhook_url")

    @admin.display(description="Webhook URL")
    def webhook_url(self, channel: Channel) -> str:
        from django.conf import settings

        if not channel.pk:
            return "—"
        return f"{settings.PUBLIC_URL}/hooks/{channel.kind}/{channel.pk}"
