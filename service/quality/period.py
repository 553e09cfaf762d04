"""A statistics period: a range of local (Asia/Ho_Chi_Minh) dates, both ends included, as the pages and the
API take it, and its bounds in the naive UTC the database stores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL, UTC = ZoneInfo("Asia/Ho_Chi_Minh"), ZoneInfo("UTC")
MAX_DAYS = 366


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included

    @classmethod
    def parse(cls, start: str | None, end: str | None) -> Period:
        try:
            first, last = date.fromisoformat(start or ""), date.fromisoformat(end or "")
        except ValueError:
            raise PeriodError("Ngày không hợp lệ: dùng dạng YYYY-MM-DD cho from và to.") from None
        if not (2000 <= first.year <= 2100 and 2000 <= last.year <= 2100):
            raise PeriodError("Ngày phải trong khoảng năm 2000 đến năm 2100.")
        if last < first:
            raise PeriodError("Ngày kết thúc (to) trước ngày bắt đầu (from).")
        if (last - first).days >= MAX_DAYS:
            raise PeriodError(f"Khoảng thời gian tối đa {MAX_DAYS} ngày.")
        return cls(first, last)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in naive UTC, as the database stores times."""
        start = datetime.combine(self.start, time.min, LOCAL).astimezone(UTC).replace(tzinfo=None)
        end = (
            datetime.combine(self.end + timedelta(days=1), time.min, LOCAL)
            .astimezone(UTC)
            .replace(tzinfo=None)
        )
        return start, end
