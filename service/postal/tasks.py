"""Results by post's periodic work: tracking every shipment on its way (the fallback for a lost or
absent status callback). Declared with the job engine; imported through `service/tasks.py`."""

from __future__ import annotations

import logging

from huey import crontab

from service.jobs.engine import app_context, huey

log = logging.getLogger(__name__)


@huey.periodic_task(crontab(minute="*/20"))
def track_shipments() -> None:
    """Every 20 minutes: the carrier's status of each shipment it holds and has not finished."""
    from service.postal.jobs import poll

    with app_context():
        changed = poll()
    log.info("Postal tracking: %s shipments moved on", changed)
