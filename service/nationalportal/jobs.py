"""Every dossier step reaches the national portal, at least once, after it commits.

The step's history row (DossierEvent) is the signal: whatever writes one (the applicant's submit, a desk
official's receipt, the leader's decision, a withdrawal...) gets a NationalPortalJob in the same
flush, hence the same transaction, with no change to the dossier code; so does an issued result (drawn
after its step, its link is published when it exists). The job engine runs it after the
commit and retries it with backoff (service/jobs/outbox.py). A run reads the dossier as it is then,
pushes it (add, or update when the portal holds it), pushes the history the portal has not acknowledged,
and records the acknowledgement: on the job, on the dossier's NationalSync, and the first time on
`Dossier.national_sync_at` (Decision 766's "synchronised" indicator counts acknowledged dossiers only).
"""

from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from service.database import for_update, write
from service.documents.models import IssuedDocument
from service.dossiers.documents import RESULT_DOCUMENT_KINDS
from service.dossiers.models import Dossier, DossierEvent
from service.extensions import db
from service.jobs import outbox
from service.nationalportal import records, settings
from service.nationalportal.client import PortalSync
from service.nationalportal.models import NationalPortalJob, NationalSync
from service.timeutil import utcnow

RESULT_ISSUED = "result_issued"  # not a step: the result of one, published


@event.listens_for(Session, "before_flush")
def _queue_steps(session: Session, _context, _instances) -> None:
    if not has_app_context() or not settings.enabled(current_app.config):
        return  # off: nothing is queued (the indicator says why)
    for row in list(session.new):
        if isinstance(row, DossierEvent) and _pushed(row):
            session.add(NationalPortalJob(dossier_id=row.dossier_id, history=row, event=row.event))
        elif isinstance(row, IssuedDocument) and row.dossier_id and row.kind in RESULT_DOCUMENT_KINDS:
            # A result is drawn after its step commits: the portal gets its link when it exists.
            session.add(NationalPortalJob(dossier_id=row.dossier_id, event=RESULT_ISSUED))


def _pushed(row: DossierEvent) -> bool:
    return row.event not in records.NOT_PUSHED and row.to_status != "draft"


def perform(job_id: int, attempt: int) -> None:
    config = current_app.config
    if not settings.enabled(config):
        raise outbox.Cancelled("Kết nối Cổng Dịch vụ công quốc gia đã tắt.")
    record, entries, known = _prepare(job_id, attempt)
    portal = PortalSync(config)
    answer = portal.update_dossier(record) if known else portal.push_dossier(record)
    progress = portal.push_progress([entry for _, entry in entries])
    last = entries[-1][0] if entries else None
    with write():
        job = outbox.lock_claimed(NationalPortalJob, job_id, attempt)
        now = utcnow()
        _acknowledged(job.dossier_id, answer, record["TrangThaiHoSo"], last, now)
        outbox.finish(job, "done")
        job.acknowledged_at = now
        job.answer = "\n".join([f"{answer.url}: {answer.raw}", *(f"{p.url}: {p.raw}" for p in progress)])[
            :8000
        ]


def _prepare(job_id: int, attempt: int) -> tuple[dict, list[tuple[int, dict]], bool]:
    """The record and the unacknowledged progress, read now; the results' links created first."""
    with write():
        job = outbox.lock_claimed(NationalPortalJob, job_id, attempt)
        dossier = db.session.get(Dossier, job.dossier_id)
        sync = sync_of(dossier)
        record = records.dossier_record(dossier, records.result_links(dossier))
        entries = records.progress_entries(dossier, sync.progress_through)
        known = sync.first_acknowledged_at is not None or sync.filed_on_portal
    db.session.rollback()  # nothing is held while the portal answers
    return record, entries, known


def sync_of(dossier: Dossier) -> NationalSync:
    """The dossier's sync record, created the first time (in the caller's transaction)."""
    sync = db.session.scalar(for_update(db.select(NationalSync).where(NationalSync.dossier_id == dossier.id)))
    if sync is None:
        sync = NationalSync(dossier_id=dossier.id, national_code=dossier.code)
        db.session.add(sync)
        db.session.flush()
    return sync


def _acknowledged(dossier_id: int, answer, status_code: int, last: int | None, now) -> None:
    dossier = db.session.get(Dossier, dossier_id)
    sync = sync_of(dossier)
    sync.first_acknowledged_at = sync.first_acknowledged_at or now
    sync.last_acknowledged_at, sync.last_url, sync.last_answer = now, answer.url, answer.raw
    sync.last_status_code = status_code
    if last is not None and last > sync.progress_through:
        sync.progress_through = last
    if dossier.national_sync_at is None:
        dossier.national_sync_at = now


outbox.register(outbox.Channel("national_portal", NationalPortalJob, perform, "done"))
