"""One time helper: store UTC, show Asia/Ho_Chi_Minh as dd/mm/yyyy."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    """Naive UTC, as stored in the database (both SQLite and PostgreSQL columns are naive UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_local(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ)


def local_today() -> date:
    return to_local(utcnow()).date()


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return to_local(value).strftime("%H:%M %d/%m/%Y")
