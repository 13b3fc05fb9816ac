"""Suggestions ranked by relevance over plain candidates: no database, no other app."""

import pytest

from parley.assist.rank import Candidate, rank, tokens

SHIPPING = Candidate("saved_reply", 1, "Shipping update", "Your parcel ships within two days.")
REFUND = Candidate("saved_reply", 2, "Refund policy", "Refunds reach your card in 5 days.")
ADDRESS = Candidate("article", 3, "Change your address", "Edit the delivery address first.")
KOREAN = Candidate("article", 4, "배송 안내", "주문하신 상품은 2일 안에 배송됩니다.")


def test_words_meet_across_endings_and_case():
    assert tokens("Shipping SHIPPED ships") == ["ship", "ship", "ship"]
    assert tokens("addresses address") == ["address", "address"]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("When will my order be shipped?", SHIPPING),
        ("I want a refund, I was charged twice", REFUND),
        ("Can I change the delivery address?", ADDRESS),
        ("배송이 언제 되나요?", KOREAN),
    ],
    ids=["english_stem_case", "refund_case", "address_case", "korean_bigrams_case"],
)
def test_the_most_relevant_candidate_comes_first(query, first):
    ranked = rank(query, [SHIPPING, REFUND, ADDRESS, KOREAN])

    assert ranked[0].candidate == first


def test_a_title_match_outranks_the_same_word_in_a_body():
    in_title = Candidate("article", 1, "Refunds", "How long it takes.")
    in_body = Candidate("article", 2, "Payments", "Cards, invoices and refunds.")

    ranked = rank("refund please", [in_body, in_title])

    assert [r.candidate.id for r in ranked] == [1, 2]


def test_nothing_is_suggested_without_a_shared_word():
    assert rank("Hello, thanks!", [SHIPPING, REFUND]) == []
    assert rank("xylophone", [SHIPPING, REFUND]) == []
    assert rank("", [SHIPPING]) == []


def test_ranking_is_deterministic_and_limited():
    same = [Candidate("article", i, "Shipping", "Shipping.") for i in range(10)]

    ranked = rank("shipping", same, limit=3)

    assert [r.candidate.id for r in ranked] == [0, 1, 2]
