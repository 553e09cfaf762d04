"""Reminders of periodic reports due.

Declared with the job engine (`service/jobs/engine.py`); every process that runs jobs imports this module
through `service/tasks.py`. huey reads crontabs in UTC: 00:00 UTC is 07:00 in Viet Nam."""

from __future__ import annotations

import logging

from huey import crontab

from service.jobs.engine import app_context, huey

log = logging.getLogger(__name__)


@huey.periodic_task(crontab(hour="1", minute="10"))
def remind_reports() -> None:
    """08:10: institutions hear of periodic reports due within three days or overdue."""
    from service.reporting.operations import remind

    with app_context():
        result = remind()
    log.info("Report reminders: %s institutions", result.schools)
