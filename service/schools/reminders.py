"""`flask --app wsgi fees remind`: email and SMS to students (and the parents whose contacts the school
holds) with an invoice due within REMINDER_DAYS_BEFORE days or overdue, at most once a day per invoice
and channel, so cron may run it as often as convenient."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app, url_for

from service.database import insert_once, write
from service.extensions import db
from service.money import format_money
from service.notifications.email import queue_email
from service.notifications.sms import queue_sms
from service.schools.models import Invoice, Reminder, Student
from service.schools.reports import paid_by_invoice
from service.timeutil import local_today


@dataclass
class Sent:
    emails: int = 0
    sms: int = 0
    skipped: int = 0


def remind(today: date | None = None) -> Sent:
    today = today or local_today()
    horizon = today + timedelta(days=current_app.config["REMINDER_DAYS_BEFORE"])
    paid = paid_by_invoice()
    rows = db.session.execute(
        db.select(Invoice, Student, db.func.coalesce(paid.c.paid, 0))
        .join(Student, Student.id == Invoice.student_id)
        .outerjoin(paid, paid.c.invoice_id == Invoice.id)
        .where(Invoice.status == "issued", Invoice.due_on <= horizon)
        .where(db.func.coalesce(paid.c.paid, 0) < Invoice.total)
        .order_by(Invoice.id)
    ).all()
    sent = Sent()
    base = current_app.config["APP_BASE_URL"]
    for invoice, student, already_paid in rows:
        kind = "overdue" if invoice.due_on < today else "due_soon"
        link = base + url_for("paylink.invoice", token=invoice.access_token)
        owed = invoice.total - already_paid
        with write():  # today's reminder is recorded with its message: only the run that records it sends it
            if student.email and insert_once(
                Reminder(invoice_id=invoice.id, channel="email", kind=kind, sent_on=today)
            ):
                queue_email(student.email, "invoice_reminder", invoice=invoice, student=student, owed=owed, link=link,
                            overdue=kind == "overdue")  # fmt: skip
                sent.emails += 1
            elif student.email:
                sent.skipped += 1
            if student.phone and insert_once(
                Reminder(invoice_id=invoice.id, channel="sms", kind=kind, sent_on=today)
            ):
                when = "da qua han" if kind == "overdue" else f"han {invoice.due_on:%d/%m/%Y}"
                queue_sms(student.phone, f"{student.full_name} ({student.code}): hoc phi con {format_money(owed)}, "
                                         f"{when}. Nop tai {link}")  # fmt: skip
                sent.sms += 1
            elif student.phone:
                sent.skipped += 1
    return sent
