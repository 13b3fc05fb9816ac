"""Knowledge base: help-center articles in categories, per language, and visitors' feedback."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The help center's languages: the interface's.
LANGUAGES = [(code, name) for code, name in settings.LANGUAGES]


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: in the help center")
    INTERNAL = "internal", _("Internal: agents only")


class Category(models.Model):
    """A section of the help center in one language, listed by position."""

    language = models.CharField(_("language"), max_length=8, choices=LANGUAGES)
    slug = models.SlugField(_("slug"), max_length=80, allow_unicode=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["language", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["language", "slug"], name="kb_category_slug")
        ]
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class Article(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, allow_unicode=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("body (Markdown)"), blank=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="articles",
        null=True,
        blank=True,
        verbose_name=_("category"),
    )
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGES)
    # Translations point at the article they translate; that one points at nothing.
    translation_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        related_name="translations",
        null=True,
        blank=True,
        verbose_name=_("translation of"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Folded title, summary and body: what search matches (see search.py).
    search_text = models.TextField(default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["language", "slug"], name="kb_article_slug")]

    def __str__(self) -> str:
        return self.title

    @property
    def in_help_center(self) -> bool:
        return self.status == Status.PUBLISHED and self.visibility == Visibility.PUBLIC


class Feedback(models.Model):
    """One visitor's "was this helpful?" answer; answering again changes it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    visitor = models.CharField(max_length=64)
    # A keyed hash of the address, never the address: what the rate limit counts.
    address = models.CharField(max_length=64)
    helpful = models.BooleanField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "visitor"], name="kb_feedback_once")
        ]
        indexes = [models.Index(fields=["address", "updated_at"], name="kb_feedback_rate")]

    def __str__(self) -> str:
        return f"{self.article_id}: {'yes' if self.helpful else 'no'}"
