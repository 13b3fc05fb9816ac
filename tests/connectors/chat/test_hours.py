"""Opening hours: typed as lines, checked in the channel's time zone."""

from datetime import UTC, datetime

import pytest

from parley.connectors.chat.hours import format_hours, is_open, next_opening, parse_hours
from parley.core.errors import InvalidInput

SEOUL_WEEKDAYS = {"time_zone": "Asia/Seoul", "hours": parse_hours("mon-fri 09:00-18:00")}


def test_lines_become_weekly_hours_and_back():
    hours = parse_hours("mon-wed 09:00-12:00, 13:00-17:00\nsat 10:00-14:00")

    assert hours["tue"] == [["09:00", "12:00"], ["13:00", "17:00"]]
    assert "thu" not in hours
    assert parse_hours(format_hours(hours)) == hours


@pytest.mark.parametrize(
    "line", ["monday 9-5", "mon 17:00-09:00", "fri-mon 09:00-17:00", "mon 25:00-26:00"]
)
def test_unreadable_lines_say_which(line):
    with pytest.raises(InvalidInput) as refused:
        parse_hours(line)
    assert line in refused.value.detail


def test_open_in_the_channels_time_zone():
    # Monday 01:00 UTC is Monday 10:00 in Seoul.
    assert is_open(SEOUL_WEEKDAYS, datetime(2026, 11, 30, 1, 0, tzinfo=UTC))
    assert not is_open(SEOUL_WEEKDAYS, datetime(2026, 11, 30, 10, 0, tzinfo=UTC))


def test_next_opening_skips_the_weekend():
    # Friday 19:00 in Seoul: next opening is Monday 09:00 Seoul = Monday 00:00 UTC.
    friday_evening = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)

    opens = next_opening(SEOUL_WEEKDAYS, friday_evening)

    assert opens.astimezone(UTC) == datetime(2026, 11, 30, 0, 0, tzinfo=UTC)


def test_no_hours_means_always_open():
    assert is_open({}, datetime(2026, 11, 28, 3, 0, tzinfo=UTC))
    assert next_opening({}, datetime(2026, 11, 28, 3, 0, tzinfo=UTC)) is None
