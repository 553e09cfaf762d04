"""Declared days off and make-up working days, and the daily deadline digests already sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.timeutil import utcnow


class CalendarOverride(db.Model):
    """A day the government (or the province) declares off, or a make-up working day."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_working: Mapped[bool]
    note: Mapped[str] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeadlineDigest(db.Model):
    """One deadline digest per official per day: `notify-deadlines` can run many times a day."""

    __tablename__ = "deadline_digests"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_deadline_digests_user_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    day: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
