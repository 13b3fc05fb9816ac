"""An extractive summary of a conversation for handoffs: its most informative sentences, in
their order, each with who said it. Deterministic: the same conversation, the same summary.

A sentence scores by the rarity of its words within this conversation (TF-IDF, sentences as
documents), plus a bonus for what a handoff needs: the customer's first sentence (the
problem), numbers (orders, amounts, dates) and urgency words.
"""

import math
from collections import Counter
from dataclasses import dataclass

import regex

from parley.triage.urgency import DEFAULT_URGENCY_WORDS, urgent_words

from .rank import tokens

# Sentence ends: . ! ? followed by a space, their full-width forms (no space needed), or a
# line break.
_SPLIT = regex.compile(r"(?<=[.!?])\s+|(?<=[\u3002\uff01\uff1f])\s*|\n+")
_NUMBER = regex.compile(r"\d{2,}")
MAX_SENTENCE = 300
SHORT = 4  # sentences: a conversation this short is its own summary
MAX_PICKED = 6


@dataclass(frozen=True)
class Line:
    speaker: str
    text: str


def split_sentences(speaker: str, text: str) -> list[Line]:
    parts = (p.strip() for p in _SPLIT.split(text or ""))
    return [Line(speaker, p[:MAX_SENTENCE]) for p in parts if len(p) > 1]


def summarise(lines: list[Line], customer: str) -> list[Line]:
    """The sentences worth passing on, in conversation order; `customer` names the
    customer's lines (the first of them states the problem)."""
    if len(lines) <= SHORT:
        return lines
    bags = [Counter(tokens(line.text)) for line in lines]
    having = Counter(t for bag in bags for t in bag)
    first = next((i for i, line in enumerate(lines) if line.speaker == customer), -1)
    scores = [
        _score(line, bag, having, len(lines)) + (1.0 if i == first else 0.0)
        for i, (line, bag) in enumerate(zip(lines, bags, strict=True))
    ]
    keep = min(MAX_PICKED, max(SHORT, round(len(lines) / 4)))
    best = sorted(range(len(lines)), key=lambda i: (-scores[i], i))[:keep]
    return [lines[i] for i in sorted(best)]


def _score(line: Line, bag: Counter[str], having: Counter[str], n: int) -> float:
    if not bag:
        return 0.0
    weight = sum(count * math.log(n / having[t]) for t, count in bag.items())
    # Normalised by length so long sentences do not win by length alone.
    score = weight / math.sqrt(sum(bag.values())) / math.log(n + 1)
    if _NUMBER.search(line.text):
        score += 0.5
    if urgent_words(line.text, DEFAULT_URGENCY_WORDS):
        score += 0.5
    return score


def as_text(lines: list[Line]) -> str:
    return "\n".join(f"{line.speaker}: {line.text}" for line in lines)
