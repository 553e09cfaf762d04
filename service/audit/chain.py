"""Appending to the audit chain, and checking it (`flask audit verify`).

Entries recorded during a step wait in the session until the step's transaction commits; just before
the commit they are appended under the head lock (`AuditHead` FOR UPDATE on PostgreSQL; SQLite's
BEGIN IMMEDIATE already lets one writer in at a time). The head is locked last, when the step holds
every other lock it needs, so two steps can never wait on each other through it (no deadlock) and it is
held for the few statements of the append only. A step that rolls back leaves no entry behind.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from service.audit.models import GENESIS_HASH, HEAD_ID, AuditEntry, AuditHead

PENDING = "audit_pending"
HASHED_FIELDS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_label",
    "role",
    "address",
    "event",
    "object_type",
    "object_id",
    "details",
    "prev_hash",
)


@dataclass
class Pending:
    """An entry waiting for its step to commit; its object may get its id only at the flush."""

    occurred_at: datetime
    actor_id: int | None
    actor_label: str
    role: str | None
    address: str | None
    event: str
    target: Any = None
    object_type: str | None = None
    object_id: str | None = None
    details: dict = field(default_factory=dict)

    def entry(self, entry_id: int, prev_hash: str) -> AuditEntry:
        object_type, object_id = self.object_type, self.object_id
        if self.target is not None:
            object_type = object_type or self.target.__tablename__
            object_id = object_id or ",".join(str(part) for part in inspect(self.target).identity)
        entry = AuditEntry(
            id=entry_id,
            occurred_at=self.occurred_at,
            actor_id=self.actor_id,
            actor_label=self.actor_label,
            role=self.role,
            address=self.address,
            event=self.event,
            object_type=object_type,
            object_id=object_id,
            details=self.details,
            prev_hash=prev_hash,
        )
        entry.hash = digest(entry)
        return entry


def digest(entry) -> str:
    """SHA-256 over a canonical JSON of the entry's fields and the previous entry's hash."""
    return hashlib.sha256(canonical(entry).encode("utf-8")).hexdigest()


def canonical(entry) -> str:
    values = {name: getattr(entry, name) for name in HASHED_FIELDS}
    values["occurred_at"] = entry.occurred_at.isoformat(timespec="microseconds")
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def hold(session: Session, pending: Pending) -> None:
    session.info.setdefault(PENDING, []).append(pending)


@event.listens_for(Session, "before_commit")
def _append_pending(session: Session) -> None:
    if session.in_nested_transaction() or not session.info.get(PENDING):
        return
    waiting = session.info.pop(PENDING)
    session.flush()  # what the step created gets its id before the entries name it
    if session.get_bind().dialect.name == "postgresql" and len(waiting) == 1:
        if _append_in_one_statement(session, waiting[0]):
            return
    head = _locked_head(session)
    for pending in waiting:
        entry = pending.entry(head.last_id + 1, head.last_hash)
        session.add(entry)
        head.last_id, head.last_hash = entry.id, entry.hash


@event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction) -> None:
    """A transaction that ended without committing (rolled back, closed) takes its entries with it."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)


# The position and the previous hash, unknown until the head is locked, stand in the canonical JSON as
# these markers; a marker inside any other value would be escaped (\"), so the split finds only these.
_ID_MARK, _PREV_MARK = "@@id@@", "@@prev@@"
_APPEND = text(
    """
    WITH old AS (SELECT last_id, last_hash FROM audit_head WHERE id = :head FOR UPDATE),
    new AS (
        SELECT last_id + 1 AS id, last_hash AS prev_hash,
               encode(sha256(convert_to(:before_id || (last_id + 1)::text || :before_prev || last_hash
                                        || :after_prev, 'UTF8')), 'hex') AS hash
        FROM old
    ),
    appended AS (
        INSERT INTO audit_entries (id, occurred_at, actor_id, actor_label, role, address, event,
                                   object_type, object_id, details, prev_hash, hash)
        SELECT new.id, :occurred_at, :actor_id, :actor_label, :role, :address, :event,
               :object_type, :object_id, CAST(:details AS JSON), new.prev_hash, new.hash
        FROM new
    )
    UPDATE audit_head SET last_id = new.id, last_hash = new.hash FROM new WHERE audit_head.id = :head
    RETURNING audit_head.last_id
    """
)


def _append_in_one_statement(session: Session, pending: Pending) -> bool:
    """PostgreSQL, one entry: lock the head, hash the entry onto it (sha256 over the same canonical JSON
    as `digest`), insert it and move the head, in one statement, so that the head, which every audited
    step locks, is held for that statement and the commit. False if the head row does not exist yet."""
    entry = pending.entry(0, GENESIS_HASH)  # the entry's own fields, its position and link to come
    entry.id, entry.prev_hash = _ID_MARK, _PREV_MARK
    before_id, found, rest = canonical(entry).partition(f'"id":"{_ID_MARK}"')
    before_prev, found_prev, after_prev = rest.partition(f'"prev_hash":"{_PREV_MARK}"')
    if not found or not found_prev:  # pragma: no cover - the markers are always there
        raise RuntimeError("the audit entry's canonical form changed")
    appended = session.execute(
        _APPEND,
        {
            "head": HEAD_ID,
            "before_id": before_id + '"id":',
            "before_prev": before_prev + '"prev_hash":"',
            "after_prev": '"' + after_prev,
            "occurred_at": entry.occurred_at,
            "actor_id": entry.actor_id,
            "actor_label": entry.actor_label,
            "role": entry.role,
            "address": entry.address,
            "event": entry.event,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "details": json.dumps(entry.details, ensure_ascii=False),
        },
    ).first()
    if appended is None:
        return False
    head = session.identity_map.get(session.identity_key(AuditHead, HEAD_ID))
    if head is not None:
        session.expire(head)  # moved by the statement
    return True


def _locked_head(session: Session) -> AuditHead:
    statement = (
        select(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    head = session.scalar(statement)
    if head is None:  # an emptied database: carry on from the last entry, if any is left
        last = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
        values = dict(
            id=HEAD_ID, last_id=last.id if last else 0, last_hash=last.hash if last else GENESIS_HASH
        )
        # Another writer may create it at the same moment: the first one wins, the other locks it next.
        # (A savepoint would do too, but its commit would announce the step's outbox rows too early.)
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(dialect.insert(AuditHead).values(**values).on_conflict_do_nothing())
        head = session.scalar(statement)
    return head


@dataclass
class Break:
    """The first entry where the chain does not hold, and why."""

    entry_id: int
    occurred_at: datetime | None
    problem: str


@dataclass
class Verdict:
    count: int  # entries checked and found intact
    last_hash: str
    broken: Break | None = None


def verify(session: Session, batch_size: int = 1000) -> Verdict:
    """Walk the chain from the first entry; stop at the first one that breaks it."""
    table = AuditEntry.__table__
    count, previous, last_id = 0, GENESIS_HASH, 0
    while True:
        rows = session.execute(
            select(table).where(table.c.id > last_id).order_by(table.c.id).limit(batch_size)
        ).all()
        for row in rows:
            problem = _entry_problem(row, last_id, previous)
            if problem is not None:
                return Verdict(count, previous, problem)
            count, previous, last_id = count + 1, row.hash, row.id
        if len(rows) < batch_size:
            break
    return Verdict(count, previous, _head_problem(session, last_id, previous))


def _entry_problem(row, last_id: int, previous: str) -> Break | None:
    if row.id != last_id + 1:
        return Break(
            last_id + 1,
            row.occurred_at,
            f"{_missing(last_id + 1, row.id - 1)}: deleted (the next entry is {row.id})",
        )
    if digest(row) != row.hash:
        return Break(row.id, row.occurred_at, "its content was changed after it was written (hash mismatch)")
    if row.prev_hash != previous:
        return Break(
            row.id,
            row.occurred_at,
            f"it does not follow entry {last_id}: that entry was rewritten and re-hashed, or this link was changed",
        )
    return None


def _head_problem(session: Session, last_id: int, last_hash: str) -> Break | None:
    head = session.execute(
        select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == HEAD_ID)
    ).first()
    if head is None:
        return Break(last_id, None, "the chain's head row is missing") if last_id else None
    if head.last_id > last_id:
        return Break(last_id + 1, None, f"{_missing(last_id + 1, head.last_id)}: the newest were deleted")
    if (head.last_id, head.last_hash) != (last_id, last_hash):
        return Break(
            last_id, None, "the last entry does not match the chain's head (rewritten or added by hand)"
        )
    return None


def _missing(first: int, last: int) -> str:
    return f"entry {first} missing" if first == last else f"entries {first} to {last} missing"
