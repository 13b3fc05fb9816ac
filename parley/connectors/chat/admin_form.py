"""The live chat settings on the channel admin form, and the snippet admins paste."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from parley.core.errors import InvalidInput

from ..models import Channel, ChannelKind
from ..origins import clean_origins
from .hours import format_hours, parse_hours, time_zone

LANGUAGES = (("", _("The visitor's browser language")), ("en", "English"), ("ko", "한국어"))


class ChatSettingsForm(forms.Form):
    """Mixed into the channel form: fields used by live chat channels only."""

    allowed_origins = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Live chat: sites that may show the widget, one per line "
            "(https://shop.example). Empty: any site."
        ),
    )
    ask_name = forms.BooleanField(required=False, help_text=_("Live chat: ask visitors' names"))
    ask_email = forms.BooleanField(required=False, help_text=_("Live chat: ask visitors' emails"))
    language = forms.ChoiceField(
        required=False, choices=LANGUAGES, help_text=_("Live chat: the widget's language")
    )
    time_zone = forms.CharField(
        required=False, help_text=_("Live chat: time zone of the opening hours (Asia/Seoul)")
    )
    hours = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Live chat: opening hours, lines like “mon-fri 09:00-18:00”. Empty: always open."
        ),
    )
    email_channel = forms.ModelChoiceField(
        queryset=Channel.objects.filter(kind=ChannelKind.EMAIL),
        required=False,
        help_text=_("Live chat: the mailbox replies continue from when the visitor has left"),
    )
    identity_secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Live chat: the secret host sites sign their users with"),
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        channel = self.instance  # type: ignore[attr-defined]
        chosen = channel.settings
        self.initial.update(
            allowed_origins="\n".join(chosen.get("allowed_origins") or []),
            ask_name=bool(chosen.get("ask_name")),
            ask_email=bool(chosen.get("ask_email")),
            language=chosen.get("language", ""),
            time_zone=chosen.get("time_zone", ""),
            hours=format_hours(chosen.get("hours") or {}),
            email_channel=chosen.get("email_channel_id"),
        )
        if channel.pk and channel.secret("identity_secret"):
            self.fields["identity_secret"].help_text = _(
                "Live chat: stored. Leave blank to keep it."
            )

    def clean_allowed_origins(self) -> list[str]:
        return clean_origins(self.cleaned_data["allowed_origins"])

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"].strip()
        self._checked(time_zone, name)
        return name

    def clean_hours(self) -> dict:
        return self._checked(parse_hours, self.cleaned_data["hours"]) or {}

    @staticmethod
    def _checked(parse, value):  # type: ignore[no-untyped-def]
        try:
            return parse(value) if value else None
        except InvalidInput as exc:
            raise ValidationError(exc.detail) from None

    def save(self, commit: bool = True) -> Channel:
        channel = super().save(commit=False)  # type: ignore[misc]
        if channel.kind == ChannelKind.CHAT:
            data = self.cleaned_data
            email_channel = data.get("email_channel")
            channel.settings.update(
                allowed_origins=data["allowed_origins"],
                ask_name=data["ask_name"],
                ask_email=data["ask_email"],
                language=data["language"],
                time_zone=data["time_zone"] or "",
                hours=data["hours"],
                email_channel_id=email_channel.pk if email_channel else None,
            )
            if data.get("identity_secret"):
                channel.set_secret("identity_secret", data["identity_secret"])
        if commit:
            channel.save()
        return channel


@admin.display(description=_("Live chat snippet"))
def embed_snippet(model_admin: object, channel: Channel) -> str:
    """A ChannelAdmin method (read-only field)."""
    if not channel.pk or channel.kind != ChannelKind.CHAT:
        return "—"
    return format_html(
        "<code>&lt;script src=&quot;{}/chat/widget.js&quot; data-key=&quot;{}&quot; "
        "async&gt;&lt;/script&gt;</code><br>{}",
        settings.PUBLIC_URL,
        channel.public_key,
        _("Paste it before </body> on every page that shows the chat."),
    )
