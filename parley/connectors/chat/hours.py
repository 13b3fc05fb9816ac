"""The chat channel's weekly opening hours.

Stored in channel.settings as {"time_zone": "Europe/Berlin", "hours": {"mon": [["09:00",
"17:00"]], …}}; a channel without hours is always open. Admins type them as lines such as
"mon-fri 09:00-17:00" or "sat 10:00-13:00, 14:00-16:00".
"""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext as _

from parley.core.errors import InvalidInput

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LINE = re.compile(r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?)\s+(?P<spans>.+)$")
SPAN = re.compile(r"^(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$")


def time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            _("“%(name)s” is not a time zone (try Europe/Berlin or Asia/Seoul).") % {"name": name},
            code="bad_time_zone",
        ) from None


def parse_hours(text: str) -> dict[str, list[list[str]]]:
    hours: dict[str, list[list[str]]] = {}
    for raw in text.strip().lower().splitlines():
        line = raw.strip()
        if not line:
            continue
        match = LINE.match(line)
        if match is None:
            raise _bad_line(raw)
        spans = [_span(part.strip(), raw) for part in match["spans"].split(",")]
        for day in _days(match["days"], raw):
            hours.setdefault(day, []).extend(spans)
    return hours


def _days(spec: str, raw: str) -> list[str]:
    first, _sep, last = spec.partition("-")
    last = last or first
    if first not in DAYS or last not in DAYS or DAYS.index(last) < DAYS.index(first):
        raise _bad_line(raw)
    return list(DAYS[DAYS.index(first) : DAYS.index(last) + 1])


def _span(part: str, raw: str) -> list[str]:
    match = SPAN.match(part)
    if match is None:
        raise _bad_line(raw)
    start, end = (_clock(value, raw) for value in match.groups())
    if end <= start:
        raise _bad_line(raw)
    return [start.strftime("%H:%M"), end.strftime("%H:%M")]


def _clock(value: str, raw: str) -> time:
    try:
        return time.fromisoformat(value.zfill(5))
    except ValueError:
        raise _bad_line(raw) from None


def _bad_line(raw: str) -> InvalidInput:
    return InvalidInput(
        _("Cannot read “%(line)s”: write lines like “mon-fri 09:00-17:00”.") % {"line": raw},
        code="bad_hours",
    )


def format_hours(hours: dict) -> str:
    return "\n".join(
        f"{day} " + ", ".join(f"{start}-{end}" for start, end in hours[day])
        for day in DAYS
        if hours.get(day)
    )


def _openings(settings: dict, now: datetime) -> list[tuple[datetime, datetime]]:
    """Opening spans from yesterday to a week ahead, in the channel's time zone."""
    zone = time_zone(settings.get("time_zone", ""))
    local = now.astimezone(zone)
    spans = []
    for offset in range(-1, 8):
        day = (local + timedelta(days=offset)).date()
        for start, end in settings["hours"].get(DAYS[day.weekday()], []):
            spans.append(
                (
                    datetime.combine(day, time.fromisoformat(start), zone),
                    datetime.combine(day, time.fromisoformat(end), zone),
                )
            )
    return sorted(spans)


def is_open(settings: dict, now: datetime) -> bool:
    if not settings.get("hours"):
        return True
    return any(start <= now < end for start, end in _openings(settings, now))


def next_opening(settings: dict, now: datetime) -> datetime | None:
    """When the team is next in, if it is closed now (None: open, or never)."""
    if is_open(settings, now):
        return None
    return next((start for start, _end in _openings(settings, now) if start > now), None)
