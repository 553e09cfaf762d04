"""The schools' jobs: fee reminders, student imports and invoicing runs, and the sweep that resumes them.

Declared with the job engine (`service/jobs/engine.py`); every process that runs jobs imports this module
through `service/tasks.py`. huey reads crontabs in UTC: 00:00 UTC is 07:00 in Viet Nam."""

from __future__ import annotations

import logging

from huey import crontab

from service.jobs.engine import app_context, huey

log = logging.getLogger(__name__)


@huey.periodic_task(crontab(hour="1", minute="0"))
def remind_fees() -> None:
    """08:00: students and families hear of fees due soon or overdue."""
    from service.schools.reminders import remind

    with app_context():
        result = remind()
    log.info("Fee reminders: %s emails, %s SMS", result.emails, result.sms)


@huey.task()
def import_students(batch_id: int) -> None:
    """A confirmed student import, written in chunks with its progress on the batch (resumed by
    `resume_school_work` if this runner dies)."""
    from service.schools.imports import run

    with app_context():
        run(batch_id)


@huey.task()
def run_invoices(run_id: int) -> None:
    """An accountant's invoicing run for a term, written in chunks with its progress on the run."""
    from service.schools.invoicing import run

    with app_context():
        run(run_id)


@huey.periodic_task(crontab(minute="*"))
def resume_school_work() -> None:
    """Every minute: student imports and invoicing runs confirmed but never handed over (the process
    died between the commit and the hand-off), and those whose runner died (its lease ran out), are
    run to completion from their last chunk."""
    from service.schools import imports, invoicing

    with app_context():
        resumed = imports.resume_due() + invoicing.resume_due()
    if resumed:
        log.info("School work taken up by the sweep: %s", resumed)
