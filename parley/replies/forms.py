"""The saved-reply and signature forms of the workspace page (the API takes JSON)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from parley.accounts.models import Team

from .render import MAX_BODY, VARIABLES

VARIANTS = 3  # language rows on the form for a new reply; more when a reply has more


class SavedReplyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    shortcut = forms.CharField(
        label=_("Shortcut"),
        max_length=40,
        required=False,
        help_text=_("One word: typing ##word or /word in a reply finds it."),
    )
    tags = forms.CharField(label=_("Tags"), max_length=440, required=False)
    scope = forms.ChoiceField(
        label=_("Who uses it"),
        choices=[
            ("personal", _("Only me")),
            ("team", _("A team")),
            ("workspace", _("Everyone")),
        ],
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)

    def __init__(self, *args, rows: int = VARIANTS, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.rows = max(rows, VARIANTS)
        hint = ", ".join(f"{{{{ {name} }}}}" for name in VARIABLES)
        for i in range(1, self.rows + 1):
            self.fields[f"language_{i}"] = forms.CharField(
                label=_("Language"), max_length=8, required=i == 1, initial="en" if i == 1 else ""
            )
            self.fields[f"body_{i}"] = forms.CharField(
                label=_("Text"),
                max_length=MAX_BODY,
                required=i == 1,
                widget=forms.Textarea(attrs={"rows": 5}),
                help_text=_("Variables: %(names)s") % {"names": hint} if i == 1 else "",
            )

    def variants(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"language_{i}"], self[f"body_{i}"]) for i in range(1, self.rows + 1)]

    def clean(self) -> dict:
        data = super().clean() or {}
        codes = [
            str(data.get(f"language_{i}") or "").strip().lower()
            for i in range(1, self.rows + 1)
            if data.get(f"body_{i}")
        ]
        if len(set(codes)) < len(codes):  # the later text would replace the earlier one
            raise forms.ValidationError(_("Each language may have only one text."))
        return data

    def values(self) -> dict:
        """The action's arguments; the first language row is the default."""
        data = self.cleaned_data
        rows = [(data[f"language_{i}"], data[f"body_{i}"]) for i in range(1, self.rows + 1)]
        return {
            "title": data["title"],
            "shortcut": data["shortcut"],
            "tags": [t for t in data["tags"].split(",") if t.strip()],
            "bodies": {code.strip().lower(): body for code, body in rows if code.strip() or body},
            "default_language": rows[0][0].strip().lower(),
            "scope": data["scope"],
            "team": data["team"],
        }

    @staticmethod
    def initial_for(reply) -> dict:  # type: ignore[no-untyped-def]
        initial = {
            "title": reply.title,
            "shortcut": reply.shortcut,
            "tags": ", ".join(reply.tags),
            "scope": reply.scope,
            "team": reply.team_id,
        }
        ordered = sorted(reply.bodies.items(), key=lambda item: item[0] != reply.default_language)
        for i, (code, body) in enumerate(ordered, start=1):
            initial |= {f"language_{i}": code, f"body_{i}": body}
        return initial


class SignaturesForm(forms.Form):
    email = forms.CharField(
        label=_("Email"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Added below every email reply when it is sent."),
    )
    chat = forms.CharField(
        label=_("Live chat"),
        max_length=200,
        required=False,
        help_text=_("Short, optional: “Add signature” beside the composer puts it in."),
    )
    social = forms.CharField(
        label=_("Social and WhatsApp"), max_length=200, required=False, help_text=_("Short too.")
    )
