"""Which saved replies an agent may use and change, and finding them by what was typed."""

from django.db.models import Q, QuerySet

from parley.accounts.models import Agent

from .models import SavedReply

MAX_RESULTS = 8


def usable_replies(agent: Agent) -> QuerySet[SavedReply]:
    """Everyone's, their teams' (every team's for leads and admins) and their own."""
    mine = Q(owner=agent)
    shared = Q(owner__isnull=True, team__isnull=True)
    teams = Q(team__isnull=False) if agent.sees_everything else Q(team__in=agent.team_ids())
    return SavedReply.objects.filter(mine | shared | teams).select_related("team")


def may_change(agent: Agent, reply: SavedReply) -> bool:
    """Agents change their personal replies; leads and admins team and workspace ones."""
    if reply.owner_id is not None:
        return reply.owner_id == agent.pk
    return agent.sees_everything


def search_replies(agent: Agent, query: str) -> list[SavedReply]:
    """Replies whose shortcut, title or tags hold every word typed: shortcut matches first,
    then the most used."""
    words = query.lower().split()[:5]
    found = []
    for reply in usable_replies(agent).order_by("-usage_count", "title", "pk"):
        haystack = " ".join([reply.shortcut, reply.title, *reply.tags]).lower()
        if all(word in haystack for word in words):
            found.append(reply)
    found.sort(key=lambda r: not any(r.shortcut.lower().startswith(w) for w in words))
    return found[:MAX_RESULTS]


def body_for(reply: SavedReply, language: str) -> tuple[str, str]:
    """(language, text): the variant in the customer's language, else the default one."""
    for code in (language, language.split("-")[0], reply.default_language):
        if code and reply.bodies.get(code):
            return code, reply.bodies[code]
    code, text = next(iter(reply.bodies.items()), ("", ""))
    return code, text
