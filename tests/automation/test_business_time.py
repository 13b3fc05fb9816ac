"""Business-time arithmetic: due times and open time, across midnight, holidays and DST."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.automation.business_time import (
    add_business_time,
    business_seconds_between,
    is_open,
    schedule_from,
)
from parley.core.errors import InvalidInput

OFFICE = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
ZONES = ["Asia/Seoul", "America/New_York", "Europe/Berlin", "Australia/Sydney", "UTC"]


def at(zone: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def test_office_hours_skip_nights_weekends_and_holidays():
    seoul = schedule_from("Asia/Seoul", OFFICE, ["2026-12-25"])
    thursday_5pm = at("Asia/Seoul", 2026, 12, 24, 17, 0)
    # One open hour left on Thursday, Friday the 25th is a holiday: due Monday 12:00.
    due = add_business_time(seoul, thursday_5pm, 4 * 3600)
    assert due == at("Asia/Seoul", 2026, 12, 28, 12, 0)
    assert business_seconds_between(seoul, thursday_5pm, due) == 4 * 3600
    assert not is_open(seoul, at("Asia/Seoul", 2026, 12, 25, 10, 0))
    assert is_open(seoul, at("Asia/Seoul", 2026, 12, 28, 9, 0))
    assert not is_open(seoul, at("Asia/Seoul", 2026, 12, 28, 18, 0))


def test_a_night_shift_runs_over_midnight():
    nights = schedule_from("Europe/Berlin", {"mon": [["22:00", "02:00"]]})
    assert is_open(nights, at("Europe/Berlin", 2026, 11, 24, 1, 0))  # Tuesday 01:00
    assert not is_open(nights, at("Europe/Berlin", 2026, 11, 24, 2, 0))
    start = at("Europe/Berlin", 2026, 11, 23, 23, 0)
    assert add_business_time(nights, start, 3 * 3600) == at("Europe/Berlin", 2026, 11, 24, 2, 0)
    assert add_business_time(nights, start, 3 * 3600 + 60) == at(
        "Europe/Berlin", 2026, 11, 30, 22, 1
    )


def test_clock_changes_keep_wall_clock_hours():
    # New York springs forward on Sunday 2026-03-08 at 02:00.
    always = schedule_from("America/New_York", {"sun": [["01:00", "04:00"]]})
    opened = at("America/New_York", 2026, 3, 8, 1, 0)
    closed = at("America/New_York", 2026, 3, 8, 4, 0)
    assert business_seconds_between(always, opened, closed) == 2 * 3600  # an hour vanished
    office = schedule_from("America/New_York", OFFICE)
    monday = at("America/New_York", 2026, 3, 9, 9, 0)
    assert add_business_time(office, monday, 9 * 3600) == at("America/New_York", 2026, 3, 9, 18, 0)
    # Berlin falls back on 2026-10-25: a Saturday night shift 22:00-04:00 lasts seven hours.
    night = schedule_from("Europe/Berlin", {"sat": [["22:00", "04:00"]]})
    start = at("Europe/Berlin", 2026, 10, 24, 22, 0)
    assert business_seconds_between(night, start, start + timedelta(hours=12)) == 7 * 3600


def test_overlapping_periods_count_once():
    both = schedule_from("UTC", {"mon": [["22:00", "03:00"]], "tue": [["01:00", "05:00"]]})
    start = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    assert business_seconds_between(both, start, start + timedelta(hours=10)) == 7 * 3600


@pytest.mark.parametrize(
    ("zone", "week", "holidays", "problem"),
    [
        ("Mars/Olympus", OFFICE, [], "time_zone"),
        ("UTC", {"moon": []}, [], "week"),
        ("UTC", {"mon": [["9", "18:00"]]}, [], "week.mon"),
        ("UTC", {"mon": [["09:00", "09:00"]]}, [], "empty"),
        ("UTC", {}, [], "at least once"),
        ("UTC", OFFICE, ["25/12"], "holidays"),
    ],
)
def test_bad_schedules_name_the_problem(zone, week, holidays, problem):
    with pytest.raises(InvalidInput, match=problem):
        schedule_from(zone, week, holidays)


def times() -> st.SearchStrategy[str]:
    return st.builds(
        lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 15, 30, 45])
    )


@st.composite
def schedules(draw):
    week = {}
    for day in draw(
        st.lists(
            st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
            min_size=1,
            max_size=7,
            unique=True,
        )
    ):
        start, end = draw(times()), draw(times())
        if start != end:
            week[day] = [[start, end]]
    if not week:
        week = {"wed": [["10:00", "11:00"]]}
    holidays = draw(st.lists(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=5))
    return schedule_from(draw(st.sampled_from(ZONES)), week, [d.isoformat() for d in holidays])


moments = st.datetimes(datetime(2026, 1, 1), datetime(2027, 6, 30), timezones=st.just(UTC))


@settings(max_examples=150, deadline=None)
@given(schedules(), moments, st.integers(0, 200 * 3600))
def test_a_due_time_is_exactly_that_much_open_time_later(schedule, start, seconds):
    due = add_business_time(schedule, start, seconds)
    assert due >= start
    assert abs(business_seconds_between(schedule, start, due) - seconds) < 1e-6
    if seconds:
        # Nothing earlier would do: one second less of wall time is less open time.
        assert business_seconds_between(schedule, start, due - timedelta(seconds=1)) < seconds


@settings(max_examples=150, deadline=None)
@given(schedules(), moments, st.integers(0, 30 * 86400), st.integers(0, 30 * 86400))
def test_open_time_adds_up_and_never_exceeds_wall_time(schedule, start, first, second):
    middle = start + timedelta(seconds=first)
    end = middle + timedelta(seconds=second)
    whole = business_seconds_between(schedule, start, end)
    parts = business_seconds_between(schedule, start, middle) + business_seconds_between(
        schedule, middle, end
    )
    assert abs(whole - parts) < 1e-6
    assert 0 <= whole <= (end - start).total_seconds()


def test_a_time_with_its_own_zone_is_refused():
    with pytest.raises(InvalidInput, match="not a time"):
        schedule_from("UTC", {"mon": [["09:00Z", "18:00"]]})


def test_a_short_week_still_reaches_far_due_times():
    quarter_hour = schedule_from("UTC", {"wed": [["10:00", "10:15"]]})
    start = datetime(2026, 1, 1, tzinfo=UTC)
    due = add_business_time(quarter_hour, start, 200 * 3600)  # 800 weeks of quarter hours
    assert business_seconds_between(quarter_hour, start, due) == 200 * 3600
