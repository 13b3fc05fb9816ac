"""Template context every workspace page gets."""

from django.http import HttpRequest

from parley.accounts.models import Presence
from parley.connectors.models import Channel


def channel_health(request: HttpRequest) -> dict:
    """Admins see channels the platform refused (an expired token) on every page, until
    they fix them: replies through such a channel fail."""
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_admin", False):
        return {}
    return {"unhealthy_channels": Channel.objects.filter(active=True).exclude(health_problem="")}


def presence_choices(request: HttpRequest) -> dict:
    return {"presence_choices": Presence.choices}
