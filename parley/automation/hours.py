"""Which business hours apply to a conversation, and whether they are open."""

from django.utils import timezone

from parley.conversations.models import Conversation
from parley.core.errors import InvalidInput

from .business_time import Schedule, is_open, schedule_from
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
