"""Database behaviour shared by every feature: SQLite pragmas and write transactions.

The default pysqlite driver starts transactions lazily and in DEFERRED mode, so two requests can both
read a row, both change it, and the second commit silently overwrites the first (or fails on upgrade to
a write lock). Every operation that changes data therefore calls `begin_write()` first: on SQLite the
transaction starts with BEGIN IMMEDIATE (the write lock is taken before anything is read), and on
PostgreSQL callers lock the rows they will change with `for_update()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import g, has_request_context
from sqlalchemy import Engine, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from service.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 30_000


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    # Let SQLAlchemy emit BEGIN itself (pysqlite's own handling cannot do IMMEDIATE).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_on_begin(connection) -> None:
    options = connection.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return  # no transaction asked for (a migration's PRAGMA foreign_keys, which a transaction ignores)
    mode = "IMMEDIATE" if options.get("write_lock") else "DEFERRED"
    connection.exec_driver_sql(f"BEGIN {mode}")


def begin_write() -> None:
    """Start a transaction that holds the write lock (SQLite) before anything is read.

    Any read-only transaction already open (for example the one that loaded the current user) is
    ended first; pending changes would be committed, so call this before changing anything.
    """
    session = db.session()
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"write_lock": True})
    session.info[_WRITING] = True


_DEPTH = "write_depth"
_WRITING = "writing"


@event.listens_for(Session, "after_commit")
def _remember_committed_step(session: Session) -> None:
    """A request that committed a write must not be answered with an error page saying "try again"
    (the official would do the step twice): service.errors reads this flag. A savepoint's release
    (`insert_once`) fires this event too, while the step may still fail: only the root counts."""
    if session.in_nested_transaction():
        return
    if session.info.pop(_WRITING, False) and has_request_context():
        g.step_committed = True


@event.listens_for(Session, "after_soft_rollback")
def _forget_write(session: Session, _previous) -> None:
    if not session.in_transaction():
        session.info.pop(_WRITING, None)


@contextmanager
def write() -> Iterator[Session]:
    """One write transaction: it takes the write lock first (`begin_write()`), commits when the block
    ends and rolls back if it raises. Nested blocks join the outer transaction, so an operation that
    writes can be called on its own or as part of a larger one.

    Side effects (emails, SMS, documents) are rows added inside the block; they are delivered only
    after the commit (service.jobs), so nothing is announced for a step that did not happen.
    """
    session = db.session()
    depth = session.info.get(_DEPTH, 0)
    if depth == 0:
        begin_write()
    session.info[_DEPTH] = depth + 1
    try:
        yield session
        if depth == 0:
            session.commit()
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info[_DEPTH] = depth


def in_write() -> bool:
    return db.session().info.get(_DEPTH, 0) > 0


def insert_once(record) -> bool:
    """Insert `record` unless a unique constraint says it exists already (a replayed callback, a
    second run of a daily job): True if inserted. Only the insert is undone on a duplicate (savepoint),
    never the surrounding transaction."""
    session = db.session()
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:
        return False
    return True


class WriteOutsideTransaction(RuntimeError):
    """A change was flushed in a transaction that did not take the write lock (tests only)."""


def require_write_lock() -> None:
    """Refuse any flush of changes outside `write()`/`begin_write()` (STRICT_WRITES, on in tests).

    On SQLite such a flush runs in a DEFERRED transaction, which fails with "database is locked" as
    soon as another connection wrote since it began; on both databases it means an operation that
    changes data without the locking that keeps concurrent steps from losing updates."""
    if not event.contains(Session, "before_flush", _check_write_lock):
        event.listen(Session, "before_flush", _check_write_lock)


def _check_write_lock(session: Session, _context, _instances) -> None:
    changed = session.new or session.deleted or any(session.is_modified(record) for record in session.dirty)
    if not changed:
        return
    if not session.connection().get_execution_options().get("write_lock"):
        raise WriteOutsideTransaction("Changes flushed outside write(): " + _describe(session))


def _describe(session: Session) -> str:
    records = [*session.new, *session.dirty, *session.deleted]
    return ", ".join(sorted({type(record).__name__ for record in records}))


def for_update(statement: Select) -> Select:
    """Lock the selected rows until commit (PostgreSQL); SQLite already holds the database write lock."""
    return statement.with_for_update()


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"
