"""The only code that writes knowledge-base rows."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_unicode_slug
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from parley.accounts.models import Agent
from parley.core.errors import Conflict, InvalidInput

from .models import LANGUAGES, Article, Category, Feedback
from .search import searchable_text

LANGUAGE_CODES = {code for code, _name in LANGUAGES}
ARTICLE_FIELDS = (
    "title", "slug", "summary", "body", "category", "language", "translation_of", "status",
    "visibility",
)  # fmt: skip


def slug_for(slug: str, title: str, limit: int = 120) -> str:
    """The given slug, or one made from the title (cut to the column's `limit`); refused
    when neither gives one."""
    slug = slug.strip() or slugify(title, allow_unicode=True)[:limit].strip("-_")
    try:
        validate_unicode_slug(slug)
    except ValidationError:
        raise InvalidInput(
            _("The slug may hold only letters, digits, hyphens and underscores."), code="slug"
        ) from None
    return slug


def check_article(fields: dict, article: Article | None) -> None:
    """The rules a form or an API body cannot see field by field."""
    language, category = fields["language"], fields.get("category")
    if language not in LANGUAGE_CODES:
        raise InvalidInput(_("Unknown language: %s.") % language, code="language")
    if category is not None and category.language != language:
        raise InvalidInput(
            _("The category “%(name)s” is for another language.") % {"name": category.name},
            code="category_language",
        )
    taken = Article.objects.filter(language=language, slug=fields["slug"])
    if article is not None:
        taken = taken.exclude(pk=article.pk)
    if taken.exists():
        raise InvalidInput(_("Another article in this language has that slug."), code="slug_taken")
    _check_translation(fields.get("translation_of"), language, article)


def _check_translation(original: Article | None, language: str, article: Article | None) -> None:
    if original is None:
        return
    if article is not None and (original.pk == article.pk or article.translations.exists()):
        raise InvalidInput(
            _("An article that others translate cannot be a translation itself."),
            code="translation",
        )
    if original.translation_of_id is not None:
        raise InvalidInput(
            _("Link translations to the original article, not to another translation."),
            code="translation",
        )
    others = original.translations.all()
    if article is not None:
        others = others.exclude(pk=article.pk)
    siblings = [original, *others]
    if any(sibling.language == language for sibling in siblings):
        raise InvalidInput(
            _("That article already has a version in this language."), code="translation"
        )


@transaction.atomic
def save_article(agent: Agent, article: Article | None, **fields: object) -> Article:
    """Create (article None) or change an article; `fields` are ARTICLE_FIELDS, any subset
    when changing."""
    current = {name: getattr(article, name) for name in ARTICLE_FIELDS} if article else {}
    merged = {**current, **fields}
    merged["slug"] = slug_for(str(merged.get("slug") or ""), str(merged["title"]))
    check_article(merged, article)
    if article is None:
        article = Article(author=agent)
    for name, value in merged.items():
        setattr(article, name, value)
    article.search_text = searchable_text(article.title, article.summary, article.body)
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:  # a colleague took the slug a moment ago
        raise InvalidInput(
            _("Another article in this language has that slug."), code="slug_taken"
        ) from None
    return article


def delete_article(article: Article) -> None:
    article.delete()


@transaction.atomic
def save_category(category: Category | None, **fields: object) -> Category:
    category = category or Category()
    for name, value in fields.items():
        setattr(category, name, value)
    if category.language not in LANGUAGE_CODES:
        raise InvalidInput(_("Unknown language: %s.") % category.language, code="language")
    category.slug = slug_for(category.slug, category.name, limit=80)
    if category.pk and category.articles.exclude(language=category.language).exists():
        raise InvalidInput(
            _("This category has articles in its language: move them first."),
            code="category_language",
        )
    taken = Category.objects.filter(language=category.language, slug=category.slug)
    if taken.exclude(pk=category.pk).exists():
        raise InvalidInput(_("Another category in this language has that slug."), code="slug_taken")
    category.save()
    return category


def delete_category(category: Category) -> None:
    try:
        category.delete()
    except ProtectedError:
        raise Conflict(
            _("Move or delete the category's articles first."), code="category_not_empty"
        ) from None


def record_feedback(article: Article, *, visitor: str, address: str, helpful: bool) -> None:
    """A visitor's answer; the same visitor answering again replaces it (one vote each)."""
    Feedback.objects.update_or_create(
        article=article, visitor=visitor, defaults={"helpful": helpful, "address": address}
    )
