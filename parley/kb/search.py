"""Article search: every word of the query, folded (case, accents), somewhere in the title,
summary or body. Korean matches as substrings, so 배송 finds 배송이 and 배송은."""

from django.db.models import QuerySet

from parley.automation.conditions import fold

from .models import Article

MAX_WORDS = 8
MAX_WORD_LENGTH = 60
MAX_RESULTS = 20
# Candidates ranked in Python: enough for any real help center's matches.
MAX_CANDIDATES = 200


def searchable_text(title: str, summary: str, body: str) -> str:
    return fold(f"{title}\n{summary}\n{body}")


def query_words(query: str) -> list[str]:
    # A NUL can be compared against no PostgreSQL text column.
    words = fold(query.replace("\x00", " ")).split()
    return [word[:MAX_WORD_LENGTH] for word in words[:MAX_WORDS]]


def search_articles(
    articles: QuerySet[Article], query: str, *, prefer_language: str = ""
) -> list[Article]:
    """The best matches among `articles`: title hits first, then summary, then body;
    among equals, the preferred language first, then the most recently updated."""
    words = query_words(query)
    if not words:
        return []
    for word in words:
        articles = articles.filter(search_text__contains=word)
    candidates = list(
        articles.select_related("category").order_by("-updated_at", "-pk")[:MAX_CANDIDATES]
    )

    def rank(article: Article) -> tuple[int, int]:
        title, summary = fold(article.title), fold(article.summary)
        score = sum(3 if w in title else 2 if w in summary else 1 for w in words)
        return (-score, 0 if article.language == prefer_language else 1)

    return sorted(candidates, key=rank)[:MAX_RESULTS]
