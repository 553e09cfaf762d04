"""The daily deadline digest for officials (`flask --app wsgi notify-deadlines`, run by cron).

Idempotent within a day: a DeadlineDigest row per official and day is written before the email, under
a unique constraint, so running the command again (or twice at once) sends nothing more.
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy.orm import selectinload

from service.accounts.models import User
from service.accounts.roles import Role
from service.agencies import queries as agency_queries
from service.backoffice.queries import RUNNING
from service.database import insert_once, write
from service.deadlines.calendar import current_calendar
from service.deadlines.models import DeadlineDigest
from service.dossiers.models import Dossier
from service.extensions import db
from service.notifications.email import queue_email
from service.workdays import DUE_SOON_WORKING_DAYS

RECIPIENT_ROLES = (Role.RECEPTION, Role.SPECIALIST, Role.LEADER)


def send_deadline_digests(today: date) -> tuple[int, int]:
    """Returns (digests sent, officials already notified today)."""
    horizon = current_calendar().add_working_days(today, DUE_SOON_WORKING_DAYS)
    dossiers = db.session.scalars(
        db.select(Dossier)
        .where(Dossier.status.in_(RUNNING), Dossier.due_date.is_not(None), Dossier.due_date <= horizon)
        .options(selectinload(Dossier.procedure_version), selectinload(Dossier.agency))
        .order_by(Dossier.due_date)
    ).all()
    officials = db.session.scalars(
        db.select(User)
        .where(User.role.in_(RECIPIENT_ROLES), User.is_active_account.is_(True))
        .options(selectinload(User.agency))
    ).all()
    sent = skipped = 0
    for official in officials:
        mine = [d for d in dossiers if _concerns(official, d)]
        if not mine:
            continue
        with write():  # today's digest is recorded with its email: once a day, never lost
            if not insert_once(DeadlineDigest(user_id=official.id, day=today)):
                skipped += 1
                continue
            queue_email(
                official.email,
                "deadline_digest",
                official=official,
                overdue=[d for d in mine if d.due_date < today],
                due_soon=[d for d in mine if d.due_date >= today],
                today=today,
                base_url=current_app.config["APP_BASE_URL"],
            )
        sent += 1
    return sent, skipped


def _concerns(official: User, dossier: Dossier) -> bool:
    if dossier.school_id is not None or not agency_queries.holds(official.agency, dossier.agency):
        return False  # another receiving agency's dossier (LAW-2026 §3), or a school's
    if official.role == Role.SPECIALIST:
        return dossier.assignee_id == official.id
    return official.department_id is None or dossier.department_id in (None, official.department_id)
