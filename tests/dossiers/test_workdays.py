"""Deadline arithmetic in working days: weekends, Tết, substitute days, declared days off and make-up days."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from service.workdays import DueState, WorkCalendar

calendar = WorkCalendar()


def test_weekends_do_not_count():
    # Received Friday 06/11/2026: 1 working day later is Monday 09/11, 5 later is Friday 13/11.
    assert calendar.add_working_days(date(2026, 11, 6), 1) == date(2026, 11, 9)
    assert calendar.add_working_days(date(2026, 11, 6), 5) == date(2026, 11, 13)
    assert calendar.add_working_days(date(2026, 11, 6), 10) == date(2026, 11, 20)


def test_tet_is_skipped():
    # Tết 2026: 16-20/02 are holidays. Received Thursday 12/02: Friday 13/02 is day 1, then Monday 23/02.
    assert calendar.add_working_days(date(2026, 2, 12), 2) == date(2026, 2, 23)
    assert calendar.add_working_days(date(2026, 2, 12), 10) == date(2026, 3, 5)


def test_national_day_and_the_governments_make_up_saturday():
    # 2026: Monday 31/08 is a day off swapped with Saturday 22/08, which becomes a working day.
    assert not calendar.is_working_day(date(2026, 8, 31))
    assert calendar.is_working_day(date(2026, 8, 22))
    assert calendar.add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 3)


def test_declared_days_off_and_make_up_days_change_the_count():
    declared = WorkCalendar({date(2026, 11, 9): False, date(2026, 11, 14): True})
    assert declared.add_working_days(date(2026, 11, 6), 1) == date(2026, 11, 10)
    assert declared.add_working_days(date(2026, 11, 12), 2) == date(2026, 11, 14)


def test_received_on_a_day_off_or_after_the_cut_off_counts_from_the_next_working_day():
    sunday = datetime(2026, 11, 8, 10, 0)
    assert calendar.receipt_day(sunday) == date(2026, 11, 9)
    late_friday = datetime(2026, 11, 6, 16, 30)
    assert calendar.receipt_day(late_friday, cutoff_hour=15) == date(2026, 11, 9)
    assert calendar.receipt_day(late_friday) == date(2026, 11, 6)
    assert calendar.due_date(late_friday, 3, cutoff_hour=15) == date(2026, 11, 12)


def test_working_days_between():
    assert calendar.working_days_between(date(2026, 11, 6), date(2026, 11, 13)) == 5
    assert calendar.working_days_between(date(2026, 11, 13), date(2026, 11, 6)) == -5
    assert calendar.working_days_between(date(2026, 11, 6), date(2026, 11, 6)) == 0


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (date(2026, 11, 16), DueState.ON_TIME),
        (date(2026, 11, 18), DueState.DUE_SOON),
        (date(2026, 11, 20), DueState.DUE_SOON),
        (date(2026, 11, 23), DueState.OVERDUE),
    ],
)
def test_due_state(today, state):
    assert calendar.due_state(date(2026, 11, 20), today) == state


def test_negative_periods_are_refused():
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2026, 1, 5), -1)
