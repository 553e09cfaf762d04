"""Shared test helpers: faults."""

from __future__ import annotations

import re
from datetime import timedelta

from service.database import write
from service.extensions import db
from service.timeutil import utcnow

VERSION = re.compile(r'name="version" value="(\d+)"')


def page_version(client, dossier_id: int) -> str:
    return VERSION.search(client.get(f"/dossiers/{dossier_id}").get_data(as_text=True)).group(1)


def make_due(row) -> None:
    """Time passes: the row's next attempt is due now (backoff is counted in minutes)."""
    with write():
        db.session.get(type(row), row.id).next_attempt_at = utcnow() - timedelta(seconds=1)
