"""Business time: when a team is open, and how much open time lies between two moments.

A schedule is a week of opening periods in a time zone, plus holidays. A period whose end
is not after its start runs over midnight ("22:00"-"02:00" on Monday is Monday 22:00 to
Tuesday 02:00) and belongs to the day it starts on; a holiday closes the periods that start
on it. Periods are wall-clock times: on the day clocks go forward, 09:00-17:00 is still
09:00 to 17:00 (and a night shift over the change is an hour shorter).

    week = {"mon": [["09:00", "18:00"]], "sat": [["10:00", "14:00"]], …}
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from parley.core.errors import InvalidInput

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# How long a stretch without any opening (holidays on every open day) ends the search.
HORIZON_DAYS = 800


@dataclass(frozen=True)
class Schedule:
    zone: ZoneInfo
    week: tuple[tuple[tuple[time, time], ...], ...]  # 7 days from Monday: (start, end)…
    holidays: frozenset[date]


def schedule_from(time_zone: str, week: object, holidays: object = ()) -> Schedule:
    """Checked: InvalidInput names the day or date that is wrong."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        problem = f"time_zone: unknown time zone {time_zone!r}"
        raise InvalidInput(problem, code="invalid_hours") from None
    if not isinstance(week, dict) or set(week) - set(DAYS):
        raise InvalidInput(f"week: an object with days {', '.join(DAYS)}", code="invalid_hours")
    days = tuple(tuple(_periods(week.get(day) or [], day)) for day in DAYS)
    if not any(days):
        raise InvalidInput("week: open at least once a week", code="invalid_hours")
    return Schedule(zone, days, frozenset(_dates(holidays)))


def _periods(raw: object, day: str) -> Iterator[tuple[time, time]]:
    if not isinstance(raw, list):
        raise InvalidInput(f"week.{day}: a list of [start, end] times", code="invalid_hours")
    for period in raw:
        if not isinstance(period, list | tuple) or len(period) != 2:
            problem = f'week.{day}: periods are ["09:00", "18:00"]'
            raise InvalidInput(problem, code="invalid_hours")
        start, end = (_time(value, day) for value in period)
        if start == end:
            raise InvalidInput(f"week.{day}: a period cannot be empty", code="invalid_hours")
        yield start, end


def _time(value: object, day: str) -> time:
    try:
        parsed = time.fromisoformat(str(value))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is not None:  # "09:00Z": the zone is the schedule's
        raise InvalidInput(f"week.{day}: not a time: {value!r}", code="invalid_hours")
    return parsed


def _dates(raw: object) -> Iterator[date]:
    if not isinstance(raw, list | tuple):
        raise InvalidInput("holidays: a list of dates", code="invalid_hours")
    for value in raw:
        try:
            yield date.fromisoformat(str(value))
        except ValueError:
            raise InvalidInput(f"holidays: not a date: {value!r}", code="invalid_hours") from None


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time as an instant; a time skipped by clocks going forward is taken as
    the instant it would have been (Python's fold=0 rule), then normalised."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def periods_on(schedule: Schedule, day: date) -> list[tuple[datetime, datetime]]:
    """The open periods that start on a local day, as UTC instants."""
    if day in schedule.holidays:
        return []
    found = []
    for start, end in schedule.week[day.weekday()]:
        end_day = day if end > start else day + timedelta(days=1)
        opened, closed = _local(day, start, schedule.zone), _local(end_day, end, schedule.zone)
        if closed > opened:
            found.append((opened, closed))
    return found


def _periods_from(schedule: Schedule, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Open periods that end after `moment`, in order, overlapping ones joined (a night
    shift running into the next morning's opening)."""
    day = moment.astimezone(schedule.zone).date() - timedelta(days=1)
    pending: tuple[datetime, datetime] | None = None
    idle = 0
    while idle < HORIZON_DAYS:
        periods = sorted(periods_on(schedule, day))
        day += timedelta(days=1)
        idle = 0 if periods else idle + 1
        for opened, closed in periods:
            if pending is not None and opened <= pending[1]:
                pending = (pending[0], max(pending[1], closed))
                continue
            if pending is not None and pending[1] > moment:
                yield pending
            pending = (opened, closed)
    if pending is not None and pending[1] > moment:
        yield pending


def is_open(schedule: Schedule, moment: datetime) -> bool:
    for opened, _closed in _periods_from(schedule, moment):
        return opened <= moment
    return False


def next_opening(schedule: Schedule, moment: datetime) -> datetime | None:
    """When the hours next open, if they are closed at `moment`; None while they are open
    (or when they never open again within the horizon)."""
    for opened, _closed in _periods_from(schedule, moment):
        return opened if opened > moment else None
    return None


def business_seconds_between(schedule: Schedule, start: datetime, end: datetime) -> float:
    """Open time between two instants (0 when end is not after start)."""
    total = 0.0
    if end <= start:
        return total
    for opened, closed in _periods_from(schedule, start):
        if opened >= end:
            break
        total += (min(closed, end) - max(opened, start)).total_seconds()
    return total


def add_business_time(schedule: Schedule, start: datetime, seconds: float) -> datetime:
    """The instant when `seconds` of open time have passed since `start` (a due time)."""
    left = seconds
    for opened, closed in _periods_from(schedule, start):
        begin = max(opened, start)
        available = (closed - begin).total_seconds()
        if left <= available:
            return begin + timedelta(seconds=left)
        left -= available
    raise InvalidInput("the schedule has no open time ahead", code="invalid_hours")
