"""Documents are produced after the transition that needs them has committed, never inside it.

The transition adds DocumentJob rows in its own transaction (so a job exists if and only if the step
happened); the job engine (service.jobs) runs them after the commit. A job reserves its number on
its own row, draws the PDF with no transaction open, then records the document and marks itself done
in one transaction that first checks its claim: a runner killed half-way leaves the reservation and
no document, and the job run again issues that same number, once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app

from service import uploads
from service.accounts.models import User
from service.agencies import issuer as agency_issuer
from service.database import for_update, write
from service.documents import builders, issuing
from service.documents.models import DocumentJob, IssuedDocument
from service.dossiers.models import Dossier
from service.extensions import db
from service.jobs import outbox
from service.timeutil import utcnow

log = logging.getLogger(__name__)

# The documents each step produces (Circular 03/2025 forms; the result where the decision is taken).
EVENT_DOCUMENTS = {
    "receive": ["form_01"],
    "supplement_restart": ["form_01"],  # a supplement during processing: a new appointment date
    "request_supplement": ["form_02"],
    "refuse": ["form_03"],
    "extend": ["form_04"],
    "stop": ["form_05"],
    "assign": ["form_06"],
    "return_result": ["form_06"],
    "approve": ["result"],
    "deny": ["written_answer"],
}
# Re-issued as a new version when produced again (the control slip grows with every hand-off; the
# receipt and appointment gets a new date when the clock restarts after a supplement).
REPLACEABLE = {"form_06", "form_01"}
UNFINISHED = ("pending", "running", "failed")


def enqueue(dossier: Dossier, event: str, actor_id: int | None) -> list[DocumentJob]:
    """Called inside the transition's transaction."""
    jobs = []
    for kind in EVENT_DOCUMENTS.get(event, []):
        if kind == "result":
            if dossier.needs_provincial_decision:
                continue  # the chairman's decision comes from the province, attached to the step
            kind = builders.result_kind(dossier)
        if kind == "written_answer" and any(e.event == "forward" for e in dossier.events):
            continue  # the chairman's answer, likewise
        job = DocumentJob(dossier_id=dossier.id, kind=kind, requested_by_id=actor_id)
        db.session.add(job)
        jobs.append(job)
    return jobs


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
            )
            if job.kind == "receipt":
                _send_receipt(job.payment_order_id, document)  # the payer hears of it once, when it exists
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
            dossier = db.session.get(Dossier, job.dossier_id) if job.dossier_id else None
            reserved = issuing.reserve(job.kind, agency_issuer.numbering(dossier))
            job.number, job.verification_code, job.issued_on = reserved.number, reserved.code, reserved.day
        return issuing.Reservation(job.number, job.verification_code, job.issued_on)


@dataclass(frozen=True)
class Source:
    kind: str
    data: dict
    holder: str
    dossier_id: int | None


def _source(job_id: int) -> Source:
    """What the document says, read from the dossier (or the payment order) as it is now."""
    job = db.session.get(DocumentJob, job_id)
    if job.kind == "receipt":
        from service.payments.models import PaymentOrder

        order = db.session.get(PaymentOrder, job.payment_order_id)
        data, holder = builders.build_receipt(order)
        return Source(job.kind, data, holder, order.dossier_id)
    data, holder = builders.build(job.kind, db.session.get(Dossier, job.dossier_id))
    return Source(job.kind, data, holder, job.dossier_id)


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


def _send_receipt(order_id: int, document: IssuedDocument) -> None:
    """Queued in the receipt's own transaction: the payer hears of it once, when it exists."""
    from service.notifications.email import queue_email
    from service.payments.models import PaymentOrder

    order = db.session.get(PaymentOrder, order_id)
    owner = db.session.get(User, order.payer_id) if order.payer_id else None
    recipient = order.payer_email or (owner.email if owner else None)
    if recipient:
        queue_email(
            recipient, "receipt", order=order, document=document, base_url=current_app.config["APP_BASE_URL"]
        )


def pending_jobs(dossier_id: int) -> int:
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(DocumentJob)
        .where(DocumentJob.dossier_id == dossier_id, DocumentJob.status.in_(UNFINISHED))
    )


def result_on_file(dossier_id: int) -> bool:
    """The dossier's result (decision, certificate or written answer) has been issued, or is being drawn."""
    issued = db.select(IssuedDocument.id).where(
        IssuedDocument.dossier_id == dossier_id,
        IssuedDocument.kind.in_(issuing.RESULT_KINDS),
        IssuedDocument.status == "valid",
    )
    drawing = db.select(DocumentJob.id).where(
        DocumentJob.dossier_id == dossier_id,
        DocumentJob.kind.in_(issuing.RESULT_KINDS),
        DocumentJob.status.in_(UNFINISHED),
    )
    return db.session.scalar(db.select(issued.exists())) or db.session.scalar(db.select(drawing.exists()))


def request_correction(document: IssuedDocument, actor_id: int, reason: str) -> DocumentJob:
    """Issue the document again from the dossier as it is now; the new one replaces this one."""
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
        _record_on_dossier(current, "reissue_document", actor_id, reason)
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
        _record_on_dossier(current, "revoke_document", actor_id, reason)


def _record_on_dossier(document: IssuedDocument, event: str, actor_id: int, reason: str) -> None:
    """The dossier's history keeps corrections and revocations of its documents (a receipt for an
    order without a dossier has no history to write to)."""
    from service.dossiers.operations import _record

    if document.dossier_id:
        dossier = db.session.get(Dossier, document.dossier_id)
        _record(dossier, event, dossier.status, db.session.get(User, actor_id), f"{document.title}: {reason}")


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
