"""A web form channel's field configuration (channel.settings["form"]) and the Django form
built from it, used alike by the hosted page and the JSON endpoint.

    {"title": "Contact us", "intro": "We answer within a day.", "language": "",
     "min_seconds": 3, "max_attachment_bytes": 10485760,
     "fields": [{"name": "name", "required": true, "label": "Your name"},
                {"name": "email"}, {"name": "topic", "choices": ["Shipping", "Returns"]},
                {"name": "message"}, {"name": "attachments", "required": false}]}

Only the fields in FIELDS exist; the order of "fields" is the order shown. Email and
message are always asked and always required: replies go by email.
"""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from parley.core.errors import InvalidInput, ParleyError
from parley.customers.normalize import normalize_phone

from ..models import Channel

# Default labels, translated where shown (a configured "label" is shown as written).
FIELDS = {
    "name": gettext_noop("Name"),
    "email": gettext_noop("Email"),
    "phone": gettext_noop("Phone"),
    "order_number": gettext_noop("Order number"),
    "topic": gettext_noop("Topic"),
    "message": gettext_noop("Message"),
    "attachments": gettext_noop("Attachments"),
}
ALWAYS_REQUIRED = ("email", "message")
DEFAULT_FIELDS = [
    {"name": "name", "required": True},
    {"name": "email", "required": True},
    {"name": "topic", "required": False},
    {"name": "message", "required": True},
]
MAX_LENGTHS = {
    "name": 200,
    "email": 254,
    "phone": 40,
    "order_number": 64,
    "topic": 200,
    "message": 20_000,
}
MAX_FILES = 5
DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
DEFAULT_MIN_SECONDS = 3
# The hidden field people never see and form-filling robots do.
HONEYPOT = "website"
TOKEN = "form_token"  # noqa: S105 (a field name)


class FormNotSetUp(ParleyError):
    code = "form_not_set_up"
    http_status = 503


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # the configured label, else the default's untranslated text
    required: bool
    choices: tuple[str, ...] = ()

    @property
    def shown_label(self) -> str:
        return str(_(self.label)) if self.label == FIELDS[self.name] else self.label


@dataclass(frozen=True)
class FormConfig:
    title: str
    intro: str
    language: str
    fields: tuple[Field, ...]
    min_seconds: float
    max_attachment_bytes: int

    @property
    def max_request_bytes(self) -> int:
        """The largest request a valid submission can make: every file at the limit plus
        room for the text fields."""
        files = MAX_FILES * self.max_attachment_bytes if self.has("attachments") else 0
        return files + 256 * 1024

    def has(self, name: str) -> bool:
        return any(f.name == name for f in self.fields)


def form_config(channel: Channel) -> FormConfig:
    """The channel's form; raises FormNotSetUp naming what is wrong with its settings."""
    raw = channel.settings.get("form") or {}
    try:
        return parse_config(raw)
    except ValueError as exc:
        raise FormNotSetUp(str(exc)) from None


def parse_config(raw: object) -> FormConfig:
    """Raises ValueError with a readable reason (shown on the channel admin form)."""
    if not isinstance(raw, dict):
        raise ValueError("the form settings must be a JSON object")
    fields = tuple(_field(item) for item in _list(raw.get("fields") or DEFAULT_FIELDS))
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        raise ValueError("each field may appear only once")
    for name in ALWAYS_REQUIRED:
        if name not in names:
            raise ValueError(f"the form must ask for “{name}”: replies go by email")
    wanted = _number(raw, "max_attachment_bytes", DEFAULT_MAX_ATTACHMENT_BYTES)
    return FormConfig(
        title=_text(raw, "title", 200),
        intro=_text(raw, "intro", 2000),
        language=_language(raw.get("language") or ""),
        fields=fields,
        min_seconds=_number(raw, "min_seconds", DEFAULT_MIN_SECONDS),
        max_attachment_bytes=int(min(wanted, settings.PARLEY_MAX_ATTACHMENT_BYTES)),
    )


def _list(value: object) -> list:
    if not isinstance(value, list):
        raise ValueError('“fields” must be a list of objects like {"name": "email"}')
    return value


def _field(item: object) -> Field:
    if not isinstance(item, dict) or item.get("name") not in FIELDS:
        raise ValueError(f"each field needs a name, one of: {', '.join(FIELDS)} (got {item!r})")
    name = item["name"]
    unknown = set(item) - {"name", "label", "required", "choices"}
    if unknown:
        raise ValueError(f"field “{name}”: unknown keys {', '.join(sorted(unknown))}")
    choices = item.get("choices") or []
    if name != "topic" and choices:
        raise ValueError(f"field “{name}”: only the topic has choices")
    if not isinstance(choices, list) or not all(isinstance(c, str) and c for c in choices):
        raise ValueError("field “topic”: choices must be a list of texts")
    label = item.get("label") or ""
    if not isinstance(label, str) or len(label) > 100:
        raise ValueError(f"field “{name}”: the label must be a text of at most 100 characters")
    required = item.get("required", True)
    if not isinstance(required, bool):
        raise ValueError(f"field “{name}”: required must be true or false")
    return Field(
        name=name,
        label=label or FIELDS[name],
        required=required or name in ALWAYS_REQUIRED,
        choices=tuple(c[:200] for c in choices),
    )


def _text(raw: dict, key: str, limit: int) -> str:
    value = raw.get(key) or ""
    if not isinstance(value, str) or len(value) > limit:
        raise ValueError(f"“{key}” must be a text of at most {limit} characters")
    return value


def _number(raw: dict, key: str, default: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"“{key}” must be a number of at least 0")
    return value


def _language(value: object) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    if value and value not in codes:
        raise ValueError(f"“language” must be one of {', '.join(codes)} or empty")
    return str(value)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *, max_bytes: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.max_bytes = max_bytes

    def clean(self, data: object, initial: object = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("Attach at most %(count)d files."), params={"count": MAX_FILES}
            )
        return [super(AttachmentsField, self).clean(f, initial) for f in files]


def too_large_message(config: FormConfig) -> str:
    return str(
        _("Each attachment can be at most %(size)s MB.")
        % {"size": f"{config.max_attachment_bytes / (1024 * 1024):g}"}
    )


class SubmissionForm(forms.Form):
    """The visitor's answers; the fields are the channel's, in its order."""

    def __init__(self, config: FormConfig, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.config = config
        for field in config.fields:
            self.fields[field.name] = _form_field(field, config)

    def clean_phone(self) -> str:
        """Checked here, where the visitor can still correct it; stored as written."""
        phone = self.cleaned_data.get("phone") or ""
        if phone:
            try:
                normalize_phone(phone)
            except InvalidInput:
                raise forms.ValidationError(
                    _("Enter a phone number, with its country code if it is abroad."),
                    code="invalid_phone",
                ) from None
        return phone

    def clean_attachments(self) -> list[UploadedFile]:
        files = self.cleaned_data.get("attachments") or []
        if any(upload.size > self.config.max_attachment_bytes for upload in files):
            raise forms.ValidationError(too_large_message(self.config), code="too_large")
        return files

    def answers(self) -> list[dict]:
        """The text answers in the form's order, with the labels the visitor saw."""
        return [
            {"name": f.name, "label": f.label, "value": self.cleaned_data.get(f.name) or ""}
            for f in self.config.fields
            if f.name != "attachments"
        ]


def _form_field(field: Field, config: FormConfig) -> forms.Field:
    common = {"label": field.shown_label, "required": field.required}
    if field.name == "attachments":
        return AttachmentsField(max_bytes=config.max_attachment_bytes, **common)
    if field.name == "topic" and field.choices:
        choices = [("", "—"), *((c, c) for c in field.choices)]
        return forms.ChoiceField(choices=choices, **common)  # type: ignore[arg-type]
    size = MAX_LENGTHS[field.name]
    if field.name == "email":
        return forms.EmailField(max_length=size, **common)  # type: ignore[arg-type]
    if field.name == "message":
        return forms.CharField(max_length=size, widget=forms.Textarea, **common)  # type: ignore[arg-type]
    return forms.CharField(max_length=size, **common)  # type: ignore[arg-type]
