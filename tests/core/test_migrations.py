"""A database that already holds data upgrades to the newest schema: an installation migrates in
place (`make run` again, `flask db upgrade` in production), with its rows and their references."""

from __future__ import annotations

import flask_migrate
import pytest
from sqlalchemy import text

from config import TestConfig
from service import create_app
from service.extensions import db
from tests.support.database import scratch_database

FIRST_WITH_USERS_REFERENCED = "0016"  # users, dossiers and their foreign keys exist well before this


def test_a_populated_database_upgrades_to_the_newest_schema(tmp_path):
    url, drop = scratch_database(tmp_path)
    old = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    try:
        with old.app_context():
            flask_migrate.upgrade(revision=FIRST_WITH_USERS_REFERENCED)
            db.session.execute(
                text(
                    "INSERT INTO users (id, email, password_hash, role, full_name, is_active_account, "
                    "created_at, failed_logins) VALUES (1, 'cu@example.vn', 'x', 'citizen', 'Người Cũ', "
                    "true, CURRENT_TIMESTAMP, 0), (2, 'canbo@example.vn', 'x', 'specialist', 'Cán Bộ Cũ', "
                    "true, CURRENT_TIMESTAMP, 0)"
                )
            )
            db.session.execute(
                text(
                    "INSERT INTO outbound_emails (recipient, subject, body_text, status, attempts, created_at) "
                    "VALUES ('cu@example.vn', 'Cũ', 'Thư cũ', 'outbox', 0, CURRENT_TIMESTAMP)"
                )
            )
            db.session.execute(
                text(
                    "INSERT INTO account_tokens (user_id, purpose, token_hash, expires_at, created_at) "
                    "VALUES (1, 'confirm_email', 'h', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            db.session.commit()
            flask_migrate.upgrade()  # every later revision, over rows that reference users
            # An official's sessions from before the second factor end (0019); a citizen's do not.
            assert db.session.execute(text("SELECT email, session_version FROM users ORDER BY id")).all() == [
                ("cu@example.vn", 0),
                ("canbo@example.vn", 1),
            ]
            assert db.session.execute(text("SELECT count(*) FROM account_tokens")).scalar_one() == 1
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()


def dossier_indexes() -> set[str]:
    if db.engine.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE tbl_name = 'dossiers' AND type = 'index'"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE tablename = 'dossiers'"
    return set(db.session.execute(text(query)).scalars())


def test_the_dossier_status_check_keeps_the_rows_their_references_and_the_worklist_indexes(tmp_path):
    """0027 rebuilds `dossiers` on SQLite (a CHECK cannot be added in place): a dossier others' rows
    refer to survives it, and so do the worklists' partial indexes of 0026, which SQLite cannot reflect."""
    from sqlalchemy.exc import IntegrityError

    from tests.factories import create_citizen, create_dossier

    url, drop = scratch_database(tmp_path)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    try:
        with app.app_context():
            flask_migrate.upgrade(revision="0026")
            worklists = dossier_indexes()
            db.session.remove()
            flask_migrate.upgrade()
            before = dossier_indexes()
            assert worklists <= before
            create_dossier(create_citizen(), submitted=True)  # with its history, which refers to it
            db.session.commit()
            db.session.remove()
            flask_migrate.downgrade(revision="0026")
            flask_migrate.upgrade()
            assert dossier_indexes() == before
            assert db.session.execute(text("SELECT status FROM dossiers")).scalars().all() == ["submitted"]
            assert db.session.execute(text("SELECT count(*) FROM dossier_events")).scalar_one() == 2
            with pytest.raises(IntegrityError):
                db.session.execute(text("UPDATE dossiers SET status = 'submited'"))
            db.session.rollback()
            if db.engine.dialect.name == "sqlite":
                assert db.session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()


def test_a_database_with_payments_upgrades_through_the_status_checks(tmp_path):
    """0025 rebuilds the payment tables on SQLite: an order its attempts refer to survives it (the
    rebuild used to fail there, FOREIGN KEY constraint failed, on any database with a payment)."""
    url, drop = scratch_database(tmp_path)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    try:
        with app.app_context():
            flask_migrate.upgrade(revision="0024")
            db.session.execute(
                text(
                    "INSERT INTO payment_orders (id, reference, purpose, description, amount, status, "
                    "access_token, created_at) VALUES (1, 'LPCU', 'dossier_fee', 'Lệ phí cũ', 500000, "
                    "'unpaid', 'cu', CURRENT_TIMESTAMP)"
                )
            )
            db.session.execute(
                text(
                    "INSERT INTO payment_attempts (order_id, gateway, reference, amount, status, created_at, "
                    "expires_at) VALUES (1, 'vnpay', 'LPCU-1', 500000, 'pending', CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP)"
                )
            )
            db.session.commit()
            db.session.remove()
            flask_migrate.upgrade()
            assert db.session.execute(text("SELECT reference FROM payment_attempts")).scalars().all() == [
                "LPCU-1"
            ]
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
