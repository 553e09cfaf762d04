"""The service under faults a public office meets: many officials at once, the database dropping its
connections, the mail server or SMS provider down. Nothing is lost, nothing is done twice, and no
one sees a server error. (A worker killed mid-job: tests/core/test_worker.py; a full or read-only upload
folder: tests/core/test_storage_faults.py.)"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from service.database import write
from service.documents.models import IssuedDocument
from service.dossiers.models import Dossier, DossierComment
from service.extensions import db
from service.jobs import outbox
from service.notifications.email import queue_email
from service.notifications.models import OutboundEmail, OutboundSms
from service.notifications.sms import queue_sms
from service.timeutil import utcnow
from tests.factories import create_citizen, create_dossier, create_official, login
from tests.support.faults import make_due, page_version
from tests.support.mail import _free_port, _Inbox

OFFICIALS = 12


def test_twelve_officials_receive_twelve_dossiers_at_the_same_moment(app):
    citizens = [create_citizen() for _ in range(OFFICIALS)]
    dossiers = [create_dossier(citizen, submitted=True) for citizen in citizens]
    desks = []
    for dossier in dossiers:
        client = app.test_client()
        login(client, create_official("reception"))
        desks.append((client, dossier.id, page_version(client, dossier.id), client.csrf_token()))
    barrier = threading.Barrier(OFFICIALS)

    def receive(desk):
        client, dossier_id, version, _ = desk
        barrier.wait()
        return client.submit(f"/officials/dossiers/{dossier_id}/act/receive", {"version": version})

    db.session.rollback()  # the test's own snapshot must not hide what the requests commit
    with ThreadPoolExecutor(OFFICIALS) as pool:
        responses = list(pool.map(receive, desks))
    db.session.rollback()

    assert [r.status_code for r in responses] == [302] * OFFICIALS  # no 5xx, no refusal
    for citizen, dossier in zip(citizens, dossiers, strict=True):
        assert db.session.get(Dossier, dossier.id).status == "received"
        told = db.session.scalars(
            db.select(OutboundEmail).where(
                OutboundEmail.recipient == citizen.email,
                OutboundEmail.body_text.contains("đã được tiếp nhận"),
            )
        ).all()
        assert len(told) == 1 and dossier.code in told[0].subject and "Đã tiếp nhận" in told[0].subject
        forms = db.session.scalars(
            db.select(IssuedDocument).where(
                IssuedDocument.dossier_id == dossier.id, IssuedDocument.kind == "form_01"
            )
        ).all()
        assert len(forms) == 1


def test_the_app_carries_on_when_the_database_drops_its_connections(app, client):
    dossier = create_dossier(create_citizen(), submitted=True)
    login(client, create_official("reception"))
    acknowledged = client.submit(
        f"/officials/dossiers/{dossier.id}/act/receive", {"version": page_version(client, dossier.id)}
    )
    assert acknowledged.status_code == 302

    assert cut_connections(app) >= 1

    page = client.get(f"/dossiers/{dossier.id}")  # no restart of the app: the pool finds fresh ones
    assert page.status_code == 200 and "Đã tiếp nhận" in page.get_data(as_text=True)
    comment = client.submit(f"/officials/dossiers/{dossier.id}/comments", {"body": "Sau sự cố máy chủ"})
    assert comment.status_code == 302
    assert db.session.get(Dossier, dossier.id).status == "received"  # the write before the drop is kept
    assert db.session.scalar(db.select(DossierComment.body)) == "Sau sự cố máy chủ"


def cut_connections(app) -> int:
    """Every connection the app holds is cut under it: PostgreSQL's server ends them (as a restart
    does); SQLite's are closed behind the pool's back (a file handle lost). The pool's pre-ping must
    notice and connect again."""
    if db.engine.dialect.name == "postgresql":
        return drop_every_other_connection(app.config["SQLALCHEMY_DATABASE_URI"])
    records = list(db.engine.pool._pool.queue)  # the idle connections of the QueuePool
    for record in records:
        record.dbapi_connection.close()
    return len(records)


def drop_every_other_connection(url: str) -> int:
    """What clients see when PostgreSQL restarts: every open connection to the database is cut."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return len(
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).all()
            )
    finally:
        admin.dispose()


# ---------------------------------------------------------------- the mail server and SMS provider down


@pytest.fixture
def mail_down(app):
    """MAIL_SERVER points at a port where nothing listens (yet); yields the port."""
    saved = {key: app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT", "JOB_MAX_ATTEMPTS")}
    port = _free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    yield port
    app.config.update(saved)


def mail_server_returns(port: int) -> tuple[_Inbox, Controller]:
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return inbox, controller


def reset_email(citizen) -> OutboundEmail:
    with write():
        return queue_email(citizen.email, "reset_password", user=citizen, link="http://x/reset", hours=1)


def test_emails_wait_while_the_mail_server_is_down_and_go_out_once_when_it_returns(app, mail_down):
    citizen = create_citizen()
    message = reset_email(citizen)  # the engine tries at once, after the commit
    db.session.refresh(message)
    assert message.status == "failed" and message.next_attempt_at > utcnow() and message.attempts == 1
    assert "Connection refused" in message.error or "Errno" in message.error

    inbox, controller = mail_server_returns(mail_down)
    try:
        assert outbox.run_due() == 0  # not before its time
        make_due(message)
        assert outbox.run_due() == 1
        assert outbox.run_due() == 0
    finally:
        controller.stop()
    db.session.refresh(message)
    assert message.status == "sent" and message.attempts == 2
    assert [envelope.rcpt_tos for envelope in inbox.messages] == [[citizen.email]]


def test_a_message_that_keeps_failing_is_dead_until_an_administrator_retries_it(app, mail_down, held_jobs):
    app.config["JOB_MAX_ATTEMPTS"] = 3
    message = reset_email(create_citizen())
    for _ in range(3):
        make_due(message)
        outbox.run_due()
    db.session.refresh(message)
    assert message.status == "dead" and message.attempts == 3 and message.next_attempt_at is None

    inbox, controller = mail_server_returns(mail_down)
    try:
        assert outbox.due("email") == [] and outbox.run_due() == 0  # never again by itself
        assert outbox.retry("email", message.id)
        assert outbox.run_due() == 1
    finally:
        controller.stop()
    db.session.refresh(message)
    assert message.status == "sent" and len(inbox.messages) == 1


class Provider(BaseHTTPRequestHandler):
    """A brandname-SMS gateway: JSON with a Bearer key in, a message id out."""

    received: list[tuple[str, dict]] = []

    def do_POST(self):  # noqa: N802  http.server's hook name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((self.headers["Authorization"], body))
        answer = json.dumps({"id": f"sms-{len(self.received)}"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *_args):
        pass


@pytest.fixture
def sms_down(app):
    saved = {key: app.config[key] for key in ("SMS_PROVIDER_URL", "SMS_API_KEY")}
    port = _free_port()
    app.config.update(SMS_PROVIDER_URL=f"http://127.0.0.1:{port}/sms", SMS_API_KEY="khoa-thu")
    yield port
    app.config.update(saved)


def test_sms_wait_while_the_provider_is_down_and_go_out_once_when_it_returns(app, sms_down):
    with write():
        message = queue_sms("0912 345 678", "Hồ sơ của bạn đã được tiếp nhận.")
    db.session.refresh(message)
    assert message.status == "failed" and message.next_attempt_at > utcnow() and message.attempts == 1

    Provider.received = []
    provider = ThreadingHTTPServer(("127.0.0.1", sms_down), Provider)
    threading.Thread(target=provider.serve_forever, daemon=True).start()
    try:
        make_due(message)
        assert outbox.run_due() == 1
        assert outbox.run_due() == 0
    finally:
        provider.shutdown()
        provider.server_close()
    db.session.refresh(message)
    assert message.status == "sent" and message.provider_id == "sms-1"
    assert Provider.received == [
        (
            "Bearer khoa-thu",
            {"to": "0912345678", "from": "SOGDDT-AG", "text": "Ho so cua ban da duoc tiep nhan."},
        )
    ]
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboundSms)) == 1
