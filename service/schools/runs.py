"""Long work of a school (a student import, an invoicing run) that survives its runner dying.

The work is a row (`LongRun` columns) that a runner claims: status RUNNING, one more attempt, a lease
until `locked_until`. It then writes in chunks, each in its own transaction that first checks the
claim is still its own, extends the lease and records the progress with the chunk's rows, so a chunk
is either written and counted or not at all. A runner killed half-way leaves its lease to expire;
the next runner (the periodic sweep, `service.schools.tasks.resume_school_work`) claims the row again
and continues after the last chunk written. An error leaves the row to be resumed after a backoff;
after JOB_MAX_ATTEMPTS the row is failed and the page says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from flask import current_app

from service.database import for_update, write
from service.extensions import db
from service.jobs.outbox import Superseded, backoff
from service.schools.models import LongRun
from service.timeutil import utcnow

log = logging.getLogger(__name__)


class Refused(Exception):
    """Work that can never succeed as it is (its file is now refused by a limit): the row fails at once
    with this message for its user, instead of being retried JOB_MAX_ATTEMPTS times."""


def _locked(model: type[LongRun], row_id: int):
    return db.session.scalar(for_update(db.select(model).where(model.id == row_id)))


def _lease():
    return utcnow() + timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])


def claim(model: type[LongRun], row_id: int) -> int | None:
    """Take the row for this runner: the attempt it claimed, or None when another runner holds it
    (its lease is running) or there is nothing left to do."""
    with write():
        row = _locked(model, row_id)
        if row is None or not (row.status == model.QUEUED or _abandoned(row)):
            return None
        row.status, row.attempts, row.locked_until = model.RUNNING, row.attempts + 1, _lease()
        return row.attempts


def _abandoned(row: LongRun) -> bool:
    return row.status == row.RUNNING and (row.locked_until is None or row.locked_until <= utcnow())


def hold(model: type[LongRun], row_id: int, attempt: int):
    """Inside a chunk's transaction: the row, locked and its lease extended, while the claim is this
    runner's; Superseded once another runner took it over (this one stalled past its lease)."""
    row = _locked(model, row_id)
    if row is None or row.status != model.RUNNING or row.attempts != attempt:
        raise Superseded()
    row.locked_until = _lease()
    return row


def drive(model: type[LongRun], row_id: int, work: Callable[[int], None]):
    """Claim the row, let `work(attempt)` write its chunks (each through `hold()`), mark it done.
    An error is recorded for a later resumption and raised again; the row is returned."""
    attempt = claim(model, row_id)
    if attempt is not None:
        try:
            work(attempt)
            with write():
                row = hold(model, row_id, attempt)
                row.status, row.locked_until, row.finished_at, row.error = "done", None, utcnow(), None
        except Superseded:
            db.session.rollback()
        except Refused as refusal:
            db.session.rollback()
            _refused(model, row_id, attempt, str(refusal))
        except Exception as error:
            db.session.rollback()
            _interrupted(model, row_id, attempt, error)
            raise
    return db.session.get(model, row_id)


def _interrupted(model: type[LongRun], row_id: int, attempt: int, error: Exception) -> None:
    with write():
        row = _locked(model, row_id)
        if row is None or row.status != model.RUNNING or row.attempts != attempt:
            return
        row.error = f"{type(error).__name__}: {error}"[:2000]
        if row.attempts >= current_app.config["JOB_MAX_ATTEMPTS"]:
            row.status, row.locked_until, row.finished_at = "failed", None, utcnow()
            log.error("%s %s failed after %s attempts: %s", model.__name__, row_id, row.attempts, error)
        else:  # still RUNNING: the sweep resumes it once this wait is over
            row.locked_until = utcnow() + timedelta(seconds=backoff(row.attempts))


def _refused(model: type[LongRun], row_id: int, attempt: int, message: str) -> None:
    with write():
        row = _locked(model, row_id)
        if row is None or row.status != model.RUNNING or row.attempts != attempt:
            return
        row.status, row.locked_until, row.finished_at = "failed", None, utcnow()
        row.error = (model.REFUSED + message)[:2000]
    log.warning("%s %s refused: %s", model.__name__, row_id, message)


def due(model: type[LongRun], limit: int = 20) -> list[int]:
    """Rows waiting for a runner (the hand-off after the confirmation was lost) or abandoned by one."""
    waiting = model.status == model.QUEUED
    lease_over = model.locked_until.is_(None) | (model.locked_until <= utcnow())  # None: from before leases
    abandoned = (model.status == model.RUNNING) & lease_over
    return list(
        db.session.scalars(db.select(model.id).where(waiting | abandoned).order_by(model.id).limit(limit))
    )


def resume_due(model: type[LongRun], run: Callable[[int], object]) -> int:
    """Run every due row in this process; one that fails again does not keep the others waiting."""
    done = 0
    for row_id in due(model):
        try:
            run(row_id)
            done += 1
        except Exception:  # noqa: BLE001  recorded on the row by drive(), resumed after its backoff
            log.warning("%s %s interrupted again", model.__name__, row_id, exc_info=True)
    return done


def retry(model: type[LongRun], row_id: int) -> bool:
    """A failed row sent round again with a fresh count of attempts; it resumes where it stopped."""
    with write():
        row = _locked(model, row_id)
        if row is None or row.status != "failed":
            return False
        row.status, row.attempts, row.finished_at, row.error = model.QUEUED, 0, None, None
    return True


# The phases of work not yet over: its page keeps showing progress.
UNFINISHED_PHASES = frozenset({"waiting", "running", "resuming", "interrupted"})


def phase(row: LongRun) -> str:
    """What the page tells the user: waiting, running, resuming (a runner took over after an
    interruption), interrupted (waiting to be resumed), done or failed."""
    if row.status == row.QUEUED:
        return "waiting"
    if row.status != row.RUNNING:
        return row.status
    if _abandoned(row) or row.error:
        return "interrupted"
    return "resuming" if row.attempts > 1 else "running"
