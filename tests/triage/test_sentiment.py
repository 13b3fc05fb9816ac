"""Sentiment: clear cases in English and Korean, negation, intensity, emoji and "!!!"."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parley.triage.sentiment import LABELS, sentiment


@pytest.mark.parametrize(
    "text",
    [
        "This is the worst service ever, I am so angry",
        "The item arrived broken and nobody answers. Terrible.",
        "I am really disappointed with my order",
        "I'm not happy with this at all",
        "Where is my refund?? This is a scam 😡",
        "최악이에요. 너무 화나요",
        "배송이 늦어서 정말 실망했습니다",
        "제품이 안 좋아요",
        "품질이 좋지 않아요",
        "서비스에 만족하지 못했어요 ㅠㅠ",
        "짜증나네요 환불해 주세요",
    ],
)
def test_clearly_negative(text):
    assert sentiment(text).label == "negative"


@pytest.mark.parametrize(
    "text",
    [
        "Thank you so much, great service!",
        "I love it, the quality is excellent",
        "Not bad at all, quick delivery 👍",
        "감사합니다! 정말 만족해요",
        "배송도 빠르고 친절하셔서 좋아요 😊",
        "최고예요 추천합니다",
        "문제없어요, 고마워요",
    ],
)
def test_clearly_positive(text):
    assert sentiment(text).label == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "Where is my order?",
        "Can I change the shipping address to 12 Main Street?",
        "배송 조회 부탁드립니다",
        "주문번호 1042 입니다",
        "",
        "👀",
    ],
)
def test_questions_and_facts_are_neutral(text):
    assert sentiment(text).label == "neutral"


def test_negation_turns_a_word_over():
    assert sentiment("happy").label == "positive"
    assert sentiment("not happy").label == "negative"
    assert sentiment("I don't like it, not good").label == "negative"
    assert sentiment("좋아요").label == "positive"
    assert sentiment("안 좋아요").label == "negative"
    assert sentiment("좋지 않아요").label == "negative"


def test_intensifiers_exclamations_and_capitals_strengthen():
    plain = sentiment("bad").score
    assert sentiment("very bad").score < plain
    assert sentiment("bad!!!").score < plain
    assert sentiment("this is BAD").score < sentiment("this is bad").score
    assert sentiment("실망").score > sentiment("너무 실망").score
    assert sentiment("good!!!").score > sentiment("good").score


def test_what_follows_but_counts_more():
    assert sentiment("The product is good but the delivery was terrible").label == "negative"
    assert sentiment("Delivery was slow but the product is excellent").label == "positive"


@given(st.text(max_size=400))
def test_any_text_has_a_label_and_a_score_between_minus_one_and_one(text):
    found = sentiment(text)
    assert found.label in LABELS
    assert -1 <= found.score <= 1
