"""The working-day calendar in force: the national holidays plus what administrators declared."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import g, has_app_context

from service import audit
from service.audit.models import AuditEntry
from service.database import write
from service.deadlines.models import CalendarOverride
from service.extensions import db
from service.timeutil import local_today
from service.workdays import DueState, WorkCalendar


def current_calendar() -> WorkCalendar:
    """Loaded once per request (or app context): one small query."""
    if has_app_context() and "work_calendar" in g:
        return g.work_calendar
    overrides = {o.day: o.is_working for o in db.session.scalars(db.select(CalendarOverride))}
    calendar = WorkCalendar(overrides)
    if has_app_context():
        g.work_calendar = calendar
    return calendar


def due_state(due: date | None, today: date | None = None) -> DueState | None:
    if due is None:
        return None
    return current_calendar().due_state(due, today or local_today())


WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


class CalendarError(ValueError):
    """A declaration the calendar cannot take: `field` is the form field the message belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def declaration_problem(day: date, is_working: bool) -> str | None:
    """A day off is declared on a day that would otherwise be worked; a make-up working day on a weekend
    (a holiday is never worked in its place: the Labour Code gives it)."""
    national = WorkCalendar()
    holiday = national.holiday_name(day)
    shown = f"{WEEKDAYS[day.weekday()]} {day:%d/%m/%Y}"
    if not is_working and holiday:
        return f"Ngày {shown} đã là ngày nghỉ ({holiday}); không cần khai báo."
    if not is_working and not national.is_working_day(day):
        return f"Ngày {shown} vốn là ngày nghỉ cuối tuần; ngày nghỉ khai báo phải là ngày làm việc."
    if is_working and holiday:
        return f"Ngày {shown} là ngày lễ ({holiday}); không khai báo làm việc bù vào ngày lễ."
    if is_working and day.weekday() < 5:
        return f"Ngày {shown} vốn là ngày làm việc; ngày làm việc bù phải là thứ Bảy hoặc Chủ nhật."
    return None


def declare_day(
    day: date, is_working: bool, note: str, actor_id: int | None, replace: bool = False
) -> CalendarOverride:
    """Declare a day off or a make-up working day with its basis. A day declared already is changed only
    when asked (`replace`), and the audit log keeps the basis it replaces (`history_for`)."""
    problem = declaration_problem(day, is_working)
    if problem:
        raise CalendarError("day", problem)
    with write():
        override = db.session.get(CalendarOverride, day)
        previous = (
            {"previous_is_working": override.is_working, "previous_note": override.note} if override else {}
        )
        if override is not None and not replace:
            kind = "làm việc bù" if override.is_working else "nghỉ"
            raise CalendarError(
                "replace",
                f"Ngày {day:%d/%m/%Y} đã được khai báo là ngày {kind} (căn cứ: {override.note}). Chọn "
                "“Thay thế khai báo hiện có” để thay; khai báo cũ vẫn được lưu trong lịch sử.",
            )
        override = override or CalendarOverride(day=day)
        override.is_working, override.note, override.created_by_id = is_working, note.strip(), actor_id
        db.session.add(override)
        audit.record(
            "config.calendar_day",
            override,
            details={"is_working": is_working, "note": note.strip(), **previous},
        )
    g.pop("work_calendar", None)
    return override


def remove_day(day: date) -> bool:
    with write():
        override = db.session.get(CalendarOverride, day)
        if override is not None:
            db.session.delete(override)
            audit.record(
                "config.calendar_day_removed",
                object_type="calendar_overrides",
                object_id=day.isoformat(),
                details={"previous_is_working": override.is_working, "previous_note": override.note},
            )
    g.pop("work_calendar", None)
    return override is not None


@dataclass(frozen=True)
class CalendarChange:
    at: datetime
    actor: str
    day: date
    removed: bool
    is_working: bool | None
    note: str | None
    previous_is_working: bool | None
    previous_note: str | None


def history_for(year: int) -> list[CalendarChange]:
    """Every declaration, change and removal of the year's days, newest first (from the audit log)."""
    entries = db.session.scalars(
        db.select(AuditEntry)
        .where(
            AuditEntry.object_type == "calendar_overrides",
            AuditEntry.object_id >= f"{year:04d}-01-01",
            AuditEntry.object_id <= f"{year:04d}-12-31",
        )
        .order_by(AuditEntry.id.desc())
        .limit(200)
    ).all()
    return [
        CalendarChange(
            at=entry.occurred_at,
            actor=entry.actor_label or "hệ thống",
            day=date.fromisoformat(entry.object_id),
            removed=entry.event == "config.calendar_day_removed",
            is_working=entry.details.get("is_working"),
            note=entry.details.get("note"),
            previous_is_working=entry.details.get("previous_is_working"),
            previous_note=entry.details.get("previous_note"),
        )
        for entry in entries
    ]


def overrides_for(year: int) -> list[CalendarOverride]:
    return db.session.scalars(
        db.select(CalendarOverride)
        .where(CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31))
        .order_by(CalendarOverride.day)
    ).all()
