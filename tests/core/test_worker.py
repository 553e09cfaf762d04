"""A real job worker killed with SIGKILL in the middle of its work: after a restart the work is done
exactly once (one document, its number used once; one email delivered).

The worker is `flask jobs worker` in a subprocess (tests/job_worker.py) on the test's database, with
its queue in a SQLite file or in Redis. The test's own process hands new outbox rows to that queue,
as the web process does in production.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller

from service import uploads
from service.database import write
from service.documents.models import DocumentCounter, DocumentJob, IssuedDocument
from service.extensions import db
from service.jobs import engine, outbox
from service.notifications.email import queue_email
from service.notifications.models import OutboundEmail
from service.timeutil import utcnow
from tests.factories import create_citizen, create_dossier
from tests.support.mail import _free_port

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = Path(__file__).resolve().parents[1] / "job_worker.py"
LEASE_SECONDS = 2
# One Redis database per pytest-xdist worker (gw0 -> 15, gw1 -> 14, ... down to 6): two workers flushing and
# polling the same queue would steal each other's jobs.
REDIS_URL = f"redis://127.0.0.1:6379/{15 - int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:]) % 10}"
WAIT_SECONDS = 60


@pytest.fixture
def queue_url(request, tmp_path):
    """The worker's queue: a huey SQLite file (the embedded default) or Redis (production), as the
    test's `queue_url` parameter says (one storage per test keeps the suite quick)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
        return
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()  # Redis must be there: an unreachable server fails the test, never skips it
    yield REDIS_URL
    connection.flushdb()


@pytest.fixture
def queue(queue_url):
    """Steps committed in this process hand their outbox rows to the worker's queue (not run here)."""
    storage = engine.make_huey(queue_url).storage

    def put(task) -> None:
        storage.enqueue(engine.huey.serialize_task(task), task.priority)

    outbox.set_scheduler(lambda name, row_id, _delay: put(engine.run_outbox_item.s(name, row_id)))
    put.url = queue_url
    yield put
    outbox.set_scheduler(engine._hand_over)


class Workers:
    """Worker subprocesses of one test; whatever is still running at the end is killed."""

    def __init__(self, app, queue_url: str, folder: Path):
        self.folder, self.processes = folder, []
        self.env = {
            **os.environ,
            "APP_ENV": "test",
            "JOBS_URL": queue_url,
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
            "JOB_LEASE_SECONDS": str(LEASE_SECONDS),
            "SECRET_KEY": "test-secret-key",
        }

    def start(self, **env) -> subprocess.Popen:
        log = open(self.folder / f"worker-{len(self.processes)}.log", "wb")  # noqa: SIM115  kept by Popen
        process = subprocess.Popen(
            [sys.executable, str(LAUNCHER)], cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=log
        )
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.folder.glob("worker-*.log")))

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture
def workers(app, queue, tmp_path):
    pool = Workers(app, queue.url, tmp_path)
    yield pool
    pool.stop_all()


def wait_for(condition, what: str, workers: Workers) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        db.session.rollback()  # a fresh snapshot: see what the worker committed
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"Timed out waiting for {what}. Worker output:\n{workers.logs()}")


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    assert process.wait(10) == -signal.SIGKILL


def restart_after_the_lease(workers: Workers, queue, row, **env) -> None:
    """A normal worker (started at once: it takes a few seconds), then, once the dead worker's claim
    has run out, the minutely sweep that finds work whose runner died. Its own claims keep the usual
    long lease: this worker is not to be overtaken while it finishes."""
    workers.start(JOB_LEASE_SECONDS="300", **env)
    db.session.refresh(row)
    assert row.status == "running" and row.attempts == 1  # claimed, never finished
    time.sleep(max(0.0, (row.locked_until - utcnow()).total_seconds()) + 0.2)
    queue(engine.sweep.s())


@pytest.mark.parametrize("queue_url", ["sqlite"], indirect=True)
def test_a_worker_killed_while_rendering_produces_the_document_once_after_restart(workers, queue, tmp_path):
    dossier = create_dossier(create_citizen(), submitted=True)
    with write():
        job = DocumentJob(dossier_id=dossier.id, kind="decision")  # a numbered document (QĐ)
        db.session.add(job)
    marker = tmp_path / "rendering"

    first = workers.start(FAULT_RENDER_MARKER=str(marker))
    wait_for(marker.exists, "the worker to start rendering", workers)
    kill(first)
    db.session.rollback()
    reserved = db.session.get(DocumentJob, job.id)
    assert reserved.number == "01/QĐ-SGDĐT" and reserved.status == "running"  # kept for the next runner
    assert db.session.scalar(db.select(IssuedDocument)) is None
    restart_after_the_lease(workers, queue, job)
    wait_for(lambda: db.session.get(DocumentJob, job.id).status == "done", "the document", workers)

    [document] = db.session.scalars(db.select(IssuedDocument)).all()
    assert db.session.get(DocumentJob, job.id).document_id == document.id
    assert document.number == "01/QĐ-SGDĐT" and document.dossier_id == dossier.id
    assert db.session.scalar(db.select(DocumentCounter.last_number)) == 1  # none skipped, none used twice
    assert uploads.path_for(document.stored_name).is_file()
    assert not list(Path(uploads.upload_root()).rglob("*.part"))  # no half-written file left behind


class StallingServer:
    """An SMTP server that takes the first message's DATA and never answers it (the worker is killed
    meanwhile); later messages are accepted and counted."""

    def __init__(self):
        self.delivered: list = []
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  aiosmtpd's hook name
        if not self.stalled.is_set():
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 Thử lại sau"
        self.delivered.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(app):
    server, port = StallingServer(), _free_port()
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {key: app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT")}
    yield server, port
    app.config.update(saved)
    server.release.set()
    controller.stop()


@pytest.mark.parametrize("queue_url", ["redis"], indirect=True)
def test_a_worker_killed_while_sending_delivers_the_email_once_after_restart(app, workers, queue, smtp):
    server, port = smtp
    citizen = create_citizen()  # its confirmation email stays in the development outbox
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with write():
        message = queue_email(citizen.email, "reset_password", user=citizen, link="http://x/y", hours=1)
    mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port)}

    first = workers.start(**mail)
    assert server.stalled.wait(WAIT_SECONDS), workers.logs()
    kill(first)
    assert server.delivered == []
    restart_after_the_lease(workers, queue, message, **mail)
    wait_for(lambda: db.session.get(OutboundEmail, message.id).status == "sent", "the email", workers)

    sent = db.session.get(OutboundEmail, message.id)
    assert [envelope.rcpt_tos for envelope in server.delivered] == [[citizen.email]]
    assert sent.attempts == 2 and isinstance(sent.sent_at, datetime) and sent.locked_until is None
