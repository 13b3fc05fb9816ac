from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Action
from .prompts import TONES

MAX_TEXT = 5000
NEEDS_TEXT = {Action.REWRITE, Action.TRANSLATE_OUT}


class AskForm(forms.Form):
    """One composer action; rewriting and translating a reply need the reply's text."""

    action = forms.ChoiceField(choices=Action.choices)
    tone = forms.ChoiceField(choices=[(t, t) for t in TONES], required=False)
    text = forms.CharField(
        max_length=MAX_TEXT,
        required=False,
        strip=True,
        error_messages={"max_length": gettext_lazy("At most %(limit_value)d characters.")},
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        action = data.get("action")
        if action in NEEDS_TEXT and not data.get("text"):
            self.add_error("text", _("Write something in the composer first."))
        if action == Action.REWRITE and not data.get("tone"):
            self.add_error("tone", _("Pick a tone: friendlier, formal or shorter."))
        return data
