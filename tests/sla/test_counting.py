"""Due-time arithmetic with pauses, in business and calendar time."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from parley.automation.business_time import schedule_from
from parley.sla.counting import Counting, due_time

OFFICE = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
SEOUL = Counting(schedule_from("Asia/Seoul", OFFICE, ["2026-12-25"]))
CALENDAR = Counting()
MONDAY = datetime(2026, 11, 23, tzinfo=ZoneInfo("Asia/Seoul")).astimezone(UTC)
HOUR = 3600

countings = st.sampled_from([SEOUL, CALENDAR])
# Whole seconds, so sums of counted time stay exact.
starts = st.integers(0, 14 * 24 * HOUR).map(lambda s: MONDAY + timedelta(seconds=s))
targets = st.integers(1, 30 * HOUR)


@st.composite
def closed_pauses(draw, start: datetime):
    """Stretches after `start`, in order and apart; the last may still be open."""
    pauses, cursor = [], start - timedelta(hours=draw(st.integers(0, 4)))
    for _ in range(draw(st.integers(0, 4))):
        began = cursor + timedelta(seconds=draw(st.integers(0, 2 * 24 * HOUR)))
        ended = began + timedelta(seconds=draw(st.integers(1, 3 * 24 * HOUR)))
        pauses.append((began, ended))
        cursor = ended + timedelta(seconds=1)
    return pauses


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo("Asia/Seoul")).astimezone(UTC)


def test_office_hours_pause_moves_the_due_time_by_the_open_time_it_covered():
    friday_5pm = at(2026, 11, 27, 17, 0)
    # Two open hours: Friday 17-18, Monday 09-10.
    assert due_time(SEOUL, friday_5pm, 2 * HOUR, []) == at(2026, 11, 30, 10, 0)
    # Pending Friday 17:30 to Monday 09:30: half an hour of open time on each side stood still.
    pause = (at(2026, 11, 27, 17, 30), at(2026, 11, 30, 9, 30))
    assert due_time(SEOUL, friday_5pm, 2 * HOUR, [pause]) == at(2026, 11, 30, 11, 0)
    # Still pending: no due time yet.
    assert due_time(SEOUL, friday_5pm, 2 * HOUR, [(pause[0], None)]) is None
    # Pending only after the due time: it was already late, the pause changes nothing.
    later = (at(2026, 11, 30, 12, 0), None)
    assert due_time(SEOUL, friday_5pm, 2 * HOUR, [later]) == at(2026, 11, 30, 10, 0)


@given(countings, starts, targets, st.data())
def test_a_pause_never_makes_a_target_due_earlier(counting, start, seconds, data):
    pauses = data.draw(closed_pauses(start))
    due = due_time(counting, start, seconds, pauses)
    assert due is not None
    assert due >= due_time(counting, start, seconds, [])


@given(countings, starts, targets, st.data())
def test_the_counted_time_outside_pauses_is_the_target(counting, start, seconds, data):
    pauses = data.draw(closed_pauses(start))
    due = due_time(counting, start, seconds, pauses)
    counted = counting.between(start, due) - sum(
        counting.between(max(began, start), min(ended, due))
        for began, ended in pauses
        if ended > start and began < due
    )
    assert counted == seconds


@given(starts, targets, st.integers(0, 6), st.integers(0, 23 * HOUR), st.integers(1, 9 * HOUR))
def test_pausing_while_closed_changes_nothing(start, seconds, week, offset, length):
    # Every Saturday and Sunday is closed: a pause inside one is not counted time anyway.
    saturday = at(2026, 11, 28) + timedelta(weeks=week)
    began = saturday + timedelta(seconds=offset)
    pause = (began, min(began + timedelta(seconds=length), saturday + timedelta(days=2)))
    assert due_time(SEOUL, start, seconds, [pause]) == due_time(SEOUL, start, seconds, [])


@given(countings, starts, targets, st.data())
def test_an_open_pause_holds_the_clock_only_if_it_began_before_the_due_time(
    counting, start, seconds, data
):
    unpaused = due_time(counting, start, seconds, [])
    began = start + timedelta(seconds=data.draw(st.integers(0, 20 * 24 * HOUR)))
    held = due_time(counting, start, seconds, [(began, None)])
    assert held == (unpaused if unpaused <= began else None)


def test_calendar_time_counts_nights_and_weekends():
    friday_5pm = at(2026, 11, 27, 17, 0)
    assert due_time(CALENDAR, friday_5pm, 2 * HOUR, []) == at(2026, 11, 27, 19, 0)
    pause = (at(2026, 11, 27, 18, 0), at(2026, 11, 27, 20, 30))
    assert due_time(CALENDAR, friday_5pm, 2 * HOUR, [pause]) == at(2026, 11, 27, 21, 30)
