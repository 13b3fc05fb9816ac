"""Asking the provider for help with a conversation. The answer goes back to the agent's
composer or panel, never to the customer: nothing here sends or stores a message.

No transaction is held during the call (a slow provider must not hold a database write
lock); the call's log row is written afterwards, whatever happened.
"""

import time

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parley.accounts.models import Agent
from parley.conversations.models import Conversation
from parley.core.errors import InvalidInput

from . import prompts, sources
from .insight import customer_language, latest_customer_text
from .models import Action, ProviderCall, ProviderSettings
from .provider import Outcome, complete
from .rank import rank
from .transcript import exchanged

ARTICLES_IN_DRAFT = 3


def ask_provider(
    agent: Agent, conversation: Conversation, action: str, *, text: str = "", tone: str = ""
) -> str:
    """The provider's text for `action`; ProviderFailed (logged) when it has none."""
    settings = ProviderSettings.current()
    if not settings.ready:
        raise InvalidInput(
            _("AI assistance with a model is off: an admin can set it up in Settings."),
            code="assist_off",
        )
    messages = _prompt(agent, conversation, action, text, tone)
    outcome = Outcome(time.monotonic())
    try:
        return complete(settings, messages, outcome).text
    finally:
        _log(agent, conversation, action, settings.model, outcome)


def _prompt(
    agent: Agent, conversation: Conversation, action: str, text: str, tone: str
) -> list[dict]:
    agent_language = agent.language or get_language() or "en"
    if action == Action.REWRITE:
        return prompts.rewrite(text, tone, sources.brand_guidelines())
    if action == Action.TRANSLATE_OUT:
        target = customer_language(conversation, latest_customer_text(conversation))
        if not target:
            problem = _("The customer's language is not known yet: nothing to translate into.")
            raise InvalidInput(problem, code="assist_no_language")
        return prompts.translate(text, target, "support agent's")
    lines = exchanged(conversation)
    if not lines:
        raise InvalidInput(_("This conversation has no messages yet."), code="assist_empty")
    if action == Action.SUMMARY:
        return prompts.summary(lines, agent_language)
    latest = latest_customer_text(conversation)
    if action == Action.TRANSLATE_IN:
        return prompts.translate(latest, agent_language, "customer's")
    suggested = rank(latest, sources.article_candidates(agent), limit=ARTICLES_IN_DRAFT)
    articles = sources.help_center_articles([r.candidate.id for r in suggested])
    language = customer_language(conversation, latest)
    return prompts.draft(lines, language, articles, sources.brand_guidelines())


def _log(
    agent: Agent, conversation: Conversation, action: str, model: str, outcome: Outcome
) -> None:
    done = outcome.completion
    ProviderCall.objects.create(
        agent=agent,
        action=action,
        conversation=conversation,
        model=model,
        prompt_tokens=done.prompt_tokens if done else None,
        completion_tokens=done.completion_tokens if done else None,
        duration_ms=outcome.duration_ms,
        ok=done is not None,
        error=outcome.error[:300],
    )
