"""Searching the audit log: newest first, paged by id (keyset: no OFFSET, so page 1000 costs what page
1 costs and a page never repeats or skips entries that arrive while someone reads)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, select

from service.audit.models import AuditEntry
from service.extensions import db
from service.timeutil import LOCAL_TZ

PAGE_SIZE = 50


@dataclass
class AuditFilters:
    actor: str = ""  # part of the email
    event: str = ""  # an event code, or a group ("login" for every login event)
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None  # Vietnam dates, both included
    date_to: date | None = None
    before: int | None = None  # the page starts below this id


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    next_before: int | None  # None on the last page


def search(filters: AuditFilters, page_size: int | None = None) -> AuditPage:
    page_size = page_size or PAGE_SIZE
    statement = _filtered(select(AuditEntry), filters).order_by(AuditEntry.id.desc()).limit(page_size + 1)
    entries = db.session.scalars(statement).all()
    more = len(entries) > page_size
    entries = entries[:page_size]
    return AuditPage(entries, entries[-1].id if more else None)


def _filtered(statement: Select, filters: AuditFilters) -> Select:
    if filters.actor:
        statement = statement.where(AuditEntry.actor_label.contains(filters.actor.lower(), autoescape=True))
    if filters.event:
        if "." in filters.event:
            statement = statement.where(AuditEntry.event == filters.event)
        else:
            statement = statement.where(AuditEntry.event.startswith(filters.event + ".", autoescape=True))
    if filters.object_type:
        statement = statement.where(AuditEntry.object_type == filters.object_type)
    if filters.object_id:
        statement = statement.where(AuditEntry.object_id == filters.object_id)
    if filters.date_from:
        statement = statement.where(AuditEntry.occurred_at >= _utc_start(filters.date_from))
    if filters.date_to:
        statement = statement.where(AuditEntry.occurred_at < _utc_start(filters.date_to + timedelta(days=1)))
    if filters.before:
        statement = statement.where(AuditEntry.id < filters.before)
    return statement


def _utc_start(day: date) -> datetime:
    """The moment a Vietnam day begins, as stored (naive UTC)."""
    return datetime.combine(day, time.min, LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)
