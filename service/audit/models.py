"""The audit log: an append-only, hash-chained record of security and business events.

Each entry's `hash` is SHA-256 over its own fields and the previous entry's hash (`prev_hash`), so
changing, removing or reordering any entry breaks the chain from there on (`flask audit verify`).
`AuditHead` is the chain's single head row: writers lock it to append one after another (the chain
cannot fork), and it remembers the last entry, so that deleting the newest entries is noticed too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db

GENESIS_HASH = "0" * 64  # the "previous hash" of the first entry
HEAD_ID = 1


class AuditEntry(db.Model):
    """One event: who (actor, role, address), when, what (event code), on what (object), details.

    Rows are only ever inserted: no code path updates or deletes them, and on PostgreSQL a trigger
    refuses UPDATE, DELETE and TRUNCATE (migration 0018)."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_object", "object_type", "object_id"),)

    # The position in the chain, given by the writer holding the head lock: 1, 2, 3... with no gap.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(index=True)  # naive UTC
    # No foreign key: the record outlives any change to the account it names.
    actor_id: Mapped[int | None]
    actor_label: Mapped[str] = mapped_column(String(254), index=True)  # email, or the email tried
    role: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(45))
    event: Mapped[str] = mapped_column(String(40), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[Any] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(db.Model):
    """The chain's head: the last entry appended (one row, id 1, locked by every append)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
