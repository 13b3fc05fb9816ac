"""The public help center at /help/: no login, no workspace chrome, only published public
articles. Anything else answers 404, exactly like an article that does not exist."""

import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .actions import LANGUAGE_CODES, record_feedback
from .models import Article, Category, Feedback
from .queries import help_center_articles, translations_of
from .render import render_markdown
from .search import search_articles

VISITOR_COOKIE = "parley_help_visitor"
VISITOR_SALT = "parley.kb.visitor"
# Answers one address may give in an hour, all articles together.
FEEDBACK_PER_HOUR = 30
MAX_QUERY = 200


def in_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The page's language comes from its URL; an unknown one is a page that does not exist."""

    @wraps(view)
    def wrapper(request: HttpRequest, lang: str, *args: object, **kwargs: object) -> HttpResponse:
        if lang not in LANGUAGE_CODES:
            raise Http404("no help center in that language")
        with translation.override(lang):
            request.LANGUAGE_CODE = lang
            return view(request, lang, *args, **kwargs)

    return wrapper


@require_GET
def root(request: HttpRequest) -> HttpResponse:
    """/help/ sends the visitor to their browser's language."""
    lang = translation.get_language_from_request(request)
    response = redirect("help_home", lang if lang in LANGUAGE_CODES else settings.LANGUAGE_CODE)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


@require_GET
@in_language
def home(request: HttpRequest, lang: str) -> HttpResponse:
    articles = help_center_articles().filter(language=lang).select_related("category")
    sections: dict[Category | None, list[Article]] = {}
    for article in articles.order_by("category__position", "category__name", "title"):
        sections.setdefault(article.category, []).append(article)
    return render(request, "kb/help/home.html", {"lang": lang, "sections": sections.items()})


@require_GET
@in_language
def category(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    found = Category.objects.filter(language=lang, slug=slug).first()
    articles = list(help_center_articles().filter(category=found, language=lang))
    if found is None or not articles:
        raise Http404("category not found")
    context = {"lang": lang, "category": found, "articles": articles}
    return render(request, "kb/help/category.html", context)


@require_GET
@in_language
def search(request: HttpRequest, lang: str) -> HttpResponse:
    query = request.GET.get("q", "")[:MAX_QUERY]
    results = search_articles(help_center_articles().filter(language=lang), query)
    context = {"lang": lang, "query": query, "results": results}
    return render(request, "kb/help/search.html", context)


def _public_article(lang: str, slug: str) -> Article:
    found = help_center_articles().filter(language=lang, slug=slug).first()
    if found is None:
        raise Http404("article not found")
    return found


@require_GET
@in_language
def article(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    shown = _public_article(lang, slug)
    visitor = _visitor(request)
    context = {
        "lang": lang,
        "article": shown,
        "body": render_markdown(shown.body),
        "translations": translations_of(shown, help_center_articles()),
        "answered": visitor and Feedback.objects.filter(article=shown, visitor=visitor).exists(),
    }
    return render(request, "kb/help/article.html", context)


@require_POST
@in_language
def feedback(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    """ "Was this helpful?": one answer per visitor and article (answering again changes it),
    at most FEEDBACK_PER_HOUR answers an hour from one address."""
    shown = _public_article(lang, slug)
    answer = request.POST.get("helpful")
    if answer not in ("yes", "no"):
        raise BadRequest("helpful must be yes or no")
    address = salted_hmac(VISITOR_SALT, request.META.get("REMOTE_ADDR", "")).hexdigest()
    if _too_many(address):
        return HttpResponse(_("Too many answers: try again later."), status=429)
    visitor = _visitor(request) or secrets.token_urlsafe(24)
    record_feedback(shown, visitor=visitor, address=address, helpful=answer == "yes")
    messages.success(request, _("Thank you for your feedback."))
    response = HttpResponseRedirect(reverse("help_article", args=[lang, slug]) + "#feedback")
    response.set_signed_cookie(
        VISITOR_COOKIE,
        visitor,
        salt=VISITOR_SALT,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def _visitor(request: HttpRequest) -> str | None:
    return request.get_signed_cookie(VISITOR_COOKIE, default=None, salt=VISITOR_SALT)


def _too_many(address: str) -> bool:
    since = timezone.now() - timedelta(hours=1)
    recent = Feedback.objects.filter(address=address, updated_at__gte=since)
    return recent.count() >= FEEDBACK_PER_HOUR
