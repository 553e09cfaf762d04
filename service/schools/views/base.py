"""The school pages' blueprint, who may use it, and the labels every school page shows."""

from __future__ import annotations

from flask import Blueprint

from service.accounts.roles import Role
from service.schools import runs
from service.schools.models import (
    FEE_KINDS,
    IMPORT_STATUS_LABELS,
    LEVELS,
    RUN_STATUS_LABELS,
    SCOPES,
    InvoiceStatus,
)

bp = Blueprint("schools", __name__, url_prefix="/school")
STAFF = (Role.ACCOUNTANT, Role.SCHOOL_ADMIN)
INVOICE_LABELS = InvoiceStatus.labels()


@bp.app_context_processor
def school_labels():
    return {
        "level_labels": LEVELS,
        "fee_kind_labels": FEE_KINDS,
        "scope_labels": SCOPES,
        "invoice_labels": INVOICE_LABELS,
        "import_status_labels": IMPORT_STATUS_LABELS,
        "run_status_labels": RUN_STATUS_LABELS,
    }


def progress_json(status: str, phase: str, processed: int, total: int) -> dict:
    """What a long job's progress bar polls (service/static/app.js): it keeps polling while `status` is
    "importing", its word for "still running", whatever the job."""
    running = phase in runs.UNFINISHED_PHASES
    return {"status": "importing" if running else status, "processed": processed, "total": total}
