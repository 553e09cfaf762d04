"""The job engine: huey, with its queue in a SQLite file by default and in Redis in production.

`JOBS_URL` chooses the storage: empty, the file `instance/jobs.sqlite3` (one machine, `make run`);
`redis://host:port/db` for several app hosts and separate workers; `immediate` runs every job at once
in the process that asked (tests). Workers are `flask --app wsgi jobs worker` processes.

Tasks carry only a channel name and a row id; the row in the application's database is the record of
the work, so a lost queue entry costs a delay (the sweep finds the row), never the work itself.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.storage import SqliteStorage

from config import INSTANCE_DIR
from service.jobs import outbox

log = logging.getLogger(__name__)


class QueueStorage(SqliteStorage):
    """huey's SQLite queue in WAL mode with `synchronous=NORMAL`: a hand-over commits without waiting
    for the disk (huey offers only FULL, an fsync per task, or OFF, which a power cut can corrupt). A
    power cut may then lose the last hand-overs, never the work: the row in the application's database
    is the record, and the sweep runs it within a minute. Each step with an email or a document hands
    one over in its request, so this is the difference between ~5 ms and ~0.1 ms there."""

    def _create_connection(self):
        connection = super()._create_connection()
        connection.execute("pragma synchronous=NORMAL")
        return connection


class QueueHuey(SqliteHuey):
    storage_class = QueueStorage


def make_huey(url: str) -> Huey:
    if url == "immediate":
        return MemoryHuey("gdnn", immediate=True, results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("gdnn", url=url, results=False)
    path = url.removeprefix("sqlite:///") if url else str(INSTANCE_DIR / "jobs.sqlite3")
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    return QueueHuey("gdnn", filename=path, results=False)


# Built at import from the environment, so that the web process and the workers agree on the queue.
huey = make_huey(os.environ.get("JOBS_URL", ""))
_app: Flask | None = None


def init_app(app: Flask) -> None:
    """Bind the engine to this application (tasks run in its context) and pick the storage."""
    global _app
    _app = app
    url = app.config["JOBS_URL"]
    huey.immediate = url == "immediate"  # immediate: an in-memory queue whose tasks run as enqueued
    if url != "immediate" and url != os.environ.get("JOBS_URL", ""):
        huey.storage = make_huey(url).storage  # the tasks are declared already: swap only the queue
    outbox.set_scheduler(_hand_over)


def _hand_over(name: str, row_id: int, delay: int) -> None:
    if delay:
        run_outbox_item.schedule((name, row_id), delay=delay)
    else:
        run_outbox_item(name, row_id)


@contextmanager
def app_context():
    """A fresh application context (its own database session), with a request context so that emails
    and documents can build absolute links."""
    app = current_app._get_current_object() if has_app_context() else _app
    with app.app_context(), app.test_request_context(base_url=app.config["APP_BASE_URL"]):
        from service.extensions import db

        try:
            yield app
        finally:
            db.session.remove()


@huey.task()
def run_outbox_item(name: str, row_id: int) -> None:
    with app_context():
        outbox.run_one(name, row_id)


@huey.periodic_task(crontab(minute="*"))
def sweep() -> None:
    """Every minute: whatever is due and was not handed over (a lost hand-off, a retry, a dead runner)."""
    with app_context():
        outbox.run_due()
