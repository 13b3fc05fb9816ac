"""The optional language-model provider (one per workspace) and the log of every call."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from parley.core.secrets import EncryptedSecrets


class ProviderSettings(EncryptedSecrets, models.Model):
    """Any OpenAI-compatible chat completions API. Secret: api_key (write-only)."""

    enabled = models.BooleanField(
        _("enabled"), default=False, help_text=_("Off: only the offline assistance is shown.")
    )
    url = models.URLField(
        _("API URL"),
        max_length=300,
        blank=True,
        help_text=_("Base URL, e.g. https://api.openai.com/v1 (/chat/completions is added)."),
    )
    model = models.CharField(_("model"), max_length=100, blank=True)
    timeout = models.PositiveSmallIntegerField(
        _("timeout (seconds)"),
        default=20,
        validators=[MinValueValidator(2), MaxValueValidator(60)],
        help_text=_("The agent waits for the answer: keep it short."),
    )
    max_tokens = models.PositiveSmallIntegerField(
        _("longest answer (tokens)"),
        default=600,
        validators=[MinValueValidator(16), MaxValueValidator(4000)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("AI provider")
        verbose_name_plural = _("AI provider")

    def __str__(self) -> str:
        return str(_("AI provider"))

    def save(self, *args: object, **kwargs: object) -> None:
        self.pk = 1  # one row: the workspace's
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @classmethod
    def current(cls) -> "ProviderSettings":
        """The saved settings, or the defaults (off, unsaved)."""
        return cls.objects.order_by("pk").first() or cls()

    @property
    def ready(self) -> bool:
        return self.enabled and bool(self.url and self.model)


class Action(models.TextChoices):
    DRAFT = "draft", _("Draft a reply")
    REWRITE = "rewrite", _("Rewrite")
    TRANSLATE_IN = "translate_in", _("Translate the customer's message")
    TRANSLATE_OUT = "translate_out", _("Translate the reply")
    SUMMARY = "summary", _("Summarise")


class ProviderCall(models.Model):
    """One request to the provider: who asked what for which conversation, and how it went.
    Never the prompt or the answer (customer data stays in the conversation)."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    conversation = models.ForeignKey(
        "conversations.Conversation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    model = models.CharField(_("model"), max_length=100)
    prompt_tokens = models.PositiveIntegerField(_("tokens in"), null=True)
    completion_tokens = models.PositiveIntegerField(_("tokens out"), null=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    ok = models.BooleanField(_("succeeded"))
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("AI call")
        verbose_name_plural = _("AI calls")

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.created_at:%Y-%m-%d %H:%M}"
