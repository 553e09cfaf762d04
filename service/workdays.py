"""Working days for legal deadlines: Monday to Friday, minus Vietnamese public holidays (the `holidays`
package, which also knows the government's substitute days off and make-up Saturdays), corrected by
the days off and make-up working days an administrator declares for the year.

Counting follows the Civil Code (arts. 147-148) as shared/DOMAIN.md summarises it: the period starts
the day after receipt, and a deadline that would fall on a day off moves to the next working day
(which counting working days does by itself).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays

DUE_SOON_WORKING_DAYS = 2


class DueState(StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


DUE_STATE_LABELS = {
    DueState.ON_TIME: "Còn hạn",
    DueState.DUE_SOON: "Sắp đến hạn",
    DueState.OVERDUE: "Quá hạn",
}


@lru_cache(maxsize=64)
def _national(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year, language="vi")  # names in Vietnamese


def holidays_for(year: int) -> dict[date, str]:
    return dict(_national(year))


class WorkCalendar:
    def __init__(self, overrides: Mapping[date, bool] | None = None):
        # True: a declared make-up working day; False: a declared day off.
        self.overrides = dict(overrides or {})

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return _national(day.year).is_working_day(day)

    def holiday_name(self, day: date) -> str | None:
        return _national(day.year).get(day)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (start itself not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        for _ in range(days):
            day = self.next_working_day(day)
        return day

    def index(self, first: date, last: date) -> WorkingDayIndex:
        """Working days counted once from `first` to `last`, for many spans within that range."""
        return WorkingDayIndex(self, first, last)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=n))
        )

    def receipt_day(self, received_local: datetime, cutoff_hour: int | None = None) -> date:
        """The day a dossier counts as received: received on a day off, or after the procedure's
        cut-off hour, it counts as received on the next working day."""
        day = received_local.date()
        late = cutoff_hour is not None and received_local.time() > time(cutoff_hour)
        if not self.is_working_day(day) or late:
            return self.next_working_day(day)
        return day

    def due_date(
        self, received_local: datetime, processing_days: int, cutoff_hour: int | None = None
    ) -> date:
        return self.add_working_days(self.receipt_day(received_local, cutoff_hour), processing_days)

    def due_state(self, due: date, today: date) -> DueState:
        if today > due:
            return DueState.OVERDUE
        if self.working_days_between(today, due) <= DUE_SOON_WORKING_DAYS:
            return DueState.DUE_SOON
        return DueState.ON_TIME


class WorkingDayIndex:
    """A cumulative count of working days over a range of dates: any (start, end] span within the range
    then costs two lookups, so averaging the processing time of thousands of dossiers walks the calendar
    once, not once per dossier."""

    def __init__(self, calendar: WorkCalendar, first: date, last: date):
        self.first, self.last = first, last
        self._running: list[int] = []
        total = 0
        for n in range((last - first).days + 1):
            total += calendar.is_working_day(first + timedelta(days=n))
            self._running.append(total)

    def between(self, start: date, end: date) -> int:
        """Working days in (start, end], as `WorkCalendar.working_days_between`; both within the range."""
        if not (self.first <= start <= self.last and self.first <= end <= self.last):
            raise ValueError(f"{start}..{end} is outside the index {self.first}..{self.last}")
        return self._running[(end - self.first).days] - self._running[(start - self.first).days]
