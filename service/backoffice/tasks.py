"""The deadline digest officials receive each morning.

Declared with the job engine (`service/jobs/engine.py`); every process that runs jobs imports this module
through `service/tasks.py`. huey reads crontabs in UTC: 00:00 UTC is 07:00 in Viet Nam."""

from __future__ import annotations

import logging

from huey import crontab

from service.jobs.engine import app_context, huey

log = logging.getLogger(__name__)


@huey.periodic_task(crontab(hour="0", minute="0"))
def notify_deadlines() -> None:
    """07:00: officials hear what is due soon or overdue."""
    from service.backoffice.digest import send_deadline_digests
    from service.timeutil import local_today

    with app_context():
        sent, skipped = send_deadline_digests(local_today())
    log.info("Deadline digests: %s sent, %s already today", sent, skipped)
