"""Due-time arithmetic: counted time (business hours, or the calendar) with pauses.

A target of N seconds started at `start` is due when N seconds of counted time have passed
outside the pauses. A pause that begins after the due time changes nothing (the target was
already late); an open pause (still pending) stops the clock, so there is no due time yet.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from parley.automation.business_time import Schedule, add_business_time, business_seconds_between
from parley.core.errors import InvalidInput

logger = logging.getLogger(__name__)

Pause = tuple[datetime, datetime | None]


@dataclass(frozen=True)
class Counting:
    """Business time by a schedule, or calendar time without one."""

    schedule: Schedule | None = None

    def add(self, start: datetime, seconds: float) -> datetime:
        if self.schedule is not None:
            try:
                return add_business_time(self.schedule, start, seconds)
            except InvalidInput:  # never open again (holidays without end): count the calendar
                logger.warning("business hours never open after %s; counting calendar time", start)
        return start + timedelta(seconds=seconds)

    def between(self, start: datetime, end: datetime) -> float:
        if self.schedule is not None:
            return business_seconds_between(self.schedule, start, end)
        return max((end - start).total_seconds(), 0.0)


def due_time(
    counting: Counting, start: datetime, seconds: float, pauses: Sequence[Pause]
) -> datetime | None:
    """When `seconds` of counted time outside `pauses` (in order, not overlapping) have
    passed since `start`; None while an open pause holds the clock before that."""
    left, cursor = seconds, start
    for began, ended in pauses:
        if ended is not None and ended <= cursor:
            continue
        if began > cursor:
            due = counting.add(cursor, left)
            if due <= began:
                return due
            left -= counting.between(cursor, began)
        if ended is None:
            return None
        cursor = max(cursor, ended)
    return counting.add(cursor, left)
