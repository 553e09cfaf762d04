"""Payments' periodic work: reconciliation with the gateways, pruning unsigned notifications, and the
day's receipt data to the tax authority before midnight.

Declared with the job engine (`service/jobs/engine.py`); every process that runs jobs imports this module
through `service/tasks.py`. huey reads crontabs in UTC: 00:00 UTC is 07:00 in Viet Nam."""

from __future__ import annotations

import logging

from huey import crontab

from service.jobs.engine import app_context, huey

log = logging.getLogger(__name__)


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


@huey.periodic_task(crontab(hour="15", minute="0"))
def send_todays_receipt_data() -> None:
    """22:00: receipt data still waiting out a retry's backoff is sent now, so that it reaches the tax
    authority the day the receipt was issued (Decree 254/2026 Art. 29(3)(b))."""
    from service.jobs import outbox
    from service.payments.transmission import hurry_unsent

    with app_context():
        waiting = hurry_unsent()
        for row_id in waiting:
            outbox.run_one("tax_authority", row_id)
    if waiting:
        log.warning("Receipt data sent late in the day: %s transmissions", len(waiting))
