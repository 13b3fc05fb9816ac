"""Adapters from other apps to assistance: what may be suggested or sent to a provider.

Each reads its app's models (imported inside the function, so that loading assistance never
loads the other apps' views) and returns plain values: ranking and prompts never depend on
another app's models.
"""

import re

from django.urls import reverse

from parley.accounts.models import Agent
from parley.conversations.models import Conversation

from .rank import Candidate

MAX_CANDIDATES = 500
# {{ customer.first_name }} says nothing about what a reply is about.
_VARIABLE = re.compile(r"\{\{.*?\}\}")


def article_candidates(agent: Agent) -> list[Candidate]:
    """Published articles this agent may read; Insert puts what the knowledge base's own
    Insert does (internal articles without a link)."""
    from parley.kb.models import Status
    from parley.kb.queries import agent_articles
    from parley.kb.views import insert_text

    articles = agent_articles(agent).filter(status=Status.PUBLISHED).order_by("-updated_at", "-pk")
    return [
        Candidate(
            kind="article",
            id=a.pk,
            title=a.title,
            text=f"{a.summary}\n{a.body}",
            url=reverse("kb_read", args=[a.pk]),
            insert=insert_text(a),
        )
        for a in articles[:MAX_CANDIDATES]
    ]


def help_center_articles(ids: list[int]) -> list[tuple[str, str, str]]:
    """(title, summary and body, public link) of these articles, if customers may read them:
    only those go into a prompt whose draft is for the customer."""
    if not ids:
        return []
    from parley.kb.queries import help_center_articles as public
    from parley.kb.views import public_url

    found = {a.pk: a for a in public().filter(pk__in=ids)}
    return [(a.title, f"{a.summary}\n{a.body}", public_url(a)) for i in ids if (a := found.get(i))]


def saved_reply_candidates(
    agent: Agent, conversation: Conversation, language: str
) -> list[Candidate]:
    """Saved replies this agent may use, in the customer's language where written, and
    inserted filled in for this conversation (missing values stay visible placeholders)."""
    from parley.replies.queries import body_for, usable_replies
    from parley.replies.render import render
    from parley.replies.variables import values_for

    values = values_for(conversation, agent)
    candidates = []
    for reply in usable_replies(agent).order_by("-usage_count", "title", "pk")[:MAX_CANDIDATES]:
        _, body = body_for(reply, language)
        words = " ".join([*reply.tags, _VARIABLE.sub(" ", body)])
        candidates.append(
            Candidate("saved_reply", reply.pk, reply.title, words, insert=render(body, values))
        )
    return candidates


def brand_guidelines() -> str:
    """The brand tone an admin maintains, for prompts that write to the customer."""
    from parley.replies.models import BrandTone

    return BrandTone.current().text.strip()
