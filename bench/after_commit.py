"""Milliseconds from a step's commit to its email being sent and its document being ready: through the
real worker path (the huey SQLite queue and a `flask jobs worker` process) against the immediate
in-process path (the job runs in the request, right after the commit), median of N steps each.

Each step is a reception ("receive"): one email to the applicant (sent to a local SMTP sink) and form
01 (rendered, stored, recorded). Also printed: how long the step itself takes, i.e. how long the
official waits for the page. On the database DATABASE_URL names (SQLite by default; a throwaway file).

    .venv/bin/python bench/after_commit.py [STEPS] [PAUSE_SECONDS]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<an empty database> .venv/bin/python bench/after_commit.py 20
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def configure(workdir: str, smtp_port: int) -> dict[str, str]:
    """The environment both processes read their configuration from (config.py reads it at import)."""
    settings = {
        "APP_ENV": "development",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3",
        "UPLOAD_FOLDER": f"{workdir}/uploads",
        "JOBS_URL": f"sqlite:///{workdir}/jobs.sqlite3",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "RATELIMIT_ENABLED": "false",
    }
    os.environ.update(settings)
    return settings


class Sink:
    async def handle_DATA(self, server, session, envelope):  # noqa: N802  aiosmtpd's hook name
        return "250 OK"


def prepare(count: int):
    """A catalogue, one official and `count` submitted dossiers (ids), made as the tests make them."""
    from flask_migrate import upgrade

    from tests.factories import create_citizen, create_dossier, create_official

    upgrade()
    official = create_official("reception")
    return official, [create_dossier(create_citizen(), submitted=True).id for _ in range(count)]


class CommitClock:
    """When the bench's own session last committed (before the after-commit hand-over runs)."""

    def __init__(self, session):
        from sqlalchemy import event
        from sqlalchemy.orm import Session

        self.session, self.last = session, None
        event.listen(Session, "after_commit", self._record, insert=True)

    def _record(self, session) -> None:
        from service.timeutil import utcnow

        if session is self.session:
            self.last = utcnow()


def one_step(official, dossier_id: int, clock: CommitClock) -> tuple[float, float, float]:
    """(step ms, commit→email sent ms, commit→document ready ms)."""
    from service.documents.models import DocumentJob
    from service.dossiers import processing
    from service.extensions import db
    from service.notifications.models import OutboundEmail

    before = db.session.scalar(db.select(db.func.max(OutboundEmail.id))) or 0
    start = time.perf_counter()
    processing.act(dossier_id, official, "receive", {}, None)
    step = (time.perf_counter() - start) * 1000
    committed = clock.last
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        db.session.rollback()
        job = db.session.scalar(db.select(DocumentJob).where(DocumentJob.dossier_id == dossier_id))
        email = db.session.scalar(
            db.select(OutboundEmail).where(OutboundEmail.id > before, OutboundEmail.status == "sent")
        )
        if job is not None and job.status == "done" and email is not None:
            return step, ms(email.sent_at - committed), ms(job.finished_at - committed)
        time.sleep(0.01)
    raise SystemExit(f"Dossier {dossier_id}: email or document not ready after 120 s")


def ms(delta) -> float:
    return delta.total_seconds() * 1000


def measure(official, dossier_ids, clock, pause: float) -> list[tuple[float, float, float]]:
    results = []
    for dossier_id in dossier_ids:
        time.sleep(pause)
        results.append(one_step(official, dossier_id, clock))
    return results[1:]  # the first warms up fonts, caches and connections


def start_worker(settings: dict[str, str], workdir: str) -> subprocess.Popen:
    log = open(f"{workdir}/worker.log", "wb")  # noqa: SIM115  kept by the process
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"],
        cwd=ROOT,
        env={**os.environ, **settings},
        stdout=log,
        stderr=log,
    )


def medians(results) -> tuple[float, float, float]:
    return tuple(statistics.median(column) for column in zip(*results, strict=True))


def main(steps: int, pause: float) -> None:
    from aiosmtpd.controller import Controller

    workdir = tempfile.mkdtemp(prefix="gdnn-bench-")
    smtp_port = free_port()
    settings = configure(workdir, smtp_port)
    sink = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
    sink.start()

    from service import create_app
    from service.extensions import db
    from service.jobs import engine

    app = create_app()
    with app.app_context(), app.test_request_context():
        official, dossier_ids = prepare(2 * (steps + 1))
        clock = CommitClock(db.session())
        engine.huey.immediate = True  # what the tests use: the job runs in the step's process
        immediate = measure(official, dossier_ids[: steps + 1], clock, pause)
        engine.huey.immediate = False  # back to the SQLite queue named by JOBS_URL
        worker = start_worker(settings, workdir)
        try:
            queued = measure(official, dossier_ids[steps + 1 :], clock, pause)
        finally:
            worker.terminate()
            worker.wait(30)
            sink.stop()
        report(db.engine.url.get_backend_name(), steps, pause, medians(immediate), medians(queued))


def report(database: str, steps: int, pause: float, immediate, queued) -> None:
    print(f"database: {database}, {steps} steps per path, {pause} s between steps, medians in ms")
    print(f"{'':<26}{'immediate':>11}{'worker':>11}{'ratio':>8}")
    labels = ("step (official waits)", "commit -> email sent", "commit -> document ready")
    for label, ours, theirs in zip(labels, immediate, queued, strict=True):
        print(f"{label:<26}{ours:>11.1f}{theirs:>11.1f}{theirs / ours:>8.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10, float(sys.argv[2]) if len(sys.argv) > 2 else 1.0)
