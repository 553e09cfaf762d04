"""Every job the engine runs, in one place a worker (and the app factory) imports.

Each feature declares its own jobs beside its code (`service/<feature>/tasks.py`) with the engine of
`service/jobs/engine.py`, so the engine knows no feature; the outbox channels (emails, SMS, documents)
register themselves when their modules are imported. A process that runs jobs must import this module:
a task or channel it does not know would fail when a job for it arrives (`tests/core/test_outbox.py`).

huey reads crontabs in UTC: 00:00 UTC is 07:00 in Viet Nam (Asia/Ho_Chi_Minh, UTC+7, no DST). Each
task is idempotent within its day (digests, reminders) or by construction (reconciliation), so a run
repeated after a crash does not write twice.
"""

from __future__ import annotations

# The outbox channels register themselves on import.
import service.documents.jobs  # noqa: F401
import service.nationalportal.jobs  # noqa: F401  (also queues every dossier step for the portal)
import service.notifications.email  # noqa: F401
import service.notifications.sms  # noqa: F401
import service.payments.transmission  # noqa: F401  (receipt data to the tax authority, the same day)
import service.postal.jobs  # noqa: F401  (the carrier's order for a result sent by post)
from service.backoffice.tasks import notify_deadlines
from service.dossiers.tasks import clean_abandoned_drafts
from service.payments.tasks import (
    prune_unverified_notifications,
    reconcile_payments,
    send_todays_receipt_data,
)
from service.postal.tasks import track_shipments
from service.reporting.tasks import remind_reports
from service.schools.tasks import import_students, remind_fees, resume_school_work, run_invoices

__all__ = [
    "clean_abandoned_drafts",
    "import_students",
    "notify_deadlines",
    "prune_unverified_notifications",
    "reconcile_payments",
    "remind_fees",
    "remind_reports",
    "resume_school_work",
    "run_invoices",
    "send_todays_receipt_data",
    "track_shipments",
]
