"""Forms for the agent workspace: they validate, views then call one action."""

from email.headerregistry import Address
from email.utils import getaddresses

from django import forms
from django.conf import settings
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from parley.accounts.models import Agent, Team
from parley.conversations.models import Priority, Status


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: object, initial: object = None) -> list:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        cleaned = [super(MultipleFileField, self).clean(f, initial) for f in files]
        for upload in cleaned:
            if upload.size > settings.PARLEY_MAX_ATTACHMENT_BYTES:
                raise forms.ValidationError(
                    _("%(name)s is larger than the %(limit)s MB limit."),
                    params={
                        "name": upload.name,
                        "limit": settings.PARLEY_MAX_ATTACHMENT_BYTES // (1024 * 1024),
                    },
                )
        return cleaned


class ComposeForm(forms.Form):
    mode = forms.ChoiceField(choices=[("reply", _("Reply")), ("note", _("Internal note"))])
    text = forms.CharField(max_length=100_000, strip=True, required=False)
    attachments = MultipleFileField(required=False)
    # Comment threads: under the comment for everyone, or privately to the commenter.
    comment_reply = forms.ChoiceField(
        choices=[("public", _("Public reply")), ("private", _("Private message"))],
        required=False,
    )
    # WhatsApp outside its window: an approved template instead of text.
    template = forms.IntegerField(required=False, min_value=1)
    # Email: who is copied (comma-separated); absent for other channels.
    cc = forms.CharField(max_length=2000, required=False)
    # The newest message the agent had on screen, and "send anyway" after a warning that
    # something newer arrived meanwhile.
    seen = forms.IntegerField(required=False, min_value=0, max_value=2**63 - 1)
    confirm = forms.BooleanField(required=False)

    def clean_cc(self) -> list[str] | None:
        if "cc" not in self.data:
            return None
        addresses = []
        for name, address in getaddresses([self.cleaned_data["cc"]]):
            try:
                validate_email(address)
            except forms.ValidationError:
                # The parsed fragment may not be what the agent typed: name the field's text.
                raise forms.ValidationError(
                    _("%(address)s is not an email address."),
                    params={"address": self.cleaned_data["cc"].strip()},
                ) from None
            addresses.append(str(Address(display_name=name, addr_spec=address)))
        return addresses

    def clean(self) -> dict:
        data = super().clean() or {}
        using_template = data.get("mode") == "reply" and data.get("template")
        if not data.get("text") and not using_template:
            raise forms.ValidationError(_("Write a message first."))
        return data


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=Agent.objects.filter(is_active=True), required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    note = forms.CharField(max_length=5000, required=False, strip=True)


class UpdateForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices, required=False)
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int, required=False)
    tags = forms.CharField(max_length=1000, required=False, help_text=_("Comma-separated"))
    set_tags = forms.BooleanField(required=False)

    def tag_names(self) -> list[str]:
        return [t for t in self.cleaned_data["tags"].split(",") if t.strip()]


class CustomerNoteForm(forms.Form):
    body = forms.CharField(max_length=5000, strip=True)
    pinned = forms.BooleanField(required=False)


class CustomerFactsForm(forms.Form):
    """The attributes agents keep by hand: VIP, language, tags."""

    vip = forms.BooleanField(required=False)
    language = forms.CharField(max_length=20, required=False, strip=True)
    tags = forms.CharField(max_length=500, required=False, strip=True)

    def clean_tags(self) -> list[str]:
        tags = [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]
        if len(tags) > 20 or any(len(t) > 40 for t in tags):
            raise forms.ValidationError(_("At most 20 tags of at most 40 characters each."))
        return list(dict.fromkeys(tags))

    def attributes(self) -> dict:
        """Changes for update_customer: an empty value removes the attribute."""
        data = self.cleaned_data
        return {
            "vip": True if data["vip"] else None,
            "language": data["language"] or None,
            "tags": data["tags"] or None,
        }


CONDITION_ROWS = 5
ACTION_ROWS = 4
RULE_FIELDS = [
    ("", "—"),
    ("text", _("Message text")),
    ("channel_kind", _("Channel kind")),
    ("channel", _("Channel")),
    ("is_comment", _("Is a comment")),
    ("status", _("Status")),
    ("priority", _("Priority")),
    ("assignee", _("Assignee")),
    ("team", _("Team")),
    ("tags", _("Tags")),
    ("customer_vip", _("Customer is VIP")),
    ("customer_tags", _("Customer tags")),
    ("order_count", _("Customer's orders")),
    ("lifetime_value", _("Customer's lifetime value")),
    ("business_hours", _("Business hours (open, closed)")),
    ("changed", _("What the agent changed (status, assignee, team, tags, priority)")),
    ("language", _("Language of the message (ko, en, ja…)")),
    ("sentiment", _("Tone of the message (negative, neutral, positive)")),
    ("followers", _("Customer's followers")),
    ("priority_score", _("Priority score (0 to 100)")),
]
RULE_OPS = [
    ("contains_any", _("contains any of")),
    ("contains_all", _("contains all of")),
    ("contains_none", _("contains none of")),
    ("matches", _("matches the pattern")),
    ("is", _("is")),
    ("is_not", _("is not")),
    ("in", _("is one of")),
    ("not_in", _("is none of")),
    ("is_set", _("is set")),
    ("is_not_set", _("is not set")),
    ("at_least", _("is at least")),
    ("at_most", _("is at most")),
    ("includes_any", _("include any of")),
    ("includes_all", _("include all of")),
    ("excludes", _("include none of")),
    ("eq", "="),
    ("gt", ">"),
    ("gte", "≥"),
    ("lt", "<"),
    ("lte", "≤"),
]
RULE_ACTIONS = [
    ("", "—"),
    ("add_tags", _("Add tags")),
    ("remove_tags", _("Remove tags")),
    ("set_priority", _("Set priority")),
    ("set_status", _("Set status")),
    ("assign_team", _("Assign to team")),
    ("assign_agent", _("Assign to agent")),
    ("assign_policy", _("Assign by the team's policy")),
    ("add_note", _("Add an internal note")),
    ("auto_reply", _("Send an automatic reply")),
    ("send_saved_reply", _("Send a saved reply (shortcut or title)")),
    ("notify_slack", _("Post to Slack")),
    ("notify_email", _("Send an e-mail")),
    ("call_webhook", _("Call a webhook")),
]


class RuleBuilderForm(forms.Form):
    """A rule as rows anyone can fill in: what to look at, how to compare, what value."""

    name = forms.CharField(max_length=120)
    trigger = forms.ChoiceField(
        choices=[
            ("message_received", _("A customer message arrives")),
            ("created", _("A conversation is created")),
            ("reply_sent", _("An agent's reply is sent")),
            ("conversation_updated", _("An agent changes status, assignee, tags or priority")),
            ("no_reply_for", _("No agent reply for N minutes")),
            ("pending_for", _("Pending for N hours")),
            ("sla_breach_within", _("The SLA is due within N minutes")),
        ]
    )
    # Checked against the trigger when the rule is saved (automation.timers).
    threshold = forms.IntegerField(required=False)
    match = forms.ChoiceField(
        choices=[("all", _("all of these are true")), ("any", _("any of these is true"))]
    )
    position = forms.IntegerField(min_value=0, max_value=100_000, initial=0)
    stop_processing = forms.BooleanField(required=False)
    enabled = forms.BooleanField(required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for n in range(CONDITION_ROWS):
            self.fields[f"field_{n}"] = forms.ChoiceField(choices=RULE_FIELDS, required=False)
            self.fields[f"op_{n}"] = forms.ChoiceField(choices=RULE_OPS, required=False)
            self.fields[f"value_{n}"] = forms.CharField(max_length=2000, required=False)
        for n in range(ACTION_ROWS):
            self.fields[f"action_{n}"] = forms.ChoiceField(choices=RULE_ACTIONS, required=False)
            self.fields[f"action_value_{n}"] = forms.CharField(max_length=5000, required=False)

    def condition_rows(self) -> list[tuple]:
        return [
            (self[f"field_{n}"], self[f"op_{n}"], self[f"value_{n}"]) for n in range(CONDITION_ROWS)
        ]

    def action_rows(self) -> list[tuple]:
        return [(self[f"action_{n}"], self[f"action_value_{n}"]) for n in range(ACTION_ROWS)]
