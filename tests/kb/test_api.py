"""/api/v1/articles: agents read published articles, leads and admins also drafts and write;
bad input is a 4xx naming the problem."""

import pytest

from parley.accounts.models import Role
from parley.kb.models import Article
from tests.conftest import api_client
from tests.factories import make_agent

from .conftest import make_article, make_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_api(db):
    return api_client(make_agent(Role.LEAD))


@pytest.fixture
def agent_api(agent):
    return api_client(agent)


def test_a_lead_creates_a_category_and_a_published_article(lead_api, settings):
    settings.PUBLIC_URL = "https://help.shop.example"
    category = lead_api.post(
        "/api/v1/article-categories",
        {"name": "Shipping", "language": "en", "position": 2},
        content_type="application/json",
    )
    created = lead_api.post(
        "/api/v1/articles",
        {
            "title": "Where is my parcel?",
            "summary": "Track it from the e-mail we sent.",
            "body": "Use the **tracking link**.",
            "language": "en",
            "category_id": category.json()["id"],
            "status": "published",
        },
        content_type="application/json",
    )

    assert category.status_code == 201 and category.json()["slug"] == "shipping"
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["slug"] == "where-is-my-parcel"
    assert body["url"] == "https://help.shop.example/help/en/a/where-is-my-parcel/"
    assert body["helpful"] == 0 and body["visibility"] == "public"


def test_agents_read_published_articles_only_and_write_nothing(agent_api):
    published = make_article("Refunds", visibility="internal")
    draft = make_article("Refunds draft", status="draft")

    listed = agent_api.get("/api/v1/articles").json()
    hidden = agent_api.get(f"/api/v1/articles/{draft.pk}")
    refused = agent_api.post(
        "/api/v1/articles", {"title": "Mine", "language": "en"}, content_type="application/json"
    )

    assert [a["id"] for a in listed] == [published.pk]
    assert listed[0]["url"] is None  # internal: no help-center page
    assert hidden.status_code == 404
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def test_leads_see_drafts_and_filter_by_words(lead_api):
    draft = make_article("Gift cards", status="draft", body="Cards never expire.")
    make_article("Returns")

    found = lead_api.get("/api/v1/articles", {"q": "EXPIRE", "status": "draft"}).json()

    assert [a["id"] for a in found] == [draft.pk]


@pytest.mark.parametrize(
    ("body", "status", "code", "_case"),
    [
        ({"title": "", "language": "en"}, 422, "invalid", "empty title"),
        ({"title": "Hi", "language": "fr"}, 422, "invalid", "unknown language"),
        ({"title": "Hi", "language": "en", "status": "live"}, 422, "invalid", "unknown status"),
        ({"title": "Hi\x00", "language": "en"}, 400, "invalid", "NUL"),
        ({"title": "Hi", "language": "en", "slug": "a b/c"}, 400, "slug", "bad slug"),
        ({"title": "!!!", "language": "en"}, 400, "slug", "no slug from the title"),
        ({"title": "Hi", "language": "en", "category_id": 999}, 404, "not_found", "category"),
        ({"title": "Hi", "language": "en", "body": "x" * 100_001}, 422, "invalid", "too long"),
    ],
)
def test_bad_articles_are_refused_with_a_reason(lead_api, body, status, code, _case):
    response = lead_api.post("/api/v1/articles", body, content_type="application/json")

    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert not Article.objects.exists()


def test_rules_across_fields_are_refused(lead_api):
    korean = make_category("ko", "배송")
    original = make_article("Returns", slug="returns")

    def post(**body):
        return lead_api.post(
            "/api/v1/articles", {"language": "en", **body}, content_type="application/json"
        )

    assert post(title="A", category_id=korean.pk).json()["code"] == "category_language"
    assert post(title="Returns").json()["code"] == "slug_taken"
    assert post(title="B", translation_of_id=original.pk).json()["code"] == "translation"
    korean_copy = post(title="반품", language="ko", translation_of_id=original.pk)
    assert korean_copy.status_code == 201
    second = post(title="반품 2", language="ko", translation_of_id=original.pk)
    chained = post(title="C", language="ko", translation_of_id=korean_copy.json()["id"])
    assert second.json()["code"] == "translation" and chained.json()["code"] == "translation"


def test_patch_changes_only_what_it_names(lead_api):
    article = make_article("Returns", summary="Thirty days.", status="draft")

    changed = lead_api.patch(
        f"/api/v1/articles/{article.pk}",
        {"status": "published", "title": None},
        content_type="application/json",
    )

    assert changed.status_code == 200
    assert changed.json()["title"] == "Returns" and changed.json()["status"] == "published"
    assert changed.json()["summary"] == "Thirty days."


def test_a_category_with_articles_cannot_be_deleted(lead_api):
    category = make_category("en", "Billing")
    article = make_article("Invoices", category=category)

    refused = lead_api.delete(f"/api/v1/article-categories/{category.pk}")
    lead_api.delete(f"/api/v1/articles/{article.pk}")
    deleted = lead_api.delete(f"/api/v1/article-categories/{category.pk}")

    assert refused.status_code == 409 and refused.json()["code"] == "category_not_empty"
    assert deleted.status_code == 204


def test_a_category_cannot_change_language_under_its_articles(lead_api):
    category = make_category("en", "Billing")
    make_article("Invoices", category=category)

    response = lead_api.patch(
        f"/api/v1/article-categories/{category.pk}",
        {"name": "청구", "language": "ko"},
        content_type="application/json",
    )

    assert response.status_code == 400 and response.json()["code"] == "category_language"


def test_a_long_category_name_makes_a_slug_that_fits_its_column(lead_api):
    # Names take 120 characters, slugs 80: PostgreSQL refused the longer slug (a 500).
    name = "Shipping and delivery questions " * 4

    response = lead_api.post(
        "/api/v1/article-categories",
        {"name": name[:120], "language": "en"},
        content_type="application/json",
    )

    assert response.status_code == 201, response.json()
    slug = response.json()["slug"]
    assert len(slug) <= 80 and slug.startswith("shipping-and-delivery") and slug[-1] != "-"


def test_the_list_counts_feedback_in_the_same_query_whatever_its_length(lead_api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parley.kb.models import Feedback

    first = make_article("Returns")
    Feedback.objects.create(article=first, visitor="v1", address="a1", helpful=True)
    Feedback.objects.create(article=first, visitor="v2", address="a2", helpful=False)
    lead_api.get("/api/v1/articles")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as one:
        listed = lead_api.get("/api/v1/articles").json()
    for n in range(4):
        make_article(f"Sizes {n}")
    with CaptureQueriesContext(connection) as five:
        assert len(lead_api.get("/api/v1/articles").json()) == 5

    assert (listed[0]["helpful"], listed[0]["not_helpful"]) == (1, 1)
    assert len(five.captured_queries) == len(one.captured_queries)
