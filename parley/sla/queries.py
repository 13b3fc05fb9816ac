"""Inbox filters and sorting by SLA due time (used by conversations.queries)."""

from datetime import datetime

from django.db.models import F, OrderBy, Q

from .display import soon_window

# ?sla= values: due within the window, or past due and still unmet.
SLA_VIEWS = ("soon", "breached")


def due_filter(view: str, now: datetime) -> Q:
    if view == "breached":
        return Q(sla__next_due_at__lte=now)
    return Q(sla__next_due_at__gt=now, sla__next_due_at__lte=now + soon_window())


def due_soonest() -> OrderBy:
    """Conversations without a running clock come last."""
    return F("sla__next_due_at").asc(nulls_last=True)
