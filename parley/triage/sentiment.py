# ruff: noqa: RUF001 - typographic apostrophes are matched on purpose
"""How a message reads — negative, neutral or positive — from word lists, offline.

A lexicon in the manner of VADER: each known word has a valence (-3 … +3); a negation
before it ("not happy", "안 좋아요", "좋지 않아요") turns it over and weakens it, an
intensifier ("very", "너무") strengthens it, "!!!" and SHOUTING push the whole further from
neutral, and after "but" what follows counts more than what came before. English and Korean
words are looked for in every message: customers mix them.
"""

import math
from dataclasses import dataclass

import regex

NEGATIVE, NEUTRAL, POSITIVE = "negative", "neutral", "positive"
LABELS = (NEGATIVE, NEUTRAL, POSITIVE)
# |score| below this reads as neutral.
THRESHOLD = 0.2
NEGATION = -0.7
INTENSITY = 1.5
EXCLAMATION = 0.3  # per "!", up to 4
SHOUT = 1.5

ENGLISH = {
    # negative
    "angry": -3, "furious": -3, "terrible": -3, "horrible": -3, "awful": -3, "worst": -3,
    "scam": -3, "hate": -3, "disgusting": -3, "useless": -3, "ridiculous": -2,
    "unacceptable": -3, "fraud": -3, "pathetic": -3,
    "bad": -2, "poor": -2, "disappointed": -2, "disappointing": -2, "upset": -2,
    "annoyed": -2, "annoying": -2, "frustrated": -2, "frustrating": -2, "broken": -2,
    "damaged": -2, "wrong": -2, "missing": -1, "late": -1, "delayed": -1, "never": -1,
    "problem": -1, "issue": -1, "complaint": -2, "refund": -1, "cancel": -1, "slow": -1,
    "rude": -2, "sad": -2, "unhappy": -2, "fail": -2, "failed": -2, "waste": -2,
    "sucks": -3, "stupid": -2, "lost": -1, "worse": -2, "mess": -2,
    # positive
    "good": 2, "great": 3, "excellent": 3, "amazing": 3, "awesome": 3, "perfect": 3,
    "love": 3, "loved": 3, "wonderful": 3, "fantastic": 3, "best": 3, "happy": 2,
    "glad": 2, "nice": 2, "thanks": 2, "thank": 2, "appreciate": 2, "appreciated": 2,
    "helpful": 2, "fast": 1, "quick": 1, "satisfied": 2, "pleased": 2, "fine": 1,
    "well": 1, "beautiful": 2, "recommend": 2, "works": 1, "kind": 2, "friendly": 2,
}  # fmt: skip
# Korean stems, found inside words: "실망" in "실망했어요", "좋" in "좋아요".
KOREAN = {
    # negative
    "최악": -3, "화나": -3, "화가": -3, "열받": -3, "짜증": -3, "사기": -3, "엉망": -3,
    "실망": -2, "불만": -2, "불편": -2, "답답": -2, "별로": -2, "싫": -2, "나쁘": -2,
    "나빠": -2, "황당": -2, "어이없": -3, "속상": -2, "파손": -2, "고장": -2, "불량": -2,
    "환불": -1, "취소": -1, "늦": -1, "안 와": -1, "안와": -1, "문제": -1,
    # positive
    "감사": 2, "고맙": 2, "고마워": 2, "좋": 2, "만족": 2, "최고": 3, "훌륭": 3,
    "친절": 2, "빠르": 1, "빨리 와": 1, "행복": 2, "사랑": 3, "추천": 2, "멋지": 2,
    "대박": 2, "괜찮": 1, "완벽": 3, "기뻐": 2, "기쁘": 2,
}  # fmt: skip
EMOJI = {
    "😡": -3, "🤬": -3, "😠": -3, "😤": -2, "😞": -2, "😢": -2, "😭": -2, "😩": -2,
    "😫": -2, "👎": -2, "💔": -2, "🙁": -1, "☹": -1, "😒": -1,
    "😊": 2, "😀": 2, "😃": 2, "😄": 2, "😁": 2, "😍": 3, "🥰": 3, "❤": 2, "💕": 2,
    "👍": 2, "🙏": 1, "🙂": 1, "😉": 1, "🎉": 2, "👏": 2,
    "ㅠㅠ": -1, "ㅜㅜ": -1, "ㅡㅡ": -1, "ㅋㅋ": 1, "ㅎㅎ": 1,
}  # fmt: skip
ENGLISH_NEGATIONS = {
    "not", "no", "never", "nothing", "hardly", "barely", "without", "cannot", "cant",
    "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "wont", "wouldnt",
    "couldnt", "shouldnt", "havent", "hasnt", "hadnt", "aint", "nor", "neither",
}  # fmt: skip
ENGLISH_INTENSIFIERS = {
    "very", "really", "so", "extremely", "totally", "super", "absolutely", "completely",
    "incredibly", "too", "most", "utterly", "such",
}  # fmt: skip
KOREAN_NEGATIONS = ("안", "못")
KOREAN_INTENSIFIERS = ("너무", "정말", "진짜", "완전", "매우", "아주", "엄청", "넘", "제일", "진심")
# "좋지 않아요", "만족하지 못했어요", "문제없어요": the negation follows the word in Korean.
_KOREAN_AFTER = regex.compile(r"\S*?지\s*(?:않|못|마)|(?:가|는|이|도)?\s*없")
_WORD = regex.compile(r"\p{L}+(?:['’]\p{L}+)*")
_HANGUL = regex.compile(r"\p{Script=Hangul}")
# Longest first, so that "고마워" wins over a shorter stem at the same place.
_KOREAN_STEM = regex.compile("|".join(map(regex.escape, sorted(KOREAN, key=len, reverse=True))))


@dataclass(frozen=True)
class Sentiment:
    label: str  # negative, neutral or positive
    score: float  # -1 (most negative) … +1 (most positive)


def sentiment(text: str) -> Sentiment:
    """How the text reads."""
    text = (text or "")[:5000]
    total = _english(text) + _korean(text) + _emoji(text)
    if total:
        total += math.copysign(EXCLAMATION * min(text.count("!"), 4), total)
    score = total / math.sqrt(total * total + 15)  # VADER's squashing into -1 … +1
    label = POSITIVE if score >= THRESHOLD else NEGATIVE if score <= -THRESHOLD else NEUTRAL
    return Sentiment(label, round(score, 3))


def _english(text: str) -> float:
    words = _WORD.findall(text)
    # Capitals stand out only among lower-case words: a message all in capitals is a habit.
    emphasis = any(word.islower() for word in words if len(word) > 1)
    total, weight = 0.0, 1.0
    for i, word in enumerate(words):
        folded = _plain(word)
        if folded == "but":
            total, weight = total * 0.5, 1.5  # what follows "but" is what they mean
            continue
        valence = ENGLISH.get(folded)
        if valence is None:
            continue
        before = [_plain(w) for w in words[max(0, i - 3) : i]]
        value = float(valence)
        if before and before[-1] in ENGLISH_INTENSIFIERS:
            value *= INTENSITY
        if any(b in ENGLISH_NEGATIONS for b in before):
            value *= NEGATION
        if emphasis and word.isupper() and len(word) > 1:
            value *= SHOUT
        total += value * weight
    return total


def _plain(word: str) -> str:
    return word.casefold().replace("'", "").replace("’", "")


def _korean(text: str) -> float:
    if not _HANGUL.search(text):
        return 0.0
    total = 0.0
    counted = -1
    for match in _KOREAN_STEM.finditer(text):
        start, end = match.span()
        word = _word_start(text, start)
        if word == counted:
            continue  # one stem per word: "고마워" is not thanks twice
        counted = word
        before = text[max(0, word - 40) : word].split()[-2:]
        value = float(KOREAN[match.group()])
        if any(b in KOREAN_INTENSIFIERS for b in before):
            value *= INTENSITY
        if (before and before[-1] in KOREAN_NEGATIONS) or _KOREAN_AFTER.match(text, end):
            value *= NEGATION
        total += value
    return total


def _word_start(text: str, at: int) -> int:
    while at > 0 and not text[at - 1].isspace():
        at -= 1
    return at


def _emoji(text: str) -> float:
    return float(sum(valence * text.count(symbol) for symbol, valence in EMOJI.items()))
