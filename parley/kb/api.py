"""/api/v1/articles and /api/v1/article-categories: agents read published articles; leads
and admins also read drafts and write."""

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator

from parley.accounts.models import Agent
from parley.api.auth import agent_of
from parley.api.lookup import get_or_404
from parley.api.parser import no_nul
from parley.api.schemas import Id
from parley.core.errors import NotFound, PermissionDenied

from .actions import delete_article, delete_category, save_article, save_category
from .models import Article, Category
from .queries import agent_articles, with_feedback
from .search import search_articles
from .views import public_url

router = Router(tags=["knowledge base"])

Text = Annotated[str, AfterValidator(no_nul)]
Language = Literal["en", "ko"]


class ArticleIn(Schema):
    title: Text = Field(..., min_length=1, max_length=200)
    slug: Text = Field("", max_length=120, description="Empty: made from the title.")
    summary: Text = Field("", max_length=300)
    body: Text = Field("", max_length=100_000, description="Markdown.")
    language: Language
    category_id: Id | None = None
    translation_of_id: Id | None = Field(None, description="The original this translates.")
    status: Literal["draft", "published"] = "draft"
    visibility: Literal["public", "internal"] = "public"


class ArticlePatch(Schema):
    title: Text | None = Field(None, min_length=1, max_length=200)
    slug: Text | None = Field(None, max_length=120)
    summary: Text | None = Field(None, max_length=300)
    body: Text | None = Field(None, max_length=100_000)
    language: Language | None = None
    category_id: Id | None = None
    translation_of_id: Id | None = None
    status: Literal["draft", "published"] | None = None
    visibility: Literal["public", "internal"] | None = None


class ArticleOut(Schema):
    id: int
    title: str
    slug: str
    summary: str
    body: str
    language: str
    category_id: int | None
    translation_of_id: int | None
    status: str
    visibility: str
    author_id: int | None
    url: str | None = Field(description="The help-center page; null unless published and public.")
    helpful: int
    not_helpful: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def of(article: Article) -> "ArticleOut":
        """From an article read `with_feedback` (a list reads them all in one query), else
        counted now."""
        counted = (
            article
            if hasattr(article, "helpful")
            else with_feedback(Article.objects.filter(pk=article.pk)).get()
        )
        return ArticleOut(
            **{name: getattr(counted, name) for name in ArticleOut.model_fields if name != "url"},
            url=public_url(article) if article.in_help_center else None,
        )


class CategoryIn(Schema):
    name: Text = Field(..., min_length=1, max_length=120)
    slug: Text = Field("", max_length=80)
    language: Language
    description: Text = Field("", max_length=300)
    position: int = Field(0, ge=0, le=100_000)


class CategoryOut(Schema):
    id: int
    name: str
    slug: str
    language: str
    description: str
    position: int


class ArticleFilters(Schema):
    q: Text = Field("", max_length=200, description="Words in the title, summary or body.")
    language: Language | None = None
    status: Literal["draft", "published"] | None = None
    category_id: Id | None = None


def _editor(request: HttpRequest) -> Agent:
    agent = agent_of(request)
    if not agent.sees_everything:
        raise PermissionDenied("only leads and admins may change the knowledge base")
    return agent


def _visible(request: HttpRequest, article_id: int) -> Article:
    found = agent_articles(agent_of(request)).filter(pk=article_id).first()
    if found is None:
        raise NotFound(f"article {article_id} not found")
    return found


def _related(body: dict) -> dict:
    """Ids in the body → rows (a missing one is a 404 naming it)."""
    fields = {k: v for k, v in body.items() if k not in ("category_id", "translation_of_id")}
    if "category_id" in body:
        ref = body["category_id"]
        fields["category"] = get_or_404(Category, ref, "category") if ref else None
    if "translation_of_id" in body:
        ref = body["translation_of_id"]
        fields["translation_of"] = get_or_404(Article, ref, "article") if ref else None
    return fields


@router.get("/articles", response=list[ArticleOut])
def list_articles(request: HttpRequest, filters: Query[ArticleFilters]):
    articles = with_feedback(agent_articles(agent_of(request)))
    for name in ("language", "status", "category_id"):
        if getattr(filters, name) is not None:
            articles = articles.filter(**{name: getattr(filters, name)})
    found = search_articles(articles, filters.q) if filters.q else articles.order_by("title")
    return [ArticleOut.of(article) for article in found[:200]]


@router.get("/articles/{article_id}", response=ArticleOut)
def get_article(request: HttpRequest, article_id: Id):
    return ArticleOut.of(_visible(request, article_id))


@router.post("/articles", response={201: ArticleOut})
def create_article(request: HttpRequest, body: ArticleIn):
    agent = _editor(request)
    return Status(201, ArticleOut.of(save_article(agent, None, **_related(body.dict()))))


@router.patch("/articles/{article_id}", response=ArticleOut)
def change_article(request: HttpRequest, article_id: Id, body: ArticlePatch):
    agent = _editor(request)
    article = get_or_404(Article, article_id, "article")
    # null clears a category or translation link; for the other fields it changes nothing.
    given = body.dict(exclude_unset=True)
    changes = _related({k: v for k, v in given.items() if v is not None or k.endswith("_id")})
    return ArticleOut.of(save_article(agent, article, **changes))


@router.delete("/articles/{article_id}", response={204: None})
def remove_article(request: HttpRequest, article_id: Id):
    _editor(request)
    delete_article(get_or_404(Article, article_id, "article"))
    return Status(204, None)


@router.get("/article-categories", response=list[CategoryOut])
def list_categories(request: HttpRequest):
    return list(Category.objects.all())


@router.post("/article-categories", response={201: CategoryOut})
def create_category(request: HttpRequest, body: CategoryIn):
    _editor(request)
    return Status(201, save_category(None, **body.dict()))


@router.patch("/article-categories/{category_id}", response=CategoryOut)
def change_category(request: HttpRequest, category_id: Id, body: CategoryIn):
    _editor(request)
    return save_category(get_or_404(Category, category_id, "category"), **body.dict())


@router.delete("/article-categories/{category_id}", response={204: None})
def remove_category(request: HttpRequest, category_id: Id):
    _editor(request)
    delete_category(get_or_404(Category, category_id, "category"))
    return Status(204, None)
