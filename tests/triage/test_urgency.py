"""Urgency words: found folded, Korean inside words, English at the start of words; the
dictionary is checked with errors naming the bad part."""

import pytest

from parley.core.errors import InvalidInput
from parley.triage.urgency import DEFAULT_URGENCY_WORDS, check_urgency_words, urgent_words


def test_default_words_in_english_and_korean():
    found = urgent_words("URGENT: I want a Refund, this is not working!!!", DEFAULT_URGENCY_WORDS)
    assert found == ["urgent", "refund", "not working", "!!!"]
    korean = "결제가 안 돼요. 급해요, 환불해 주세요"
    assert urgent_words(korean, DEFAULT_URGENCY_WORDS) == ["급해요", "환불", "결제가 안 돼요"]


def test_every_language_is_looked_for_in_every_message():
    assert urgent_words("환불 please, asap", DEFAULT_URGENCY_WORDS) == ["asap", "환불"]


def test_words_match_without_case_or_accents_and_at_the_start_of_a_word():
    words = {"fr": ["remboursé"], "en": ["refund"]}
    assert urgent_words("Je veux être REMBOURSE", words) == ["remboursé"]
    assert urgent_words("it was refunded twice", words) == ["refund"]
    assert urgent_words("prefund the account", words) == []
    assert urgent_words("", words) == []


def test_a_word_in_two_languages_is_reported_once():
    assert urgent_words("refund", {"en": ["refund"], "de": ["Refund"]}) == ["refund"]


def test_a_good_dictionary_is_kept_with_words_trimmed():
    assert check_urgency_words({"en": [" urgent "], "any": ["!!!"]}) == {
        "en": ["urgent"],
        "any": ["!!!"],
    }


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (["urgent"], "urgency_words: an object"),
        ({"english": ["urgent"]}, "'english' is not a two-letter language code"),
        ({"en": "urgent"}, "urgency_words.en: a list"),
        ({"ko": ["긴급", ""]}, "urgency_words.ko[1]: a word of 1 to 60 characters"),
        ({"en": [42]}, "urgency_words.en[0]"),
        ({"en": ["x" * 61]}, "urgency_words.en[0]"),
    ],
)
def test_a_bad_dictionary_names_the_bad_part(raw, problem):
    with pytest.raises(InvalidInput) as error:
        check_urgency_words(raw)
    assert problem in error.value.detail
