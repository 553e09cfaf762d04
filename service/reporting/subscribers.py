"""What the reporting feature tells the schools feature: how many periodic reports a school has yet to
submit, for its landing page (schools imports nothing of reporting). Connected by the app factory."""

from __future__ import annotations

from service.reporting import queries
from service.schools import queries as school_queries


def connect() -> None:
    school_queries.register_reports_due(queries.reports_due)
