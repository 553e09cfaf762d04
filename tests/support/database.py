"""Shared test helpers: database."""

from __future__ import annotations

import os
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def scratch_database(tmp_path) -> tuple[str, callable]:
    base = os.environ.get("DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path / 'old.sqlite3'}", lambda: None
    url, name = make_url(base), f"gdnn_migr_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop
