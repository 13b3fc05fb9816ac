"""Words that say a message is urgent, per language, and finding them in a message.

The dictionary is `{language code or "any": [words]}`. Every language's words are looked for
in every message (a Korean customer may write "refund", an English one "환불"); the split by
language only keeps the list readable. Words are compared folded, as rule conditions are:
without case or accents, Hangul whole; a word that starts with a letter or digit must start
a word of the message ("refund" finds "refunded", not "prefund"), Korean may sit inside one
("환불" finds "환불해 주세요").
"""

from collections.abc import Mapping, Sequence

import regex

from parley.automation.conditions import fold
from parley.core.errors import InvalidInput

DEFAULT_URGENCY_WORDS: dict[str, list[str]] = {
    "en": [
        "urgent", "asap", "immediately", "emergency", "refund", "chargeback", "lawyer",
        "legal action", "scam", "fraud", "not working", "doesn't work", "can't log in",
        "charged twice", "cancel my order", "right now",
    ],
    "ko": [
        "급해요", "급합니다", "긴급", "빨리", "당장", "환불", "결제가 안 돼요", "결제 오류",
        "사기", "신고", "소비자원", "고소", "두 번 결제", "취소해 주세요",
    ],
    "any": ["!!!"],
}  # fmt: skip
MAX_LANGUAGES = 50
MAX_WORDS = 200
MAX_WORD = 60
_LANGUAGE = regex.compile(r"[a-z]{2}|any")


def check_urgency_words(raw: object, where: str = "urgency_words") -> dict[str, list[str]]:
    """The dictionary as stored, or InvalidInput naming the part that is wrong."""
    if not isinstance(raw, dict) or len(raw) > MAX_LANGUAGES:
        problem = f'{where}: an object of up to {MAX_LANGUAGES} languages, {{"en": ["urgent"]}}'
        raise InvalidInput(problem, code="invalid_urgency_words")
    checked: dict[str, list[str]] = {}
    for language, words in raw.items():
        if not isinstance(language, str) or not _LANGUAGE.fullmatch(language):
            problem = f'{where}: {language!r} is not a two-letter language code (or "any")'
            raise InvalidInput(problem, code="invalid_urgency_words")
        if not isinstance(words, list) or len(words) > MAX_WORDS:
            problem = f"{where}.{language}: a list of up to {MAX_WORDS} words"
            raise InvalidInput(problem, code="invalid_urgency_words")
        for i, word in enumerate(words):
            if not isinstance(word, str) or not 0 < len(fold(word)) <= MAX_WORD:
                problem = f"{where}.{language}[{i}]: a word of 1 to {MAX_WORD} characters"
                raise InvalidInput(problem, code="invalid_urgency_words")
        checked[language] = [word.strip() for word in words]
    return checked


def urgent_words(text: str, dictionary: Mapping[str, Sequence[str]]) -> list[str]:
    """The dictionary's words found in the text, each once, in the dictionary's order."""
    folded = fold((text or "")[:5000])
    found: list[str] = []
    seen: set[str] = set()
    for words in dictionary.values():
        for word in words:
            key = fold(word)
            if key and key not in seen and _contains(folded, key):
                seen.add(key)
                found.append(word)
    return found


def _contains(folded: str, word: str) -> bool:
    if not (word[0].isalnum() and word[0].isascii()):
        return word in folded
    start = folded.find(word)
    while start >= 0:
        if start == 0 or not folded[start - 1].isalnum():
            return True
        start = folded.find(word, start + 1)
    return False
