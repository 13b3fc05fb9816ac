"""The knowledge base inside the workspace: agents search and read articles to insert them
into replies; leads and admins write them (Settings → Knowledge base)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from parley.accounts.models import Agent
from parley.core.errors import ParleyError

from .actions import delete_article, delete_category, save_article, save_category
from .forms import ArticleForm, CategoryForm
from .models import Article, Category, Status
from .queries import agent_articles, with_feedback
from .render import render_markdown
from .search import search_articles


def _editor(request: HttpRequest) -> Agent:
    if not getattr(request.user, "sees_everything", False):
        raise PermissionDenied("only leads and admins edit the knowledge base")
    return request.user  # type: ignore[return-value]


def public_url(article: Article) -> str:
    """Absolute, so it works wherever the reply is read."""
    path = reverse("help_article", args=[article.language, article.slug])
    return settings.PUBLIC_URL + path


def insert_text(article: Article) -> str:
    """What "Insert" puts into a reply: internal articles have no page customers can open."""
    lines = [article.title, article.summary]
    if article.in_help_center:
        lines.append(public_url(article))
    return "\n".join(line for line in lines if line)


@login_required
@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    """The composer's article search: a fragment of results with their Insert buttons."""
    agent: Agent = request.user  # type: ignore[assignment]
    published = agent_articles(agent).filter(status=Status.PUBLISHED)
    query = request.GET.get("q", "")[:200]
    results = search_articles(published, query, prefer_language=request.GET.get("lang", ""))
    items = [(article, insert_text(article)) for article in results]
    return render(request, "kb/_lookup.html", {"items": items, "query": query})


@login_required
@require_GET
def read(request: HttpRequest, article_id: int) -> HttpResponse:
    article = agent_articles(request.user).filter(pk=article_id).first()  # type: ignore[arg-type]
    if article is None:
        raise Http404("article not found")
    context = {"article": article, "body": render_markdown(article.body)}
    return render(request, "kb/read.html", context)


@login_required
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    _editor(request)
    articles = with_feedback(Article.objects.select_related("category", "author"))
    context = {
        "articles": articles.order_by("language", "title"),
        "categories": Category.objects.all(),
    }
    return render(request, "kb/articles.html", context)


@login_required
def article_edit(request: HttpRequest, article_id: int | None = None) -> HttpResponse:
    agent = _editor(request)
    article = Article.objects.filter(pk=article_id).first() if article_id else None
    if article_id and article is None:
        raise Http404("article not found")
    if request.method != "POST":
        initial = {"status": "draft", "visibility": "public", "language": agent.language or "en"}
        if article:
            initial = {name: getattr(article, name) for name in ArticleForm.base_fields}
        form = ArticleForm(initial=initial, article=article)
        return render(request, "kb/article_form.html", {"form": form, "article": article})
    form = ArticleForm(request.POST, article=article)
    if form.is_valid():
        try:
            save_article(agent, article, **form.cleaned_data)
            messages.success(request, _("Article saved."))
            return redirect("kb_articles")
        except ParleyError as exc:
            form.add_error(None, exc.detail)
    context = {"form": form, "article": article}
    return render(request, "kb/article_form.html", context, status=400)


@login_required
@require_POST
def article_delete(request: HttpRequest, article_id: int) -> HttpResponse:
    _editor(request)
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        raise Http404("article not found")
    delete_article(article)
    messages.success(request, _("Article deleted."))
    return redirect("kb_articles")


@login_required
def category_edit(request: HttpRequest, category_id: int | None = None) -> HttpResponse:
    _editor(request)
    category = Category.objects.filter(pk=category_id).first() if category_id else None
    if category_id and category is None:
        raise Http404("category not found")
    initial = {name: getattr(category, name) for name in CategoryForm.base_fields if category}
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_category(category, **form.cleaned_data)
            messages.success(request, _("Category saved."))
            return redirect("kb_articles")
        except ParleyError as exc:
            form.add_error(None, exc.detail)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "category": category}
    return render(request, "kb/category_form.html", context, status=status)


@login_required
@require_POST
def category_delete(request: HttpRequest, category_id: int) -> HttpResponse:
    _editor(request)
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise Http404("category not found")
    try:
        delete_category(category)
        messages.success(request, _("Category deleted."))
    except ParleyError as exc:
        messages.error(request, exc.detail)
    return redirect("kb_articles")
