"""The mailbox settings on the channel admin form: address, outgoing server or provider,
and the automatic acknowledgement (offered for every channel kind)."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from ..models import Channel, ChannelKind
from .imap import ImapError, imap_settings
from .send import PROVIDERS

SECURITY = (("starttls", "STARTTLS"), ("ssl", "SSL/TLS"), ("none", _("None (local relay only)")))
IMAP_SECURITY = (
    ("ssl", "SSL/TLS"),
    ("starttls", "STARTTLS"),
    ("none", _("None (this machine only)")),
)
IMAP_AFTER = (
    ("seen", _("Mark as read")),
    ("flag", _("Flag")),
    ("move", _("Move to a folder")),
    ("delete", _("Delete")),
)
IMAP_FIELDS = ("host", "port", "security", "username", "folder", "after", "move_to")


class EmailSettingsForm(forms.Form):
    """Mixed into the channel form: fields used by email channels (and the
    acknowledgement, used by all)."""

    address = forms.EmailField(required=False, help_text=_("Email: the mailbox address"))
    aliases = forms.CharField(
        required=False,
        help_text=_("Email: other addresses delivered to this mailbox, comma-separated"),
    )
    from_name = forms.CharField(
        required=False,
        max_length=80,
        help_text=_("Email: shown after the agent's name in From, e.g. “Shop Support”"),
    )
    smtp_host = forms.CharField(required=False, help_text=_("Email: outgoing SMTP server"))
    smtp_port = forms.IntegerField(required=False, min_value=1, max_value=65535)
    smtp_security = forms.ChoiceField(required=False, choices=SECURITY, initial="starttls")
    smtp_username = forms.CharField(required=False)
    smtp_password = forms.CharField(required=False, widget=forms.PasswordInput())
    provider = forms.ChoiceField(
        required=False,
        choices=[("", _("— none: use SMTP —")), *((p, p) for p in PROVIDERS)],
        help_text=_("Email: send through this provider's API instead of SMTP"),
    )
    provider_api_key = forms.CharField(required=False, widget=forms.PasswordInput())
    imap_host = forms.CharField(
        required=False, help_text=_("Email: read this mailbox by IMAP (empty: no polling)")
    )
    imap_port = forms.IntegerField(required=False, min_value=1, max_value=65535)
    imap_security = forms.ChoiceField(required=False, choices=IMAP_SECURITY, initial="ssl")
    imap_username = forms.CharField(required=False)
    imap_password = forms.CharField(required=False, widget=forms.PasswordInput())
    imap_folder = forms.CharField(required=False, initial="INBOX")
    imap_after = forms.ChoiceField(
        required=False,
        choices=IMAP_AFTER,
        initial="seen",
        help_text=_("Email: what happens to mail in the mailbox once Parley has it"),
    )
    imap_move_to = forms.CharField(required=False, help_text=_("Email: folder for “move”"))
    acknowledgement = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Sent automatically when a customer's message starts a conversation. Empty: none."
        ),
    )
    outside_hours_reply = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Sent when a customer writes while business hours are closed, once per "
            "conversation until they open; instead of the acknowledgement. Empty: none."
        ),
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        chosen = self.instance.settings  # type: ignore[attr-defined]
        smtp = chosen.get("smtp") or {}
        imap = chosen.get("imap") or {}
        self.initial.update(
            {f"imap_{name}": imap.get(name) for name in IMAP_FIELDS if name in imap}
        )
        self.initial.update(
            address=chosen.get("address", ""),
            aliases=", ".join(chosen.get("aliases") or []),
            from_name=chosen.get("from_name", ""),
            smtp_host=smtp.get("host", ""),
            smtp_port=smtp.get("port"),
            smtp_security=smtp.get("security", "starttls"),
            smtp_username=smtp.get("username", ""),
            provider=(chosen.get("provider") or {}).get("esp", ""),
            acknowledgement=chosen.get("acknowledgement", ""),
            outside_hours_reply=chosen.get("outside_hours_reply", ""),
        )

    def clean_aliases(self) -> list[str]:
        aliases = [a.strip().lower() for a in self.cleaned_data["aliases"].split(",") if a.strip()]
        for alias in aliases:
            try:
                validate_email(alias)
            except ValidationError:
                raise ValidationError(
                    _("“%(alias)s” is not an email address."), params={"alias": alias}
                ) from None
        return aliases

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("kind") == ChannelKind.EMAIL and data.get("imap_host"):
            probe = Channel(kind=ChannelKind.EMAIL, settings={"imap": self._imap(data)})
            try:
                imap_settings(probe)
            except ImapError as exc:
                self.add_error("imap_host", exc.reason)
        return data

    @staticmethod
    def _imap(data: dict) -> dict:
        imap = {name: data.get(f"imap_{name}") for name in IMAP_FIELDS}
        return {
            name: value.strip() if isinstance(value, str) else value
            for name, value in imap.items()
            if value
        }

    def save(self, commit: bool = True) -> Channel:
        channel = super().save(commit=False)  # type: ignore[misc]
        data = self.cleaned_data
        channel.settings["acknowledgement"] = data["acknowledgement"].strip()
        channel.settings["outside_hours_reply"] = data["outside_hours_reply"].strip()
        if channel.kind == ChannelKind.EMAIL:
            channel.settings.update(
                address=data["address"].strip().lower(),
                aliases=data["aliases"],
                from_name=data["from_name"].strip(),
                smtp={
                    "host": data["smtp_host"].strip(),
                    "port": data["smtp_port"],
                    "security": data["smtp_security"] or "starttls",
                    "username": data["smtp_username"].strip(),
                },
                # Provider options other than the choice (a sender domain…) are kept.
                provider={**(channel.settings.get("provider") or {}), "esp": data["provider"]}
                if data["provider"]
                else {},
            )
            # The poller's own progress (last UID seen) stays as it was.
            channel.settings["imap"] = self._imap(data) if data["imap_host"] else {}
            for secret in ("smtp_password", "provider_api_key", "imap_password"):
                if data.get(secret):
                    channel.set_secret(secret, data[secret])
        if commit:
            channel.save()
        return channel
