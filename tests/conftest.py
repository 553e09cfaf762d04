"""Tests run against a real database built by the migrations: a temporary SQLite file by default, or a
fresh PostgreSQL database (created and dropped here) when DATABASE_URL points at a server."""

from __future__ import annotations

import contextlib
import contextvars
import gc
import os
import re
import shutil
import uuid
from pathlib import Path

import flask_migrate
import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text, update
from sqlalchemy.engine import make_url

from config import TestConfig
from service import create_app
from service.cache import cache
from service.extensions import db, limiter

# Fixtures shared by several test modules live in tests/support/ (no test module imports another).
pytest_plugins = [
    "tests.support.browser",
    "tests.support.documents",
    "tests.support.payments",
    "tests.support.schools",
]

# The suite shares a busy machine with other work (and spreads over its cores): how fast Hypothesis
# generates examples, or how long one takes, says nothing about the property under test.
settings.register_profile("suite", suppress_health_check=[HealthCheck.too_slow], deadline=None)
settings.load_profile("suite")

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    base = os.environ.get("DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    url = make_url(base)
    name = f"gdnn_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Client(FlaskClient):
    """A browser-like client: `submit()` posts a form with the session's CSRF token, as a page would.

    Each request runs in an empty context, as on a server thread: without it Flask would reuse the
    test's app context, and with it `g` (the logged-in user) and the database session.
    """

    _csrf: str | None = None
    _csrf_secret: str | None = None

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.rollback()  # the test's own session must see what the request committed
        return response

    def csrf_token(self) -> str:
        """A page's token, fetched again when the session's secret changed (a login starts afresh)."""
        if self._csrf is None or self._csrf_secret != self.session_data().get("csrf_token"):
            page = self.get("/account/login").get_data(as_text=True)
            self._csrf = CSRF_INPUT.search(page).group(1)
            self._csrf_secret = self.session_data().get("csrf_token")
        return self._csrf

    def session_data(self) -> dict:
        """What the browser's session cookie holds (signed, not encrypted: anyone can read it)."""
        app = self.application
        cookie = self.get_cookie(app.config["SESSION_COOKIE_NAME"])
        if cookie is None:
            return {}
        return app.session_interface.get_signing_serializer(app).loads(cookie.value)

    def submit(self, url: str, data: dict | list | None = None, **kwargs):
        if isinstance(data, list):
            data = [*data, ("csrf_token", self.csrf_token())]
            from werkzeug.datastructures import MultiDict

            data = MultiDict(data)
        else:
            data = {**(data or {}), "csrf_token": self.csrf_token()}
        return self.post(url, data=data, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    uploads = tmp_path_factory.mktemp("uploads")
    signing = tmp_path_factory.mktemp("dev-signing")  # the development certificate, made once per run
    application = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_FOLDER=str(uploads),
        SIGNING_DEV_DIR=str(signing),
    )
    application.test_client_class = Client
    with application.app_context():
        flask_migrate.upgrade()
    # As wsgi.py does after the start: the collector's full passes skip what lives for the whole run.
    gc.collect()
    gc.freeze()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def app_context(app):
    with app.app_context():
        yield
        db.session.remove()
    _empty_database(app)
    upload_root = Path(app.config["UPLOAD_FOLDER"])
    for child in upload_root.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    limiter.reset()
    with app.app_context():
        cache.clear()  # pages and figures cached from the last test's data


def _empty_database(app) -> None:
    from service.payments.models import PaymentOrder
    from service.procedures.models import Procedure

    with app.app_context():
        db.session.execute(update(Procedure).values(current_version_id=None))
        db.session.execute(update(PaymentOrder).values(paid_attempt_id=None))
        with _audit_log_unlocked():
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()


@contextlib.contextmanager
def _audit_log_unlocked():
    """PostgreSQL refuses to delete audit entries (a trigger): the table's owner lifts it for the
    cleanup between tests only, inside the cleanup's transaction."""
    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        db.session.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"))
    yield
    if postgres:
        db.session.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only"))


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def other_client(app) -> Client:
    return app.test_client()


@pytest.fixture
def accountant(other_client) -> Client:
    """A second browser, signed in as the agency's accountant."""
    from tests.factories import create_official, login

    login(other_client, create_official("accountant"))
    return other_client


@pytest.fixture
def held_jobs():
    """The job engine holds what steps hand it (as if no worker were running); the test runs the
    outbox itself with `outbox.run_due()`. Yields the list of hand-offs (channel, row id, delay)."""
    from service.jobs import engine, outbox

    handed: list[tuple[str, int, int]] = []
    outbox.set_scheduler(lambda name, row_id, delay: handed.append((name, row_id, delay)))
    yield handed
    outbox.set_scheduler(engine._hand_over)
