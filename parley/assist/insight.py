"""What the Assist panel shows without any external service: the language, tone and urgency
of the customer's latest messages, and the saved replies and articles that fit them."""

from dataclasses import dataclass

from django.utils.translation import get_language_info

from parley.accounts.models import Agent
from parley.conversations.models import Conversation, Direction
from parley.triage.language import detect_language
from parley.triage.models import PrioritySettings
from parley.triage.priority import unanswered_text
from parley.triage.sentiment import Sentiment, sentiment
from parley.triage.urgency import urgent_words

from . import sources
from .rank import Ranked, rank
from .summary import as_text, summarise
from .transcript import as_lines, customer_name

LATEST = 3  # customer messages read once everything was answered


@dataclass(frozen=True)
class Insight:
    language: str
    sentiment: Sentiment
    urgent: list[str]
    suggestions: list[Ranked]


def latest_customer_text(conversation: Conversation) -> str:
    """What the customer is waiting for an answer to; once all is answered, their last
    few messages (an agent may still want a suggestion for them)."""
    text = unanswered_text(conversation)
    if text:
        return text
    inbound = conversation.messages.filter(direction=Direction.INBOUND, deleted_at__isnull=True)
    texts = list(inbound.order_by("-pk").values_list("text", flat=True)[:LATEST])
    return "\n".join([conversation.subject, *reversed(texts)])


def customer_language(conversation: Conversation, text: str) -> str:
    attributes = conversation.customer.attributes
    stored = attributes.get("language", "") if isinstance(attributes, dict) else ""
    return detect_language(text) or (stored if isinstance(stored, str) else "")


def language_label(code: str) -> str:
    """The language's name in the interface language; the code for one Django does not know."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def insight(agent: Agent, conversation: Conversation) -> Insight:
    text = latest_customer_text(conversation)
    language = customer_language(conversation, text)
    candidates = sources.saved_reply_candidates(agent, conversation, language)
    candidates += sources.article_candidates(agent)
    return Insight(
        language=language,
        sentiment=sentiment(text),
        urgent=urgent_words(text, PrioritySettings.current().urgency_words),
        suggestions=rank(text, candidates),
    )


def handoff_summary(conversation: Conversation) -> str:
    """The offline summary, ready for a handoff note ("" for an empty conversation)."""
    lines = as_lines(conversation)
    return as_text(summarise(lines, customer_name(conversation)))
