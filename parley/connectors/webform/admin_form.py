"""The web form settings on the channel admin form, and the links and snippet admins use."""

import json

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy as _

from ..models import Channel, ChannelKind
from ..origins import clean_origins
from .config import (
    DEFAULT_FIELDS,
    HONEYPOT,
    TOKEN,
    FormConfig,
    FormNotSetUp,
    form_config,
    parse_config,
)


class WebformSettingsForm(forms.Form):
    """Mixed into the channel form: fields used by web form channels only."""

    form_settings = forms.JSONField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80}),
        help_text=_(
            "Web form: title, intro, language, min_seconds, max_attachment_bytes and fields "
            "(name: name, email, order_number, topic, message or attachments; label; "
            "required; choices for the topic). See docs/channels/forms.md."
        ),
    )
    form_origins = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Web form: sites whose own forms may post to the JSON endpoint, one per line "
            "(https://shop.example). Empty: none but this server."
        ),
    )
    form_email_channel = forms.ModelChoiceField(
        queryset=Channel.objects.filter(kind=ChannelKind.EMAIL),
        required=False,
        help_text=_("Web form: the mailbox replies are sent from"),
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        chosen = self.instance.settings  # type: ignore[attr-defined]
        if self.instance.kind == ChannelKind.WEBFORM:  # type: ignore[attr-defined]
            self.initial.update(
                form_settings=chosen.get("form") or {"fields": DEFAULT_FIELDS},
                form_origins="\n".join(chosen.get("allowed_origins") or []),
                form_email_channel=chosen.get("email_channel_id"),
            )

    def clean_form_settings(self) -> dict:
        value = self.cleaned_data["form_settings"] or {}
        try:
            parse_config(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        return value

    def clean_form_origins(self) -> list[str]:
        return clean_origins(self.cleaned_data["form_origins"])

    def save(self, commit: bool = True) -> Channel:
        channel = super().save(commit=False)  # type: ignore[misc]
        if channel.kind == ChannelKind.WEBFORM:
            data = self.cleaned_data
            mailbox = data.get("form_email_channel")
            channel.settings.update(
                form=data["form_settings"],
                allowed_origins=data["form_origins"],
                email_channel_id=mailbox.pk if mailbox else None,
            )
        if commit:
            channel.save()
        return channel


@admin.display(description=_("Web form"))
def form_links(model_admin: object, channel: Channel) -> str:
    """A ChannelAdmin method (read-only field): the hosted page and the embed snippet."""
    if not channel.pk or channel.kind != ChannelKind.WEBFORM:
        return "—"
    page = settings.PUBLIC_URL + reverse("webform", args=[channel.public_key])
    try:
        snippet = form_snippet(channel, form_config(channel))
    except FormNotSetUp as exc:
        snippet = exc.detail
    return format_html(
        '{}: <a href="{}" target="_blank" rel="noopener">{}</a><br>{}<pre>{}</pre>',
        _("Hosted page"),
        page,
        page,
        _("Your own form, posting to the JSON endpoint (paste it into your page):"),
        snippet,
    )


def form_snippet(channel: Channel, config: FormConfig) -> str:
    """HTML for a site's own form: fetch a token, post the form, show the answer."""
    url = settings.PUBLIC_URL + reverse("webform_api", args=[channel.public_key])
    inputs = "\n".join(
        f"  <label>{escape(f.shown_label)} {_input(f.name, f.required, f.choices)}</label>"
        for f in config.fields
    )
    return f"""<form id="parley-form">
{inputs}
  <input name="{HONEYPOT}" tabindex="-1" autocomplete="off" hidden>
  <button>Send</button>
  <p id="parley-result" role="status"></p>
</form>
<script>
(async () => {{
  const url = {json.dumps(url)};
  const form = document.getElementById("parley-form");
  const result = document.getElementById("parley-result");
  const {{ {TOKEN} }} = await (await fetch(url)).json();
  form.addEventListener("submit", async (event) => {{
    event.preventDefault();
    const data = new FormData(form);
    data.append("{TOKEN}", {TOKEN});
    const response = await fetch(url, {{ method: "POST", body: data }});
    const answer = await response.json();
    result.textContent = response.ok ? "Thank you! We will reply by email." : answer.detail;
    if (response.ok) form.reset();
  }});
}})();
</script>"""


def _input(name: str, required: bool, choices: tuple[str, ...]) -> str:
    needed = " required" if required else ""
    if name == "message":
        return f'<textarea name="message"{needed}></textarea>'
    if name == "attachments":
        return f'<input name="attachments" type="file" multiple{needed}>'
    if name == "email":
        return f'<input name="email" type="email"{needed}>'
    if choices:
        options = "".join(f"<option>{escape(c)}</option>" for c in choices)
        return f'<select name="{name}"{needed}><option value=""></option>{options}</select>'
    return f'<input name="{name}"{needed}>'
