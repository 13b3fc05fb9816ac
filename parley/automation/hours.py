"""Which business hours apply to a conversation, and whether they are open."""

from datetime import datetime

from django.utils import timezone

from parley.conversations.models import Conversation
from parley.core.errors import InvalidInput

from .business_time import Schedule, is_open, next_opening, schedule_from
from .models import BusinessHours


def schedule_of(hours: BusinessHours) -> Schedule:
    return schedule_from(hours.time_zone, hours.week, hours.holidays)


def hours_for(conversation: Conversation) -> BusinessHours | None:
    """The conversation's team's hours, else the workspace's default, else none."""
    if conversation.team_id is not None:
        own = BusinessHours.objects.filter(team_id=conversation.team_id).first()
        if own is not None:
            return own
    return BusinessHours.objects.filter(team__isnull=True).first()


def open_now(conversation: Conversation) -> bool:
    """Open without hours set, or with hours that no longer make sense (logged by admin)."""
    hours = hours_for(conversation)
    if hours is None:
        return True
    try:
        return is_open(schedule_of(hours), timezone.now())
    except InvalidInput:
        return True


def closed_until(conversation: Conversation, moment: datetime) -> datetime | None:
    """When the conversation's hours next open, if they are closed at `moment`; None while
    open, without hours, or with hours that no longer make sense."""
    hours = hours_for(conversation)
    if hours is None:
        return None
    try:
        return next_opening(schedule_of(hours), moment)
    except InvalidInput:
        return None
