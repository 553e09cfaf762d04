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

KIND_LABELS = {"link": "liên kết nộp tiền", "due_soon": "nhắc sắp đến hạn", "overdue": "nhắc quá hạn"}
CHANNEL_LABELS = {"email": "thư điện tử", "sms": "tin nhắn SMS"}


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
        when = "da qua han" if kind == "overdue" else f"han {invoice.due_on:%d/%m/%Y}"
        emailed, texted = _send_once(
            invoice,
            student,
            kind,
            today,
            email="invoice_reminder",
            owed=owed,
            link=link,
            overdue=kind == "overdue",
            sms=f"{student.full_name} ({student.code}): hoc phi con {format_money(owed)}, {when}. Nop tai {link}",
        )
        sent.emails, sent.sms = sent.emails + (emailed is True), sent.sms + (texted is True)
        sent.skipped += (emailed is False) + (texted is False)
    return sent


def _send_once(
    invoice: Invoice, student: Student, kind: str, today: date, email: str, sms: str, **context
) -> tuple:
    """Each of the student's channels at most once a day per bill (a reminder or a link sent by hand):
    the email (template `email`, with `context`) and the SMS text are queued only by the transaction
    that records them (True), not by a later one (False); None where the student has no such contact."""
    results = []
    with write():
        for channel, contact in (("email", student.email), ("sms", student.phone)):
            if not contact:
                results.append(None)
            elif insert_once(Reminder(invoice_id=invoice.id, channel=channel, kind=kind, sent_on=today)):
                if channel == "email":
                    queue_email(contact, email, invoice=invoice, student=student, **context)
                else:
                    queue_sms(contact, sms)
                results.append(True)
            else:
                results.append(False)
    return tuple(results)


@dataclass
class LinksSent:
    emails: int = 0
    sms: int = 0
    already: int = 0  # sent by this channel today already (a reminder or an earlier click)
    unreachable: int = 0  # no email and no phone on the student's record
    settled: int = 0  # paid in full or no longer issued: nothing to send

    def message(self) -> str:
        parts = [f"Đã gửi liên kết nộp học phí: {self.emails} thư điện tử, {self.sms} tin nhắn"]
        if self.already:
            parts.append(f"{self.already} lượt đã gửi trong hôm nay (không gửi lại)")
        if self.unreachable:
            parts.append(f"{self.unreachable} người học chưa có email hoặc số điện thoại")
        if self.settled:
            parts.append(f"{self.settled} thông báo thu đã nộp đủ hoặc không còn hiệu lực")
        return "; ".join(parts) + "."


def send_links(school_id: int, invoice_ids: list[int], today: date | None = None) -> LinksSent:
    """A bill's payment link to its student by email and SMS, now (an accountant's click, for one bill or
    a class's): recorded per bill, channel and day with the message, as reminders are, so a second
    click the same day sends nothing twice. Bills of another school are ignored."""
    today = today or local_today()
    paid = paid_by_invoice()
    rows = db.session.execute(
        db.select(Invoice, Student, db.func.coalesce(paid.c.paid, 0))
        .join(Student, Student.id == Invoice.student_id)
        .outerjoin(paid, paid.c.invoice_id == Invoice.id)
        .where(Invoice.id.in_(invoice_ids), Invoice.school_id == school_id)
        .order_by(Invoice.id)
    ).all()
    sent = LinksSent()
    base = current_app.config["APP_BASE_URL"]
    for invoice, student, already_paid in rows:
        owed = invoice.total - already_paid
        if invoice.status != "issued" or owed <= 0:
            sent.settled += 1
            continue
        if not (student.email or student.phone):
            sent.unreachable += 1
            continue
        link = base + url_for("paylink.invoice", token=invoice.access_token)
        emailed, texted = _send_once(
            invoice,
            student,
            "link",
            today,
            email="invoice_link",
            owed=owed,
            link=link,
            sms=f"{student.full_name} ({student.code}): thong bao thu {invoice.number}, "
            f"con phai nop {format_money(owed)}. Nop tai {link}",
        )
        sent.emails, sent.sms = sent.emails + (emailed is True), sent.sms + (texted is True)
        sent.already += (emailed is False) + (texted is False)
    return sent


def sent_links(invoice_id: int) -> list[Reminder]:
    """What was sent for a bill (links and reminders), the latest first."""
    return list(
        db.session.scalars(
            db.select(Reminder).where(Reminder.invoice_id == invoice_id).order_by(Reminder.id.desc())
        )
    )
