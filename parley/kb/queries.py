"""Which articles each audience may see. Every view and route starts from one of these."""

from django.db.models import Count, Q, QuerySet

from parley.accounts.models import Agent

from .models import Article, Category, Status, Visibility


def help_center_articles() -> QuerySet[Article]:
    """What the public may see: published and public, nothing else, ever."""
    return Article.objects.filter(status=Status.PUBLISHED, visibility=Visibility.PUBLIC)


def agent_articles(agent: Agent) -> QuerySet[Article]:
    """Published articles, public or internal; leads and admins also see drafts."""
    if agent.sees_everything:
        return Article.objects.all()
    return Article.objects.filter(status=Status.PUBLISHED)


def help_center_categories(language: str) -> QuerySet[Category]:
    """The language's categories that hold at least one article the public may see."""
    shown = help_center_articles().values("category_id")
    return Category.objects.filter(language=language, pk__in=shown)


def translations_of(article: Article, articles: QuerySet[Article]) -> list[Article]:
    """The other language versions of `article` among `articles`."""
    root = article.translation_of_id or article.pk
    group = articles.filter(Q(pk=root) | Q(translation_of_id=root)).exclude(pk=article.pk)
    return list(group.order_by("language"))


def with_feedback(articles: QuerySet[Article]) -> QuerySet[Article]:
    return articles.annotate(
        helpful=Count("feedback", filter=Q(feedback__helpful=True)),
        not_helpful=Count("feedback", filter=Q(feedback__helpful=False)),
    )
