"""The daily clean-up of abandoned drafts.

Declared with the job engine (`service/jobs/engine.py`); every process that runs jobs imports this module
through `service/tasks.py`. huey reads crontabs in UTC: 00:00 UTC is 07:00 in Viet Nam."""

from __future__ import annotations

import logging

from huey import crontab

from service.jobs.engine import app_context, huey

log = logging.getLogger(__name__)


@huey.periodic_task(crontab(hour="2", minute="0"))
def clean_abandoned_drafts() -> None:
    """09:00: owners of drafts untouched for DRAFT_ABANDONED_DAYS are told they will be deleted; drafts
    announced DRAFT_DELETION_NOTICE_DAYS ago and not saved since are deleted with their files."""
    from service.dossiers.cleanup import clean_abandoned_drafts

    with app_context():
        result = clean_abandoned_drafts()
    log.info("Abandoned drafts: %s announced, %s deleted", result.warned, result.deleted)
