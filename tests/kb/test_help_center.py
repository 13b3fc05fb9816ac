"""The public help center: only published public articles, anywhere (lists, search, direct
addresses, other-language links), and feedback that counts one answer per visitor."""

import pytest
from django.test import Client
from django.urls import reverse

from parley.kb.demo import load_demo_articles
from parley.kb.models import Feedback
from parley.kb.public import FEEDBACK_PER_HOUR

from .conftest import make_article, make_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipping():
    """An English category with one public article, one draft and one internal article."""
    category = make_category("en", "Shipping")
    public = make_article("Delivery times", category=category, summary="Two to five days.")
    draft = make_article("Delivery draft", category=category, status="draft")
    internal = make_article("Delivery escalation", category=category, visibility="internal")
    return category, public, draft, internal


def test_home_and_category_list_only_public_published_articles(client, shipping):
    category, public, draft, internal = shipping

    for url in ("/help/en/", f"/help/en/c/{category.slug}/"):
        page = client.get(url).content.decode()
        assert public.title in page
        assert draft.title not in page and internal.title not in page


def test_a_category_with_only_hidden_articles_is_not_there(client):
    hidden = make_category("en", "Secrets")
    make_article("Secret draft", category=hidden, status="draft")

    assert hidden.name not in client.get("/help/en/").content.decode()
    assert client.get(f"/help/en/c/{hidden.slug}/").status_code == 404


def test_draft_and_internal_articles_are_404_at_their_address(client, shipping):
    _, public, draft, internal = shipping

    assert client.get(f"/help/en/a/{public.slug}/").status_code == 200
    assert client.get(f"/help/en/a/{draft.slug}/").status_code == 404
    assert client.get(f"/help/en/a/{internal.slug}/").status_code == 404
    assert client.get("/help/en/a/no-such-article/").status_code == 404
    assert client.get(f"/help/ko/a/{public.slug}/").status_code == 404  # other language


@pytest.mark.parametrize("junk", ["%00", "a%00b", "x%2Fy", "..", "%F0%9F%98%80"])
def test_junk_addresses_are_404(client, junk):
    for url in (f"/help/en/a/{junk}/", f"/help/en/c/{junk}/", f"/help/{junk}/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/help/en/a/{junk}/feedback/", {"helpful": "yes"}).status_code == 404


def test_a_logged_in_agent_sees_no_more_in_the_help_center(web, shipping):
    _, _, draft, _ = shipping

    assert web.get(f"/help/en/a/{draft.slug}/").status_code == 404


def test_search_finds_only_public_published_articles(client, shipping):
    _, public, draft, internal = shipping

    page = client.get("/help/en/search/", {"q": "delivery"}).content.decode()

    assert public.title in page
    assert draft.title not in page and internal.title not in page


@pytest.mark.parametrize("query", ["", "x" * 5000, "\x00", "%", "_"])
def test_search_answers_any_query(client, shipping, query):
    assert client.get("/help/en/search/", {"q": query}).status_code == 200


def test_article_page_links_only_translations_the_public_may_see(client):
    original = make_article("Returns", body="**Free** returns within 30 days.")
    korean = make_article("반품 안내", language="ko", translation_of=original)
    make_article("Returns (draft)", language="ko", status="draft", slug="returns-ko-draft")
    hidden = make_category("ko", "숨김")
    make_article("내부 반품", language="ko", category=hidden, visibility="internal")

    page = client.get(f"/help/en/a/{original.slug}/").content.decode()

    assert "<strong>Free</strong>" in page
    assert reverse("help_article", args=["ko", korean.slug]) in page
    assert "returns-ko-draft" not in page and "내부" not in page


def test_a_draft_translation_is_not_linked_from_the_published_original(client):
    original = make_article("Warranty")
    make_article("보증", language="ko", translation_of=original, status="draft")

    page = client.get(f"/help/en/a/{original.slug}/").content.decode()

    assert "/help/ko/a/" not in page


def test_the_language_comes_from_the_address_then_the_browser(client):
    korean_browser = client.get("/help/", headers={"Accept-Language": "ko-KR,ko;q=0.9"})
    english_browser = client.get("/help/", headers={"Accept-Language": "fr, en;q=0.5"})

    assert korean_browser.status_code == 302 and korean_browser["Location"] == "/help/ko/"
    assert english_browser["Location"] == "/help/en/"
    assert '<html lang="ko">' in client.get("/help/ko/").content.decode()
    assert client.get("/help/xx/").status_code == 404


def test_helpful_feedback_counts_one_answer_per_visitor(client, shipping):
    _, public, _, _ = shipping
    url = f"/help/en/a/{public.slug}/feedback/"

    first = client.post(url, {"helpful": "yes"})
    client.post(url, {"helpful": "yes"})  # the same visitor again
    Client().post(url, {"helpful": "no"})  # another visitor

    assert first.status_code == 302 and first["Location"].endswith("#feedback")
    assert sorted(Feedback.objects.values_list("helpful", flat=True)) == [False, True]
    thanked = client.get(first["Location"]).content.decode()
    assert "Thank you for your feedback." in thanked


def test_a_visitor_may_change_their_answer(client, shipping):
    _, public, _, _ = shipping
    url = f"/help/en/a/{public.slug}/feedback/"

    client.post(url, {"helpful": "yes"})
    client.post(url, {"helpful": "no"})

    assert list(Feedback.objects.values_list("helpful", flat=True)) == [False]


@pytest.mark.parametrize(
    ("data", "status", "_case"),
    [
        ({"helpful": "maybe"}, 400, "not yes or no"),
        ({}, 400, "missing"),
        ({"helpful": "yes\x00"}, 400, "NUL"),
    ],
)
def test_junk_feedback_is_a_400_and_counts_nothing(client, shipping, data, status, _case):
    _, public, _, _ = shipping

    response = client.post(f"/help/en/a/{public.slug}/feedback/", data)

    assert response.status_code == status
    assert not Feedback.objects.exists()


def test_feedback_on_a_hidden_article_is_404_and_get_is_405(client, shipping):
    _, public, draft, internal = shipping

    for article in (draft, internal):
        response = client.post(f"/help/en/a/{article.slug}/feedback/", {"helpful": "yes"})
        assert response.status_code == 404
    assert client.get(f"/help/en/a/{public.slug}/feedback/").status_code == 405
    assert not Feedback.objects.exists()


def test_feedback_from_one_address_is_rate_limited(shipping):
    _, public, _, _ = shipping
    url = f"/help/en/a/{public.slug}/feedback/"
    for _ in range(FEEDBACK_PER_HOUR):
        assert Client().post(url, {"helpful": "yes"}).status_code == 302  # new visitors

    refused = Client().post(url, {"helpful": "yes"})

    assert refused.status_code == 429
    assert Feedback.objects.count() == FEEDBACK_PER_HOUR


def test_feedback_needs_the_page_csrf_token(shipping):
    _, public, _, _ = shipping
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(f"/help/en/a/{public.slug}/feedback/", {"helpful": "yes"})

    assert response.status_code == 403
    assert not Feedback.objects.exists()


def test_the_demo_help_center_reads_in_both_languages(client, lead):
    load_demo_articles(lead)

    english = client.get("/help/en/").content.decode()
    korean = client.get("/help/ko/search/", {"q": "배송"}).content.decode()

    assert "How long does delivery take?" in english and "Lost parcels" not in english
    assert "Customs fees" not in english  # a draft
    assert "배송은 얼마나 걸리나요?" in korean
