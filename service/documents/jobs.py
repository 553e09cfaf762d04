"""Documents are produced after the transition that needs them has committed, never inside it.

The feature that needs a document queues a DocumentJob in its own transaction (`queue`: so a job exists
if and only if the step happened); the job engine (service.jobs) runs it after the commit. What the
document says is read when it is drawn, by the reader its feature registered for the kind
(`register_source`: the dossiers feature for the official forms and results, payments for the
receipt), as plain data: this module imports no feature. A job reserves its number on
its own row, draws the PDF with no transaction open, then records the document and marks itself done
in one transaction that first checks its claim: a runner killed half-way leaves the reservation and
no document, and the job run again issues that same number, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from service import uploads
from service.database import for_update, write
from service.documents import events, issuing
from service.documents.models import DocumentJob, IssuedDocument
from service.extensions import db
from service.jobs import outbox
from service.timeutil import utcnow

log = logging.getLogger(__name__)

# Re-issued as a new version when produced again (the control slip grows with every hand-off; the
# receipt and appointment gets a new date when the clock restarts after a supplement).
REPLACEABLE = {"form_06", "form_01"}
UNFINISHED = ("pending", "running", "failed")


@dataclass(frozen=True)
class Source:
    """What a document says, as plain data, and whose it is: the holder's name (masked on the public
    page) and the dossier it belongs to, if any."""

    kind: str
    data: dict[str, Any]
    holder: str
    dossier_id: int | None
    organisation: bool = False  # an organisation's name is shown in full on the verification page


_sources: dict[str, Callable[[DocumentJob], Source]] = {}
_numberings: dict[str, Callable[[DocumentJob], tuple[str, str] | None]] = {}


def register_source(
    kinds: Iterable[str],
    read: Callable[[DocumentJob], Source],
    numbering: Callable[[DocumentJob], tuple[str, str] | None] | None = None,
) -> None:
    """The feature that feeds documents of these kinds: `read(job)` returns the data as it is now;
    `numbering(job)`, if given, the (register, symbol) of an issuer other than the Sở (a commune)."""
    for kind in kinds:
        _sources[kind] = read
        if numbering is not None:
            _numberings[kind] = numbering


def queue(
    kind: str, actor_id: int | None, *, dossier_id: int | None = None, payment_order_id: int | None = None
) -> DocumentJob:
    """A document to draw after the caller's transaction commits (called inside it)."""
    job = DocumentJob(
        kind=kind, requested_by_id=actor_id, dossier_id=dossier_id, payment_order_id=payment_order_id
    )
    db.session.add(job)
    return job


def run_pending(limit: int = 100) -> int:
    """Produce, in this process, every document that is due (CLI and tests)."""
    return outbox.run_due("document", limit)


def perform(job_id: int, attempt: int) -> None:
    """Reserve the number, draw the PDF with no transaction open, then record the document and mark
    the job done in one transaction that first checks the claim is still this runner's. The number
    stays reserved on the job, so a runner killed while drawing leaves no gap: the next one reuses it.
    """
    reservation = _reserve(job_id, attempt)
    source = _source(job_id)
    db.session.rollback()  # nothing is held while the PDF is drawn and signed
    drawn = issuing.draw(source.kind, source.data, reservation)
    try:
        with write():
            job = outbox.lock_claimed(DocumentJob, job_id, attempt)
            document = issuing.record(
                job.kind,
                reservation,
                drawn,
                source.holder,
                source.dossier_id,
                job.requested_by_id,
                replaces=_replaced(job, source),
                payment_order_id=job.payment_order_id,
                masked=not source.organisation,
            )
            events.document_issued.send(document)  # e.g. the payer hears of a receipt once, when it exists
            outbox.finish(job, "done")
            job.document_id, job.finished_at = document.id, utcnow()
    except issuing.NotReplaceable as error:
        uploads.remove(drawn.stored_name)
        raise outbox.Cancelled(str(error)) from error
    except BaseException:
        uploads.remove(drawn.stored_name)
        raise


def _reserve(job_id: int, attempt: int) -> issuing.Reservation:
    """The job's number, code and date: allocated by its first run, kept for every later one."""
    with write():
        job = outbox.lock_claimed(DocumentJob, job_id, attempt)
        if job.replaces_id:
            try:
                issuing.check_replaceable(job.replaces_id)  # before a number is spent on it
            except issuing.NotReplaceable as error:
                raise outbox.Cancelled(str(error)) from error
        if job.verification_code is None:
            numbering = _numberings.get(job.kind)
            reserved = issuing.reserve(job.kind, numbering(job) if numbering else None)
            job.number, job.verification_code, job.issued_on = reserved.number, reserved.code, reserved.day
        return issuing.Reservation(job.number, job.verification_code, job.issued_on)


def _source(job_id: int) -> Source:
    """What the document says, read (by its feature's registered reader) as it is now."""
    job = db.session.get(DocumentJob, job_id)
    if job.kind not in _sources:
        raise LookupError(f"no feature feeds documents of kind {job.kind!r}")
    return _sources[job.kind](job)


def _replaced(job: DocumentJob, source: Source) -> IssuedDocument | None:
    """A correction replaces the document it names; a control slip, the dossier's slip in force now."""
    if job.replaces_id:
        return db.session.get(IssuedDocument, job.replaces_id)
    if job.kind not in REPLACEABLE:
        return None
    return db.session.scalar(
        for_update(
            db.select(IssuedDocument).where(
                IssuedDocument.dossier_id == source.dossier_id,
                IssuedDocument.kind == job.kind,
                IssuedDocument.status == "valid",
            )
        )
    )


def pending_jobs(dossier_id: int) -> int:
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(DocumentJob)
        .where(DocumentJob.dossier_id == dossier_id, DocumentJob.status.in_(UNFINISHED))
    )


def on_file(dossier_id: int, kinds: Iterable[str]) -> bool:
    """A document of one of these kinds is in force for the dossier, or is being drawn."""
    kinds = tuple(kinds)
    issued = db.select(IssuedDocument.id).where(
        IssuedDocument.dossier_id == dossier_id,
        IssuedDocument.kind.in_(kinds),
        IssuedDocument.status == "valid",
    )
    drawing = db.select(DocumentJob.id).where(
        DocumentJob.dossier_id == dossier_id,
        DocumentJob.kind.in_(kinds),
        DocumentJob.status.in_(UNFINISHED),
    )
    return bool(
        db.session.scalar(db.select(issued.exists())) or db.session.scalar(db.select(drawing.exists()))
    )


def request_correction(document: IssuedDocument, actor_id: int, reason: str) -> DocumentJob:
    """Issue the document again from its data as it is now; the new one replaces this one."""
    with write():
        current = db.session.scalar(
            for_update(db.select(IssuedDocument).where(IssuedDocument.id == document.id))
        )
        if current.status != "valid":
            raise ValueError("Chỉ cấp lại (đính chính) văn bản đang có hiệu lực.")
        if _pending_for(current):
            raise ValueError("Văn bản này đang được cấp lại; vui lòng chờ trong giây lát.")
        job = DocumentJob(
            dossier_id=current.dossier_id,
            payment_order_id=current.payment_order_id,
            kind=current.kind,
            requested_by_id=actor_id,
            replaces_id=current.id,
        )
        db.session.add(job)
        events.correction_requested.send(current, actor_id=actor_id, reason=reason)
    return job


def revoke(document: IssuedDocument, actor_id: int, reason: str) -> None:
    with write():
        current = db.session.scalar(
            for_update(db.select(IssuedDocument).where(IssuedDocument.id == document.id))
        )
        if current.status != "valid":
            raise ValueError("Văn bản này không còn hiệu lực nên không thể thu hồi.")
        current.status = "revoked"
        for job in _pending_for(current):
            job.status, job.error, job.finished_at = "cancelled", "Văn bản đã bị thu hồi.", utcnow()
        events.document_revoked.send(current, actor_id=actor_id, reason=reason)


def _pending_for(document: IssuedDocument) -> list[DocumentJob]:
    """Corrections of this document not yet produced (and, for a re-issued kind, its next version)."""
    return db.session.scalars(
        db.select(DocumentJob).where(
            # A receipt belongs to its payment order (which may have no dossier), anything else to its dossier.
            DocumentJob.payment_order_id == document.payment_order_id
            if document.payment_order_id
            else DocumentJob.dossier_id == document.dossier_id,
            DocumentJob.status.in_(UNFINISHED),
            (DocumentJob.replaces_id == document.id) | (DocumentJob.kind == document.kind),
        )
    ).all()


outbox.register(outbox.Channel("document", DocumentJob, perform, "done"))
