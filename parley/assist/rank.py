"""Relevance ranking for suggestions, in this process: BM25 over titles and texts.

Words are folded (case, accents) and lightly stemmed, the commonest function words of each
language are dropped (triage's lists), and Hangul runs become character bigrams, so that
배송이 and 배송은 share 배송 without a Korean dictionary. A few hundred candidates rank in
milliseconds; nothing is indexed or stored.
"""

import functools
import math
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import regex

from parley.triage.language import FUNCTION_WORDS

_TOKEN = regex.compile(r"\p{Script=Hangul}+|[\p{L}\p{N}]+")
_HANGUL = regex.compile(r"\p{Script=Hangul}")
_MARKS = regex.compile(r"\p{Mn}+")
# Titles say what a candidate is about: their words count this many times.
TITLE_WEIGHT = 3
K1, B = 1.2, 0.75
MAX_TEXT = 2000  # the start of a long article says what it is about


@dataclass(frozen=True)
class Candidate:
    """Something to suggest: kind "saved_reply" or "article". `insert` is what the composer
    receives (empty: nothing to insert, only to open at `url`)."""

    kind: str
    id: int
    title: str
    text: str
    url: str = ""
    insert: str = ""


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    score: float


def fold(text: str) -> str:
    """Lower case without accents, Hangul whole: as rule conditions compare words, with a
    fast path for plain ASCII (most of an English help center)."""
    text = text.casefold()
    if text.isascii():
        return text
    stripped = _MARKS.sub("", unicodedata.normalize("NFKD", text))
    return unicodedata.normalize("NFC", stripped)


STOPWORDS = frozenset(fold(w) for words in FUNCTION_WORDS.values() for w in words.split())


def tokens(text: str) -> list[str]:
    found: list[str] = []
    for token in _TOKEN.findall(fold((text or "")[:MAX_TEXT])):
        if _HANGUL.match(token):
            found.extend(_bigrams(token))
        elif token not in STOPWORDS and (len(token) > 1 or token.isdigit()):
            found.append(_stem(token))
    return found


def _bigrams(run: str) -> list[str]:
    return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """Plural and tense endings off, so "shipping", "shipped" and "ships" meet at "ship"."""
    if not word.isalpha() or word.endswith(("ss", "us", "is")):
        return word
    for suffix, shortest in (("ing", 3), ("ed", 3), ("es", 3), ("s", 3), ("y", 5)):
        if word.endswith(suffix) and len(word) - len(suffix) >= shortest:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiousl":
                word = word[:-1]  # shipp(ing) → ship
            break
    return word


def rank(query: str, candidates: Sequence[Candidate], limit: int = 5) -> list[Ranked]:
    """The candidates that share words with the query, most relevant first (ties: the order
    given). Empty when the query has no searchable word."""
    wanted = set(tokens(query))
    if not wanted or not candidates:
        return []
    documents = [_document(c.title, c.text) for c in candidates]
    average = sum(sum(d.values()) for d in documents) / len(documents) or 1.0
    idf = _idf(wanted, documents)
    scored = []
    for position, (candidate, counts) in enumerate(zip(candidates, documents, strict=True)):
        length = sum(counts.values())
        score = sum(
            idf[t] * counts[t] * (K1 + 1) / (counts[t] + K1 * (1 - B + B * length / average))
            for t in wanted
            if counts[t]
        )
        if score > 0:
            scored.append((-score, position, Ranked(candidate, round(score, 3))))
    return [item for *_, item in sorted(scored)[:limit]]


# Panels ask again and again about the same articles and replies: their words are kept.
@functools.lru_cache(maxsize=4096)
def _document(title: str, text: str) -> Counter[str]:
    counts = Counter(tokens(text))
    for token in tokens(title):
        counts[token] += TITLE_WEIGHT
    return counts


def _idf(wanted: Iterable[str], documents: Sequence[Counter[str]]) -> dict[str, float]:
    n = len(documents)
    having = {t: sum(1 for d in documents if d[t]) for t in wanted}
    # BM25's idf, floored above zero: a word in every candidate still counts a little.
    return {t: math.log(1 + (n - having[t] + 0.5) / (having[t] + 0.5)) for t in wanted}
