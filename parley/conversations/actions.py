"""Everything an agent (or the system) does to a conversation. One transaction each.

Each action records its timeline entry and pushes on commit; callers have already checked
access (access.py) and validated input.
"""

from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parley.accounts.models import Agent, Team
from parley.automation.hooks import reply_sent_on_commit, updated_on_commit
from parley.connectors.windows import fill_template
from parley.core.errors import Conflict, InvalidInput
from parley.core.oncommit import enqueue_on_commit
from parley.core.text import sanitize_html, storable, text_to_html
from parley.realtime.push import push_conversation_on_commit
from parley.replies.limits import check_reply
from parley.sla.tracking import track_sla

from . import timeline
from .models import (
    DELIVERY_ORDER,
    Attachment,
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
    Priority,
    Status,
    Tag,
)


class NewerMessages(Conflict):
    """The customer or another agent wrote since the agent last looked: `messages` are the
    ones they have not seen."""

    code = "newer_messages"

    def __init__(self, messages: list[Message]) -> None:
        super().__init__(f"{len(messages)} newer message(s) since you opened the conversation")
        self.messages = messages


def newer_messages(conversation: Conversation, agent: Agent, seen: int) -> list[Message]:
    """What a reply written after message `seen` would talk past: customer messages and
    other people's replies (one's own and notes do not count)."""
    found = (
        conversation.messages.filter(pk__gt=seen)
        .filter(Q(direction=Direction.INBOUND) | Q(direction=Direction.OUTBOUND))
        .exclude(author=agent)
        .select_related("author")
        .order_by("pk")
    )
    # Parley's own automatic replies answer nobody (filtered here: a JSON key that is
    # absent compares as NULL in SQL).
    return [message for message in found if not (message.details or {}).get("automatic")]


@transaction.atomic
def send_reply(
    agent: Agent,
    conversation: Conversation,
    text: str,
    attachments: Iterable[UploadedFile] = (),
    *,
    details: dict | None = None,
    unless_newer_than: int | None = None,
) -> Message:
    """`details` carries the composer's channel-specific choices (see OutboundMessage).
    With `unless_newer_than`, nothing is sent when the customer or another agent wrote
    after that message: NewerMessages lists what arrived. A reply still showing a saved
    reply's placeholder, or longer than the platform takes, is refused (ReplyRefused)."""
    from .tasks import deliver_message

    check_reply(conversation.channel.kind, conversation.thread_ref, text, details)
    if unless_newer_than is not None:
        newer = newer_messages(conversation, agent, unless_newer_than)
        if newer:
            raise NewerMessages(newer)
    message = _create_message(conversation, agent, Direction.OUTBOUND, text, attachments)
    if details:
        message.details = details
        message.save(update_fields=["details"])
    now = timezone.now()
    conversation.first_response_at = conversation.first_response_at or now
    conversation.last_agent_message_at = now
    conversation.waiting_since = None
    if conversation.status == Status.NEW:
        conversation.status = Status.OPEN
    conversation.save()
    track_sla(conversation)
    timeline.reply_sent(conversation=conversation, message=message, actor=agent)
    enqueue_on_commit(deliver_message, message.pk)
    push_conversation_on_commit(conversation, "message")
    reply_sent_on_commit(agent, message)
    return message


@transaction.atomic
def send_automatic_reply(conversation: Conversation, text: str, *, why: str) -> Message:
    """A reply Parley sends by itself (an acknowledgement). It answers nobody's question,
    so the customer is still waiting and the first response is still to come."""
    from .tasks import deliver_message

    message = Message.objects.create(
        conversation=conversation,
        channel_id=conversation.channel_id,
        direction=Direction.OUTBOUND,
        text=storable(text),
        html=sanitize_html(text_to_html(text)),
        status=DeliveryStatus.QUEUED,
        details={"automatic": True},
    )
    Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    timeline.automatic_reply_sent(conversation=conversation, message=message, why=why)
    enqueue_on_commit(deliver_message, message.pk)
    push_conversation_on_commit(conversation, "message")
    return message


@transaction.atomic
def send_template(
    agent: Agent, conversation: Conversation, template_id: int, parameters: list[str]
) -> Message:
    """An approved WhatsApp template, the one message allowed outside the window."""
    template = conversation.channel.templates.filter(pk=template_id, status="APPROVED").first()
    if template is None:
        raise InvalidInput("pick an approved template of this channel", code="invalid_template")
    values = [storable(p.strip()) for p in parameters]
    if len(values) != template.parameter_count or not all(values):
        raise InvalidInput(
            f"the template needs {template.parameter_count} value(s), each filled in",
            code="invalid_template",
        )
    choice = {"name": template.name, "language": template.language, "parameters": values}
    text = fill_template(template, values)
    return send_reply(agent, conversation, text, details={"template": choice})


@transaction.atomic
def add_note(
    agent: Agent | None,
    conversation: Conversation,
    text: str,
    attachments: Iterable[UploadedFile] = (),
) -> Message:
    """An internal note; without an agent, one written by automation."""
    message = _create_message(conversation, agent, Direction.NOTE, text, attachments)
    Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    timeline.note_added(conversation=conversation, message=message, actor=agent)
    push_conversation_on_commit(conversation, "message")
    return message


def _create_message(
    conversation: Conversation,
    agent: Agent | None,
    direction: str,
    text: str,
    attachments: Iterable[UploadedFile],
) -> Message:
    message = Message.objects.create(
        conversation=conversation,
        channel_id=conversation.channel_id,
        direction=direction,
        text=text,
        html=sanitize_html(text_to_html(text)),
        author=agent,
        status=DeliveryStatus.QUEUED if direction == Direction.OUTBOUND else "",
    )
    for upload in attachments:
        Attachment.objects.create(
            message=message,
            file=upload,
            filename=(upload.name or "attachment")[:255],
            content_type=(upload.content_type or "application/octet-stream")[:120],
            size=upload.size or 0,
        )
    return message


@transaction.atomic
def assign_conversation(
    actor: Agent | None,
    conversation: Conversation,
    *,
    assignee: Agent | None,
    team: Team | None,
    note: str = "",
    why: str = "",
) -> Conversation:
    """Assign to an agent and/or team. With a note, or away from someone, it is a handoff.
    `why` names what assigned it when no agent did (a team's policy)."""
    previous, previous_team_id = conversation.assignee, conversation.team_id
    if assignee is not None and team is not None and not assignee.teams.filter(pk=team.pk).exists():
        raise InvalidInput(f"{assignee} is not a member of {team}", code="not_in_team")
    conversation.assignee = assignee
    conversation.team = team
    conversation.save()
    track_sla(conversation)  # the new team's business hours
    if note.strip() or (previous is not None and previous != assignee):
        timeline.handed_off(
            conversation=conversation,
            actor=actor,
            from_agent=previous,
            assignee=assignee,
            team=team,
            note=note.strip(),
            actor_label=why,
        )
    else:
        timeline.assigned(
            conversation=conversation, actor=actor, assignee=assignee, team=team, actor_label=why
        )
    push_conversation_on_commit(
        conversation,
        "assigned",
        moved_from=(previous_team_id, previous.pk if previous else None),
    )
    updated_on_commit(
        actor,
        conversation,
        assignee=previous != assignee,
        team=previous_team_id != conversation.team_id,
    )
    return conversation


@transaction.atomic
def set_status(actor: Agent | None, conversation: Conversation, status: str) -> Conversation:
    if status not in Status.values:
        raise InvalidInput(f"unknown status {status!r}", code="invalid_status")
    old = conversation.status
    if old == status:
        return conversation
    if old == Status.CLOSED:
        raise InvalidInput("a closed conversation cannot be reopened", code="closed")
    conversation.status = status
    now = timezone.now()
    if status == Status.RESOLVED:
        conversation.resolved_at = now
    if status in (Status.PENDING, Status.RESOLVED, Status.CLOSED):
        conversation.waiting_since = None
    conversation.save()
    track_sla(conversation)
    timeline.status_changed(conversation=conversation, old=old, new=status, actor=actor)
    push_conversation_on_commit(conversation, "status")
    updated_on_commit(actor, conversation, status=True)
    return conversation


@transaction.atomic
def set_priority(actor: Agent | None, conversation: Conversation, priority: int) -> Conversation:
    if priority not in Priority.values:
        raise InvalidInput(f"unknown priority {priority!r}", code="invalid_priority")
    old = conversation.priority
    if old != priority:
        conversation.priority = priority
        conversation.save()
        track_sla(conversation, repick=True)
        timeline.priority_changed(conversation=conversation, old=old, new=priority, actor=actor)
        push_conversation_on_commit(conversation, "priority")
        updated_on_commit(actor, conversation, priority=True)
    return conversation


@transaction.atomic
def set_tags(actor: Agent | None, conversation: Conversation, names: Iterable[str]) -> Conversation:
    """Make the conversation's tags exactly `names`, creating tags that do not exist yet."""
    wanted = {name.strip().lower()[:50] for name in names if name.strip()}
    current = set(conversation.tags.values_list("name", flat=True))
    added, removed = sorted(wanted - current), sorted(current - wanted)
    if not added and not removed:
        return conversation
    for name in added:
        tag, _ = Tag.objects.get_or_create(name=name)
        conversation.tags.add(tag)
    conversation.tags.remove(*Tag.objects.filter(name__in=removed))
    conversation.save(update_fields=["updated_at"])
    timeline.tags_changed(conversation=conversation, added=added, removed=removed, actor=actor)
    push_conversation_on_commit(conversation, "tags")
    updated_on_commit(actor, conversation, tags=True)
    return conversation


@transaction.atomic
def record_delivery_status(
    message_id: int, status: str, *, external_id: str | None = None, reason: str = ""
) -> Message:
    """Move a message's delivery status forward only; FAILED is final and goes on the timeline."""
    message = Message.objects.select_for_update().select_related("conversation").get(pk=message_id)
    if external_id and not message.external_id:
        message.external_id = external_id
    if not _moves_forward(message.status, status):
        message.save(update_fields=["external_id"])
        return message
    message.status = status
    if status == DeliveryStatus.SENT:
        message.sent_at = timezone.now()
    if status == DeliveryStatus.FAILED:
        message.failure_reason = reason[:2000]
        timeline.delivery_failed(conversation=message.conversation, message=message, reason=reason)
    message.save()
    push_conversation_on_commit(message.conversation, "delivery")
    return message


def _moves_forward(old: str, new: str) -> bool:
    if old == DeliveryStatus.FAILED:
        return False
    if new == DeliveryStatus.FAILED:
        return True
    return DELIVERY_ORDER.get(new, -1) > DELIVERY_ORDER.get(old, -1)


@transaction.atomic
def create_tag(name: str, color: str = "#6b7280") -> Tag:
    name = name.strip().lower()[:50]
    if not name:
        raise InvalidInput("a tag needs a name", code="invalid_name")
    tag, _ = Tag.objects.get_or_create(name=name, defaults={"color": color})
    return tag
