"""What a rule does when it fires: each action checked when the rule is saved, then carried
out through the same domain actions an agent's click uses.

    [{"type": "add_tags", "tags": ["refund"]}, {"type": "set_priority", "priority": "high"},
     {"type": "assign", "team": 3}, {"type": "set_status", "status": "closed"},
     {"type": "add_note", "text": "…"}, {"type": "auto_reply", "text": "…"},
     {"type": "notify_slack", "slack": 2, "text": "…"}, {"type": "call_webhook", "webhook": 5}]
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Model
from django.utils import timezone

from parley.accounts.models import Agent, Team
from parley.conversations import actions
from parley.conversations.models import Conversation, Direction, Status
from parley.core.errors import InvalidInput
from parley.integrations.notify import compile_notification

from .conditions import PRIORITIES

MAX_ACTIONS = 20
AUTO_REPLY_QUIET = timedelta(minutes=10)
MAX_TEXT = 5000


@dataclass(frozen=True)
class Effect:
    """One checked action: `describe` is what the timeline says it did; `apply` may return
    a different account (it could not, or need not, act)."""

    type: str
    apply: Callable[[Conversation], str | None]
    describe: str


def compile_actions(raw: object, *, rule: str = "") -> list[Effect]:
    """`rule`: the rule's name, which its notifications carry."""
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("actions: a non-empty list", code="invalid_rule")
    if len(raw) > MAX_ACTIONS:
        raise InvalidInput(f"actions: at most {MAX_ACTIONS}", code="invalid_rule")
    return [_effect(item, f"actions[{i}]", rule) for i, item in enumerate(raw)]


def _effect(raw: object, where: str, rule: str) -> Effect:
    if not isinstance(raw, dict) or raw.get("type") not in BUILDERS:
        raise InvalidInput(f"{where}.type: one of {', '.join(BUILDERS)}", code="invalid_rule")
    if raw["type"] in NOTIFY:
        return _notify(raw, where, rule)
    return BUILDERS[raw["type"]](raw, where)


def _tags(raw: dict, where: str) -> list[str]:
    tags = raw.get("tags")
    names = tags if isinstance(tags, list) else []
    if not names or not all(isinstance(t, str) and t.strip() for t in names):
        raise InvalidInput(f"{where}.tags: a list of tag names", code="invalid_rule")
    return [t.strip().lower()[:50] for t in names]


def _add_tags(raw: dict, where: str) -> Effect:
    tags = _tags(raw, where)

    def apply(conversation: Conversation) -> None:
        current = set(conversation.tags.values_list("name", flat=True))
        actions.set_tags(None, conversation, current | set(tags))

    return Effect("add_tags", apply, "tagged " + ", ".join(tags))


def _remove_tags(raw: dict, where: str) -> Effect:
    tags = set(_tags(raw, where))

    def apply(conversation: Conversation) -> None:
        current = set(conversation.tags.values_list("name", flat=True))
        actions.set_tags(None, conversation, current - tags)

    return Effect("remove_tags", apply, "untagged " + ", ".join(sorted(tags)))


def _set_priority(raw: dict, where: str) -> Effect:
    name = raw.get("priority")
    if name not in PRIORITIES:
        raise InvalidInput(f"{where}.priority: one of {', '.join(PRIORITIES)}", code="invalid_rule")
    rank = PRIORITIES[str(name)]

    def apply(conversation: Conversation) -> None:
        actions.set_priority(None, conversation, rank)

    return Effect("set_priority", apply, f"set priority {name}")


def _set_status(raw: dict, where: str) -> Effect:
    status = raw.get("status")
    if status not in Status.values or status == Status.NEW:
        raise InvalidInput(
            f"{where}.status: open, pending, resolved or closed", code="invalid_rule"
        )

    def apply(conversation: Conversation) -> None:
        actions.set_status(None, conversation, str(status))

    return Effect("set_status", apply, f"set status {status}")


def _assign(raw: dict, where: str) -> Effect:
    agent_id, team_id = raw.get("agent"), raw.get("team")
    if raw.get("by_policy") is True:
        return _assign_by_policy(team_id, agent_id, where)
    if agent_id is None and team_id is None:
        raise InvalidInput(f"{where}: an agent or a team", code="invalid_rule")
    agent = _row(Agent, agent_id, f"{where}.agent", is_active=True) if agent_id else None
    team = _row(Team, team_id, f"{where}.team") if team_id else None
    if agent and team and not agent.teams.filter(pk=team.pk).exists():
        raise InvalidInput(f"{where}: {agent} is not a member of {team}", code="invalid_rule")

    def apply(conversation: Conversation) -> str | None:
        # Read again at firing time: compiled rules are kept, teams and agents change.
        now_agent = Agent.objects.filter(pk=agent.pk, is_active=True).first() if agent else None
        now_team = Team.objects.filter(pk=team.pk).first() if team else None
        if (agent and now_agent is None) or (team and now_team is None):
            return "could not assign: the agent or team no longer exists"
        actions.assign_conversation(None, conversation, assignee=now_agent, team=now_team)
        return None

    return Effect("assign", apply, "assigned to " + " / ".join(str(x) for x in (agent, team) if x))


def _assign_by_policy(team_id: object, agent_id: object, where: str) -> Effect:
    """{"type": "assign", "team": 3, "by_policy": true}: the team's policy picks the agent."""
    if agent_id is not None:
        raise InvalidInput(
            f"{where}: by_policy picks the agent; name only a team", code="invalid_rule"
        )
    team = _row(Team, team_id, f"{where}.team")

    def apply(conversation: Conversation) -> str | None:
        from .assignment import assign_by_policy

        now_team = Team.objects.filter(pk=team.pk).first()
        if now_team is None:
            return "could not assign: the team no longer exists"
        agent = assign_by_policy(conversation, now_team)
        return (
            f"assigned to {agent} / {now_team}"
            if agent
            else f"queued for {now_team}: nobody available"
        )

    return Effect("assign", apply, f"assigned by {team}'s policy")


def _add_note(raw: dict, where: str) -> Effect:
    text = _text(raw, where)

    def apply(conversation: Conversation) -> None:
        actions.add_note(None, conversation, text)

    return Effect("add_note", apply, "added a note")


def _auto_reply(raw: dict, where: str) -> Effect:
    text = _text(raw, where)

    def apply(conversation: Conversation) -> str | None:
        return _send_automatic(conversation, text)

    return Effect("auto_reply", apply, "sent an automatic reply")


def _send_automatic(conversation: Conversation, text: str) -> str | None:
    """Rules never run for a machine's message (an out-of-office), and at most one
    automatic reply goes out per quiet period: a bot that is not marked as one cannot keep
    a conversation with Parley going. None when sent, else why not."""
    since = timezone.now() - AUTO_REPLY_QUIET
    recent = conversation.messages.filter(
        direction=Direction.OUTBOUND, author__isnull=True, created_at__gte=since
    )
    if any((m.details or {}).get("automatic") for m in recent):
        return "no automatic reply: one was sent in the last 10 minutes"
    actions.send_automatic_reply(conversation, text, why="rule")
    return None


def _send_saved_reply(raw: dict, where: str) -> Effect:
    """{"type": "send_saved_reply", "saved_reply": 7}: filled in for the conversation, in
    the customer's language; never sent with a value missing."""
    from parley.replies.models import SavedReply

    reply = _row(SavedReply, raw.get("saved_reply"), f"{where}.saved_reply", owner__isnull=True)

    def apply(conversation: Conversation) -> str | None:
        from parley.replies.limits import reply_limit
        from parley.replies.queries import body_for
        from parley.replies.render import placeholders, render
        from parley.replies.variables import customer_language, values_for

        now_reply = SavedReply.objects.filter(pk=reply.pk).first()
        if now_reply is None:
            return "could not reply: the saved reply no longer exists"
        _, body = body_for(now_reply, customer_language(conversation))
        text = render(body, values_for(conversation, None))
        missing = placeholders(text)
        if missing:
            return "no automatic reply: nothing to fill in " + ", ".join(missing)
        limit = reply_limit(conversation.channel.kind, conversation.thread_ref)
        if limit is not None and len(text) > limit[0]:
            return f"no automatic reply: longer than {limit[1]} takes ({limit[0]} characters)"
        return _send_automatic(conversation, text) or f"sent the saved reply “{now_reply.title}”"

    return Effect("send_saved_reply", apply, f"sent the saved reply “{reply.title}”")


def _text(raw: dict, where: str) -> str:
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT or "\x00" in text:
        raise InvalidInput(f"{where}.text: 1 to {MAX_TEXT} characters", code="invalid_rule")
    return text.strip()


def _row(model: type[Model], pk: object, where: str, **extra: object):  # type: ignore[no-untyped-def]
    if isinstance(pk, bool) or not isinstance(pk, int):
        raise InvalidInput(f"{where}: an id", code="invalid_rule")
    found = model._default_manager.filter(pk=pk, **extra).first()
    if found is None:
        raise InvalidInput(f"{where}: no such {model.__name__.lower()} {pk}", code="invalid_rule")
    return found


def _notify(raw: dict, where: str, rule: str = "") -> Effect:
    """Slack, e-mail and webhook notifications (integrations.notify): stored with the
    firing, sent once it commits."""
    apply, describe = compile_notification(raw, where, rule)
    return Effect(raw["type"], apply, describe)


NOTIFY = ("notify_slack", "notify_email", "call_webhook")
BUILDERS: dict[str, Callable[[dict, str], Effect]] = {
    "add_tags": _add_tags,
    "remove_tags": _remove_tags,
    "set_priority": _set_priority,
    "set_status": _set_status,
    "assign": _assign,
    "add_note": _add_note,
    "auto_reply": _auto_reply,
    "send_saved_reply": _send_saved_reply,
    **dict.fromkeys(NOTIFY, _notify),
}
