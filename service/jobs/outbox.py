"""The outbox: rows written in a step's transaction and carried out after it, at least once.

Every kind of after-commit work (a channel: email, SMS, document) is a table using `OutboxItem`. A
runner claims a row (status `running`, a lease until `locked_until`, one more attempt), does the work
without holding any lock, and records the outcome. A runner killed half-way leaves the row `running`
with an expired lease: the next sweep takes it again. A channel that must not do its work twice (a
document number) finishes inside one transaction that first checks the claim is still its own.
Failures are retried with exponential backoff; after `JOB_MAX_ATTEMPTS` the row is `dead` and waits
for an administrator.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from service.database import for_update, write
from service.extensions import db
from service.timeutil import utcnow
from workflows.labelled import Labelled

log = logging.getLogger(__name__)

RETRYABLE = ("pending", "failed")


class OutboxStatus(Labelled):
    """Every outbox row's status (emails, SMS, document jobs)."""

    OUTBOX = "outbox", "Lưu (không gửi)"
    PENDING = "pending", "Đang chờ"
    RUNNING = "running", "Đang xử lý"
    SENT = "sent", "Đã gửi"
    DONE = "done", "Hoàn tất"
    FAILED = "failed", "Lỗi, sẽ thử lại"
    DEAD = "dead", "Lỗi, cần xử lý"
    CANCELLED = "cancelled", "Đã hủy"


STATUS_LABELS = OutboxStatus.labels()


class OutboxItem:
    """Columns every outbox table has (mixed into the model)."""

    status: Mapped[str]
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]


class Superseded(Exception):
    """Another runner took the row over (this one's lease ran out); its work must not be recorded."""


class Cancelled(Exception):
    """The work can never be done (the document to correct was revoked meanwhile): no retry."""


@dataclass(frozen=True)
class Channel:
    name: str
    model: type
    perform: Callable[[int, int], None]  # (row id, the attempt this runner claimed)
    done_status: str


CHANNELS: dict[str, Channel] = {}


def register(channel: Channel) -> None:
    CHANNELS[channel.name] = channel


def channel_for(model: type) -> Channel | None:
    return next((c for c in CHANNELS.values() if c.model is model), None)


def run_one(name: str, row_id: int) -> bool:
    """Claim the row, do its work, record the outcome. False if there was nothing to do."""
    channel = CHANNELS[name]
    attempt = _claim(channel, row_id)
    if attempt is None:
        return False
    try:
        channel.perform(row_id, attempt)
    except Superseded:
        db.session.rollback()
        return False
    except Cancelled as reason:
        db.session.rollback()
        _cancelled(channel, row_id, attempt, str(reason))
        return False
    except Exception as error:  # noqa: BLE001  recorded on the row and retried; never lost
        db.session.rollback()
        log.warning("%s %s failed (attempt %s): %s", name, row_id, attempt, error, exc_info=True)
        _failed(channel, row_id, attempt, error)
        return False
    return True


def _claim(channel: Channel, row_id: int) -> int | None:
    now = utcnow()
    with write():
        row = db.session.scalar(for_update(db.select(channel.model).where(channel.model.id == row_id)))
        if row is None or not _claimable(row, now):
            return None
        row.status, row.attempts = "running", row.attempts + 1
        row.locked_until = now + timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])
        return row.attempts


def _claimable(row, now: datetime) -> bool:
    if row.status in RETRYABLE:
        return row.next_attempt_at is None or row.next_attempt_at <= now
    return row.status == "running" and row.locked_until is not None and row.locked_until <= now


def lock_claimed(model: type, row_id: int, attempt: int):
    """Inside the finishing transaction: the row, locked, if this runner's claim still holds."""
    row = db.session.scalar(for_update(db.select(model).where(model.id == row_id)))
    if row is None or row.status != "running" or row.attempts != attempt:
        raise Superseded()
    return row


def finish(row, status: str) -> None:
    row.status, row.error, row.locked_until = status, None, None


def _failed(channel: Channel, row_id: int, attempt: int, error: Exception) -> None:
    config = current_app.config
    with write():
        row = db.session.scalar(for_update(db.select(channel.model).where(channel.model.id == row_id)))
        if row is None or row.status != "running" or row.attempts != attempt:
            return
        row.error, row.locked_until = f"{type(error).__name__}: {error}"[:2000], None
        if row.attempts >= config["JOB_MAX_ATTEMPTS"]:
            row.status, row.next_attempt_at = "dead", None
            log.error("%s %s is dead after %s attempts: %s", channel.name, row_id, row.attempts, error)
            return
        delay = backoff(row.attempts)
        row.status, row.next_attempt_at = "failed", utcnow() + timedelta(seconds=delay)
    _schedule(channel.name, row_id, delay)


def _cancelled(channel: Channel, row_id: int, attempt: int, reason: str) -> None:
    with write():
        row = db.session.scalar(for_update(db.select(channel.model).where(channel.model.id == row_id)))
        if row is not None and row.status == "running" and row.attempts == attempt:
            row.status, row.error, row.locked_until = "cancelled", reason[:2000], None


def backoff(attempts: int) -> int:
    """Seconds before the next attempt: JOB_RETRY_SECONDS doubled per attempt, at most an hour."""
    return min(current_app.config["JOB_RETRY_SECONDS"] * 2 ** (attempts - 1), 3600)


def due(name: str, limit: int = 100) -> list[int]:
    """Rows waiting for a runner: new, failed and due again, or claimed by a runner that died."""
    model, now = CHANNELS[name].model, utcnow()
    waiting = model.status.in_(RETRYABLE) & (model.next_attempt_at.is_(None) | (model.next_attempt_at <= now))
    abandoned = (model.status == "running") & (model.locked_until <= now)
    return list(
        db.session.scalars(db.select(model.id).where(waiting | abandoned).order_by(model.id).limit(limit))
    )


def run_due(name: str | None = None, limit: int = 100) -> int:
    """Run what is due now, in this process (the periodic sweep, `flask jobs run`, tests)."""
    done = 0
    for channel in [CHANNELS[name]] if name else list(CHANNELS.values()):
        for row_id in due(channel.name, limit):
            done += run_one(channel.name, row_id)
    return done


def retry(name: str, row_id: int) -> bool:
    """An administrator sends a dead (or failed) row round again, with a fresh count of attempts."""
    channel = CHANNELS[name]
    with write():
        row = db.session.scalar(for_update(db.select(channel.model).where(channel.model.id == row_id)))
        if row is None or row.status not in ("dead", "failed"):
            return False
        row.status, row.attempts, row.next_attempt_at = "pending", 0, None
        db.session.info.setdefault(_KICKS, []).append((name, row_id))  # handed over after the commit
    return True


def stuck(limit: int = 200) -> list[tuple[str, object]]:
    """Dead and failing rows of every channel, dead first, for the administrators' page."""
    rows = []
    for channel in CHANNELS.values():
        model = channel.model
        failing = model.status.in_(("dead", "failed"))
        found = db.session.scalars(db.select(model).where(failing).order_by(model.id.desc()).limit(limit))
        rows.extend((channel.name, row) for row in found)
    return sorted(rows, key=lambda pair: pair[1].status != "dead")


def counts() -> dict[str, dict[str, int]]:
    """Rows per channel and status (one grouped query per channel), for the queue's health."""
    result = {}
    for channel in CHANNELS.values():
        model = channel.model
        grouped = db.session.execute(db.select(model.status, db.func.count()).group_by(model.status))
        result[channel.name] = dict(grouped.all())
    return result


# After commit: hand every new outbox row to the job engine at once (the periodic sweep catches any
# hand-off that is lost, for example when the process dies between the commit and the hand-off).
_KICKS = "outbox_kicks"
_scheduler: Callable[[str, int, int], None] | None = None


def set_scheduler(scheduler: Callable[[str, int, int], None]) -> None:
    global _scheduler
    _scheduler = scheduler


def _schedule(name: str, row_id: int, delay: int) -> None:
    if _scheduler is None:
        return
    try:
        _scheduler(name, row_id, delay)
    except Exception:  # noqa: BLE001  the step has committed; the sweep will find the row
        log.warning(
            "Could not hand %s %s to the job engine; the sweep will run it", name, row_id, exc_info=True
        )


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context) -> None:
    for record in session.new:
        channel = channel_for(type(record))
        if channel is not None and record.status == "pending":
            session.info.setdefault(_KICKS, []).append((channel.name, record.id))


@event.listens_for(Session, "after_commit")
def _kick(session: Session) -> None:
    for name, row_id in session.info.pop(_KICKS, []):
        _schedule(name, row_id, 0)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous) -> None:
    if not session.in_transaction():
        session.info.pop(_KICKS, None)
