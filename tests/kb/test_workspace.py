"""Inside the workspace: agents find published articles beside the composer and insert them;
leads and admins write articles and categories in Settings."""

import html

import pytest

from parley.kb.models import Article, Category
from tests.factories import inbound, make_channel

from .conftest import make_article, make_category

pytestmark = pytest.mark.django_db


def test_lookup_offers_public_articles_with_their_absolute_link(web, settings):
    settings.PUBLIC_URL = "https://shop.example"
    article = make_article("Delivery times", summary="Two to five days.")

    page = html.unescape(web.get("/kb/lookup/", {"q": "delivery"}).content.decode())

    assert (
        'data-insert="Delivery times\nTwo to five days.\n'
        f'https://shop.example/help/en/a/{article.slug}/"' in page
    )


def test_lookup_inserts_internal_articles_without_a_link_and_never_drafts(web):
    make_article("Escalating refunds", summary="Ask a lead.", visibility="internal")
    make_article("Refund draft", status="draft")

    page = html.unescape(web.get("/kb/lookup/", {"q": "refund"}).content.decode())

    assert 'data-insert="Escalating refunds\nAsk a lead."' in page
    assert "Refund draft" not in page and "/help/" not in page


def test_lookup_prefers_the_customers_language(web):
    english = make_article("Shipping")
    korean = make_article("Shipping 배송 안내", language="ko")

    page = web.get("/kb/lookup/", {"q": "shipping", "lang": "ko"}).content.decode()
    korean_first = page.index(f'data-article="{korean.pk}"')

    assert korean_first < page.index(f'data-article="{english.pk}"')


def test_the_conversation_page_has_the_article_search(web, agent):
    message = inbound(make_channel(), "Where is my parcel?")

    page = web.get(f"/c/{message.conversation_id}/").content.decode()

    assert 'data-kb-lookup="/kb/lookup/"' in page


def test_agents_read_published_internal_articles_but_not_drafts(web):
    internal = make_article("How we escalate", visibility="internal", body="Call **Lee**.")
    draft = make_article("Draft", status="draft")

    assert "<strong>Lee</strong>" in web.get(f"/kb/articles/{internal.pk}/").content.decode()
    assert web.get(f"/kb/articles/{draft.pk}/").status_code == 404


def test_agents_cannot_open_the_knowledge_base_settings(web):
    assert web.get("/settings/articles/").status_code == 403
    assert web.post("/settings/articles/new/", {"title": "x"}).status_code == 403


def article_form(**changes) -> dict:
    form = {
        "title": "Change an address",
        "slug": "",
        "summary": "Before the parcel ships.",
        "body": "Write to us **before** shipping.",
        "language": "en",
        "category": "",
        "translation_of": "",
        "status": "published",
        "visibility": "public",
    }
    return {**form, **changes}


def test_a_lead_writes_an_article_in_settings(lead_web, lead):
    category = make_category("en", "Orders")
    assert lead_web.get("/settings/articles/new/").status_code == 200

    response = lead_web.post("/settings/articles/new/", article_form(category=category.pk))

    assert response.status_code == 302
    article = Article.objects.get()
    assert (article.slug, article.category, article.author) == (
        "change-an-address",
        category,
        lead,
    )
    listing = lead_web.get("/settings/articles/").content.decode()
    assert "Change an address" in listing and "0 yes · 0 no" in listing


@pytest.mark.parametrize(
    ("changes", "error", "_case"),
    [
        ({"title": ""}, "This field is required.", "no title"),
        ({"language": "fr"}, "Select a valid choice.", "unknown language"),
        ({"slug": "a/b"}, "only letters, digits, hyphens and underscores", "bad slug"),
        ({"category": "korean"}, "is for another language", "category language"),
    ],
)
def test_the_article_form_says_what_is_wrong(lead_web, changes, error, _case):
    korean = make_category("ko", "주문")
    if changes.get("category") == "korean":
        changes = {"category": korean.pk}

    response = lead_web.post("/settings/articles/new/", article_form(**changes))

    assert response.status_code == 400
    assert error in html.unescape(response.content.decode())
    assert not Article.objects.exists()


def test_a_lead_edits_and_deletes_an_article(lead_web):
    article = make_article("Old title")

    form = lead_web.get(f"/settings/articles/{article.pk}/").content.decode()
    lead_web.post(f"/settings/articles/{article.pk}/", article_form(title="New title"))
    article.refresh_from_db()
    assert 'value="Old title"' in form
    assert (article.title, article.slug) == ("New title", "new-title")
    lead_web.post(f"/settings/articles/{article.pk}/delete/")

    assert not Article.objects.exists()


def test_a_lead_adds_a_category_and_cannot_delete_one_in_use(lead_web):
    created = lead_web.post(
        "/settings/categories/new/", {"name": "배송", "language": "ko", "position": "1"}
    )
    category = Category.objects.get()
    make_article("배송 안내", language="ko", category=category)

    refused = lead_web.post(f"/settings/categories/{category.pk}/delete/", follow=True)

    assert created.status_code == 302 and category.slug == "배송"
    assert 'value="배송"' in lead_web.get(f"/settings/categories/{category.pk}/").content.decode()
    assert lead_web.get("/settings/categories/new/").status_code == 200
    assert "Move or delete the category" in refused.content.decode()
    assert Category.objects.exists()
