"""Rule conditions: checked once when a rule is saved, compiled to plain functions, and
evaluated against the facts of one conversation and the message that triggered the run.

    {"all": [{"field": "channel_kind", "op": "in", "value": ["instagram"]},
             {"any": [{"field": "text", "op": "contains_any", "value": ["refund", "환불"]},
                      {"field": "customer_vip", "op": "is", "value": true}]}]}

Text is compared folded: case-insensitive, accents ignored ("Café" matches "cafe"), Korean
as written (folding keeps Hangul syllables whole), so "환불" is found in "환불해 주세요".
"""

import logging
import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import regex

from parley.core.errors import InvalidInput

logger = logging.getLogger(__name__)

MAX_DEPTH = 6
MAX_TESTS = 50
MAX_PATTERN = 200
PATTERN_SECONDS = 0.05
# Only the start of a long message is searched: rules are about what a message says first.
MAX_TEXT = 5000
PRIORITIES = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


def fold(text: str) -> str:
    """Lower-cased, accents removed, Hangul kept whole, runs of spaces as one."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(unicodedata.normalize("NFC", stripped).split())


@dataclass
class Facts:
    """What conditions can look at, gathered once per run."""

    channel_kind: str
    channel_id: int
    text: str  # folded subject and text of the triggering message
    is_comment: bool
    status: str
    priority: int
    assignee_id: int | None
    team_id: int | None
    tags: set[str] = field(default_factory=set)
    customer_vip: bool = False
    customer_tags: set[str] = field(default_factory=set)
    order_count: int = 0
    lifetime_value: Decimal = Decimal(0)
    # "open" / "closed" by the team's business hours (open when none are set).
    hours: str = "open"
    # What an agent changed, for `conversation_updated` rules (empty for other triggers).
    changed: set[str] = field(default_factory=set)
    # Of the triggering message (parley.triage): ISO 639-1 code or "" when unsure, and
    # negative / neutral / positive.
    language: str = ""
    sentiment: str = "neutral"
    followers: int = 0  # the customer's social reach, when a profile said
    priority_score: int = 0


Test = Callable[[Facts], bool]
# field → (kind of value, the Facts attribute it reads)
FIELDS: dict[str, tuple[str, str]] = {
    "channel_kind": ("choice", "channel_kind"),
    "channel": ("id", "channel_id"),
    "text": ("text", "text"),
    "is_comment": ("bool", "is_comment"),
    "status": ("choice", "status"),
    "priority": ("priority", "priority"),
    "assignee": ("id", "assignee_id"),
    "team": ("id", "team_id"),
    "tags": ("set", "tags"),
    "customer_vip": ("bool", "customer_vip"),
    "customer_tags": ("set", "customer_tags"),
    "order_count": ("number", "order_count"),
    "lifetime_value": ("number", "lifetime_value"),
    "business_hours": ("hours", "hours"),
    "changed": ("changes", "changed"),
    "language": ("language", "language"),
    "sentiment": ("sentiment", "sentiment"),
    "followers": ("number", "followers"),
    "priority_score": ("number", "priority_score"),
}
CHANGES = ("status", "assignee", "team", "tags", "priority")
SENTIMENTS = ("negative", "neutral", "positive")
_LANGUAGE = regex.compile(r"[a-z]{2}")
# Tests run cheapest first inside all/any: a channel check settles most rules before any
# text is searched.
COST = {"text": 2, "matches": 3}
OPS: dict[str, tuple[str, ...]] = {
    "choice": ("is", "is_not", "in", "not_in"),
    "id": ("is", "is_not", "in", "not_in", "is_set", "is_not_set"),
    "text": ("contains_any", "contains_all", "contains_none", "matches"),
    "bool": ("is",),
    "priority": ("is", "is_not", "at_least", "at_most"),
    "set": ("includes_any", "includes_all", "excludes"),
    "number": ("eq", "gt", "gte", "lt", "lte"),
    "hours": ("is",),
    "changes": ("includes_any", "includes_all", "excludes"),
    "language": ("is", "is_not", "in", "not_in"),
    "sentiment": ("is", "is_not"),
}


def compile_conditions(raw: object) -> Test:
    """The test a condition tree stands for; InvalidInput names the part that is wrong. An
    empty tree matches everything."""
    if raw in (None, {}, []):
        return lambda facts: True
    counter = [0]
    return _node(raw, "conditions", 0, counter)


def _node(raw: object, where: str, depth: int, counter: list[int]) -> Test:
    if depth > MAX_DEPTH:
        raise InvalidInput(f"{where}: nested deeper than {MAX_DEPTH}", code="invalid_rule")
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where}: must be an object", code="invalid_rule")
    for group in ("all", "any"):
        if group in raw:
            items = raw[group]
            if not isinstance(items, list) or not items or len(raw) != 1:
                raise InvalidInput(f"{where}.{group}: a non-empty list", code="invalid_rule")
            tests = sorted(
                (
                    _node(item, f"{where}.{group}[{i}]", depth + 1, counter)
                    for i, item in enumerate(items)
                ),
                key=lambda test: getattr(test, "cost", 1),
            )
            return _all(tests) if group == "all" else _any(tests)
    if "not" in raw:
        inner = _node(raw["not"], f"{where}.not", depth + 1, counter)
        return lambda facts: not inner(facts)
    counter[0] += 1
    if counter[0] > MAX_TESTS:
        raise InvalidInput(f"conditions: more than {MAX_TESTS} tests", code="invalid_rule")
    return _leaf(raw, where)


# all()/any() over a generator cost twice as much as these loops (bench/rules.py): a
# message meets every active rule, so this is the inner loop of automation.
def _all(tests: list[Test]) -> Test:
    def test(facts: Facts) -> bool:
        for one in tests:  # noqa: SIM110
            if not one(facts):
                return False
        return True

    return test


def _any(tests: list[Test]) -> Test:
    def test(facts: Facts) -> bool:
        for one in tests:  # noqa: SIM110
            if one(facts):
                return True
        return False

    test.cost = max(getattr(one, "cost", 1) for one in tests)  # type: ignore[attr-defined]
    return test


def _leaf(raw: dict, where: str) -> Test:
    name, op, value = raw.get("field"), raw.get("op"), raw.get("value")
    if name not in FIELDS:
        raise InvalidInput(
            f"{where}.field: one of {', '.join(FIELDS)} (got {name!r})", code="invalid_rule"
        )
    kind, attribute = FIELDS[name]
    if op not in OPS[kind]:
        raise InvalidInput(
            f"{where}.op: for {name}, one of {', '.join(OPS[kind])} (got {op!r})",
            code="invalid_rule",
        )
    check = BUILDERS[kind](op, value, f"{where}.value")

    def test(facts: Facts) -> bool:
        return check(getattr(facts, attribute))

    test.cost = COST.get(op, COST.get(kind, 1))  # type: ignore[attr-defined]
    return test


def _texts(value: object, where: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    words = [fold(item) for item in items if isinstance(item, str) and fold(item)]
    if not words or len(words) != len(items) or len(words) > 100:
        raise InvalidInput(f"{where}: a list of 1 to 100 words", code="invalid_rule")
    return words


def _text_test(op: str, value: object, where: str) -> Callable[[object], bool]:
    if op == "matches":
        if not isinstance(value, str) or not value or len(value) > MAX_PATTERN:
            problem = f"{where}: a pattern of 1 to {MAX_PATTERN} characters"
            raise InvalidInput(problem, code="invalid_rule")
        try:
            # Against the folded text, so without case; the pattern itself is not folded
            # (folding \S would make it \s).
            pattern = regex.compile(value, regex.IGNORECASE)
        except regex.error as exc:
            problem = f"{where}: not a valid pattern ({exc})"
            raise InvalidInput(problem, code="invalid_rule") from None
        return lambda text: _search(pattern, str(text))
    words = _texts(value, where)

    def contains_any(text: object) -> bool:
        for word in words:  # noqa: SIM110
            if word in text:  # type: ignore[operator]
                return True
        return False

    if op == "contains_any":
        return contains_any
    if op == "contains_all":
        return lambda text: all(word in text for word in words)  # type: ignore[operator]
    return lambda text: not contains_any(text)


def _search(pattern: regex.Pattern, text: str) -> bool:
    """A pattern that backtracks without end (an admin's "(\\w+\\s?)+$") gives up after
    PATTERN_SECONDS instead of holding the process; it then counts as not matching."""
    try:
        return pattern.search(text[:MAX_TEXT], timeout=PATTERN_SECONDS) is not None
    except TimeoutError:
        logger.warning("rule pattern %r gave up after %s s", pattern.pattern, PATTERN_SECONDS)
        return False


def _choice_test(op: str, value: object, where: str) -> Callable[[object], bool]:
    if op in ("is", "is_not"):
        if not isinstance(value, str):
            raise InvalidInput(f"{where}: a text", code="invalid_rule")
        return (lambda v: v == value) if op == "is" else (lambda v: v != value)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"{where}: a list of texts", code="invalid_rule")
    chosen = set(value)
    return (lambda v: v in chosen) if op == "in" else (lambda v: v not in chosen)


def _id_test(op: str, value: object, where: str) -> Callable[[object], bool]:
    if op == "is_set":
        return lambda v: v is not None
    if op == "is_not_set":
        return lambda v: v is None
    ids = value if isinstance(value, list) else [value]
    if not ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise InvalidInput(f"{where}: an id or a list of ids", code="invalid_rule")
    chosen = set(ids)
    return (lambda v: v in chosen) if op in ("is", "in") else (lambda v: v not in chosen)


def _bool_test(op: str, value: object, where: str) -> Callable[[object], bool]:
    if not isinstance(value, bool):
        raise InvalidInput(f"{where}: true or false", code="invalid_rule")
    return lambda v: bool(v) is value


def _priority_test(op: str, value: object, where: str) -> Callable[[object], bool]:
    if value not in PRIORITIES:
        raise InvalidInput(f"{where}: one of {', '.join(PRIORITIES)}", code="invalid_rule")
    rank = PRIORITIES[str(value)]
    # Ranks: urgent 0 … low 3, so "at least high" is a rank of at most 1.
    return {
        "is": lambda v: v == rank,
        "is_not": lambda v: v != rank,
        "at_least": lambda v: int(str(v)) <= rank,
        "at_most": lambda v: int(str(v)) >= rank,
    }[op]


def _set_test(op: str, value: object, where: str) -> Callable[[object], bool]:
    wanted = {word.lower() for word in _texts(value, where)}
    if op == "includes_any":
        return lambda v: bool(wanted & _as_set(v))
    if op == "includes_all":
        return lambda v: wanted <= _as_set(v)
    return lambda v: not wanted & _as_set(v)


def _number_test(op: str, value: object, where: str) -> Callable[[object], bool]:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput(f"{where}: a number", code="invalid_rule")
    limit = Decimal(str(value))
    compare = {
        "eq": lambda v: v == limit,
        "gt": lambda v: v > limit,
        "gte": lambda v: v >= limit,
        "lt": lambda v: v < limit,
        "lte": lambda v: v <= limit,
    }[op]
    return lambda v: compare(Decimal(str(v)))


def _hours_test(op: str, value: object, where: str) -> Callable[[object], bool]:
    if value not in ("open", "closed"):
        raise InvalidInput(f"{where}: open or closed", code="invalid_rule")
    return lambda v: v == value


def _changes_test(op: str, value: object, where: str) -> Callable[[object], bool]:
    names = value if isinstance(value, list) else [value]
    if not names or not all(name in CHANGES for name in names):
        raise InvalidInput(f"{where}: a list of {', '.join(CHANGES)}", code="invalid_rule")
    return _set_test(op, names, where)


def _language_test(op: str, value: object, where: str) -> Callable[[object], bool]:
    several = op in ("in", "not_in")
    codes = value if several else [value]
    if not isinstance(codes, list) or not codes or not all(_is_language(c) for c in codes):
        shape = "a list of two-letter language codes" if several else "a two-letter language code"
        raise InvalidInput(f"{where}: {shape} (ko, en, ja…)", code="invalid_rule")
    return _choice_test(op, value, where)


def _is_language(code: object) -> bool:
    return isinstance(code, str) and _LANGUAGE.fullmatch(code) is not None


def _sentiment_test(op: str, value: object, where: str) -> Callable[[object], bool]:
    if value not in SENTIMENTS:
        raise InvalidInput(f"{where}: one of {', '.join(SENTIMENTS)}", code="invalid_rule")
    return _choice_test(op, value, where)


def _as_set(value: object) -> set[str]:
    return value if isinstance(value, set) else set()


BUILDERS: dict[str, Callable[[str, object, str], Callable[[object], bool]]] = {
    "text": _text_test,
    "choice": _choice_test,
    "id": _id_test,
    "bool": _bool_test,
    "priority": _priority_test,
    "set": _set_test,
    "number": _number_test,
    "hours": _hours_test,
    "changes": _changes_test,
    "language": _language_test,
    "sentiment": _sentiment_test,
}
