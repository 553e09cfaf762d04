"""The working-day calendar in force: the national holidays plus what administrators declared."""

from __future__ import annotations

from datetime import date

from flask import g, has_app_context

from service import audit
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


def declare_day(day: date, is_working: bool, note: str, actor_id: int | None) -> CalendarOverride:
    with write():
        override = db.session.get(CalendarOverride, day) or CalendarOverride(day=day)
        override.is_working, override.note, override.created_by_id = is_working, note.strip(), actor_id
        db.session.add(override)
        audit.record(
            "config.calendar_day", override, details={"is_working": is_working, "note": note.strip()}
        )
    g.pop("work_calendar", None)
    return override


def remove_day(day: date) -> bool:
    with write():
        override = db.session.get(CalendarOverride, day)
        if override is not None:
            db.session.delete(override)
            audit.record(
                "config.calendar_day_removed", object_type="calendar_overrides", object_id=day.isoformat()
            )
    g.pop("work_calendar", None)
    return override is not None


def overrides_for(year: int) -> list[CalendarOverride]:
    return db.session.scalars(
        db.select(CalendarOverride)
        .where(CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31))
        .order_by(CalendarOverride.day)
    ).all()
