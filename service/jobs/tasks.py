"""The engine's tasks besides the outbox: long work started from a page, and the daily work as
periodic jobs (the CLI commands stay for manual runs).

huey reads crontabs in UTC: 00:00 UTC is 07:00 in Viet Nam (Asia/Ho_Chi_Minh, UTC+7, no DST). Each
task is idempotent within its day (digests, reminders) or by construction (reconciliation), so a run
repeated after a crash does not write twice.
"""

from __future__ import annotations

import logging

from huey import crontab

# The outbox channels register themselves on import: every process that runs jobs must know them all.
import service.documents.jobs  # noqa: F401
import service.notifications.email  # noqa: F401
import service.notifications.sms  # noqa: F401
from service.jobs.engine import app_context, huey

log = logging.getLogger(__name__)


@huey.periodic_task(crontab(hour="0", minute="0"))
def notify_deadlines() -> None:
    """07:00: officials hear what is due soon or overdue."""
    from service.deadlines.digest import send_deadline_digests
    from service.timeutil import local_today

    with app_context():
        sent, skipped = send_deadline_digests(local_today())
    log.info("Deadline digests: %s sent, %s already today", sent, skipped)


@huey.periodic_task(crontab(hour="1", minute="0"))
def remind_fees() -> None:
    """08:00: students and families hear of fees due soon or overdue."""
    from service.schools.reminders import remind

    with app_context():
        result = remind()
    log.info("Fee reminders: %s emails, %s SMS", result.emails, result.sms)


@huey.periodic_task(crontab(hour="1", minute="10"))
def remind_reports() -> None:
    """08:10: institutions hear of periodic reports due within three days or overdue."""
    from service.reporting.operations import remind

    with app_context():
        result = remind()
    log.info("Report reminders: %s institutions", result.schools)


@huey.periodic_task(crontab(hour="2", minute="0"))
def clean_abandoned_drafts() -> None:
    """09:00: owners of drafts untouched for DRAFT_ABANDONED_DAYS are told they will be deleted; drafts
    announced DRAFT_DELETION_NOTICE_DAYS ago and not saved since are deleted with their files."""
    from service.dossiers.cleanup import clean_abandoned_drafts

    with app_context():
        result = clean_abandoned_drafts()
    log.info("Abandoned drafts: %s announced, %s deleted", result.warned, result.deleted)


@huey.periodic_task(crontab(hour="20", minute="15"))
def prune_unverified_notifications() -> None:
    """03:15: gateway notifications that failed their signature, older than UNVERIFIED_NOTIFICATION_DAYS,
    are deleted (signed ones are kept)."""
    from service.payments.unverified import prune

    with app_context():
        gone = prune()
    log.info("Unsigned gateway notifications pruned: %s", gone)


@huey.periodic_task(crontab(minute="*/15"))
def reconcile_payments() -> None:
    """Every quarter hour: ask the gateways about pending attempts (a lost IPN), expire stale ones."""
    from service.payments.reconcile import reconcile

    with app_context():
        report = reconcile()
    log.info("Reconciliation: %s settled, %s expired", len(report.settled), len(report.expired))


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
