"""Database behaviour shared by every feature: SQLite pragmas and write transactions.

The default pysqlite driver starts transactions lazily and in DEFERRED mode, so two requests can both
read a row, both change it, and the second commit silently overwrites the first (or fails on upgrade to
a write lock). Every operation that changes data therefore calls `begin_write()` first: on SQLite the
transaction starts with BEGIN IMMEDIATE (the write lock is taken before anything is read), and on
PostgreSQL callers lock the rows they will change with `for_update()`.
"""

from __future__ import annotations

from sqlalchemy import Engine, event
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
    mode = "IMMEDIATE" if connection.get_execution_options().get("write_lock") else "DEFERRED"
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


def for_update(statement: Select) -> Select:
    """Lock the selected rows until commit (PostgreSQL); SQLite already holds the database write lock."""
    return statement.with_for_update()


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"
