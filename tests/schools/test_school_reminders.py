"""`flask fees remind`: email and SMS for invoices due soon or overdue, once a day per invoice and
channel; SMS through the development outbox or the configured HTTP provider."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from service.extensions import db
from service.notifications.models import OutboundEmail, OutboundSms
from service.schools import invoicing, reminders
from service.schools.models import Invoice
from service.timeutil import local_today
from tests.factories import (
    create_class,
    create_fee_item,
    create_schedule,
    create_school,
    create_student,
    create_term,
)


@pytest.fixture
def invoices():
    school = create_school()
    school_class = create_class(school)
    term, item = create_term(school), create_fee_item(school)
    create_schedule(school, term, item, 2_000_000, due_on=local_today() + timedelta(days=2))
    due = create_student(school, school_class, email="sap.han@example.vn", phone="0912000001")
    create_student(school, school_class, email=None, phone="0912000002")
    invoicing.invoice_term(school.id, term.id, None)
    return school, due


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_reminders_go_once_a_day(app, invoices):
    result = app.test_cli_runner().invoke(args=["fees", "remind"])
    assert "1 emails, 2 SMS sent" in result.output, result.output
    message = db.session.scalars(db.select(OutboundEmail)).one()
    assert "Sắp đến hạn nộp" in message.subject and "/pay/" in message.body_text
    sms = db.session.scalars(db.select(OutboundSms).order_by(OutboundSms.id)).all()
    assert sms[0].status == "outbox" and "hoc phi con 2.000.000" in sms[0].body and sms[0].body.isascii()
    again = app.test_cli_runner().invoke(args=["fees", "remind"])
    assert "0 emails, 0 SMS sent; 3 already reminded today" in again.output
    assert count(OutboundEmail) == 1 and count(OutboundSms) == 2


def test_paid_and_later_invoices_get_no_reminder_and_overdue_ones_say_so(app, invoices):
    school, due = invoices
    first = db.session.scalar(db.select(Invoice).where(Invoice.student_id == due.id))
    from service.schools import counter
    from tests.factories import create_school_user

    counter.record(first.id, create_school_user(school), first.total, "PT-9", "Nộp tại quầy")
    with app.test_request_context():
        assert reminders.remind(local_today() - timedelta(days=10)).sms == 0  # not yet within the horizon
        sent = reminders.remind(local_today() + timedelta(days=5))
    assert (sent.emails, sent.sms) == (0, 1)  # the paid one is left alone
    sms = db.session.scalars(db.select(OutboundSms)).one()
    assert "da qua han" in sms.body


class Provider(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802  http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Provider.received.append((self.headers["Authorization"], json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "MSG-1"}')

    def log_message(self, *args):
        pass


def test_sms_go_through_the_configured_http_provider(app, invoices, monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), Provider)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setitem(app.config, "SMS_PROVIDER_URL", f"http://127.0.0.1:{server.server_port}/sms")
    monkeypatch.setitem(app.config, "SMS_API_KEY", "sms-key")
    Provider.received.clear()
    try:
        app.test_cli_runner().invoke(args=["fees", "remind"])
    finally:
        server.shutdown()
    assert len(Provider.received) == 2
    auth, body = Provider.received[0]
    assert (
        auth == "Bearer sms-key" and body["to"] == "0912000001" and body["from"] == app.config["SMS_SENDER"]
    )
    assert {m.status for m in db.session.scalars(db.select(OutboundSms))} == {"sent"}
    assert db.session.scalars(db.select(OutboundSms)).first().provider_id == "MSG-1"
