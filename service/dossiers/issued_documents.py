"""A dossier's documents, as the dossiers feature sees them: which documents each step produces
(queued in the step's own transaction, drawn after it commits by the documents service), what the
service reads for them (the data built in `service/dossiers/documents.py`), which of them a user may
see, and the line a correction or revocation leaves in the dossier's history.

The documents service imports no feature: it calls back through `jobs.register_source` and announces
corrections through its events, both connected here by `connect()` (called by the app factory)."""

from __future__ import annotations

from service.accounts.models import User
from service.accounts.roles import DOSSIER_ROLES, Role
from service.agencies import issuer as agency_issuer
from service.documents import events, jobs
from service.documents.models import DocumentJob, IssuedDocument
from service.dossiers import documents
from service.dossiers.models import Dossier
from service.dossiers.operations import _record
from service.extensions import db

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
OFFICIALS_ONLY = {"form_06"}  # the control slip is the agency's own record


def enqueue(dossier: Dossier, event: str, actor_id: int | None) -> list[DocumentJob]:
    """Called inside the transition's transaction."""
    queued = []
    for kind in EVENT_DOCUMENTS.get(event, []):
        if kind == "result":
            if dossier.needs_provincial_decision:
                continue  # the chairman's decision comes from the province, attached to the step
            kind = documents.result_kind(dossier)
        if kind == "written_answer" and any(e.event == "forward" for e in dossier.events):
            continue  # the chairman's answer, likewise
        queued.append(jobs.queue(kind, actor_id, dossier_id=dossier.id))
    return queued


def result_on_file(dossier_id: int) -> bool:
    """The dossier's result (decision, certificate or written answer) has been issued, or is being drawn."""
    return jobs.on_file(dossier_id, documents.RESULT_DOCUMENT_KINDS)


def visible_documents(dossier: Dossier, user: User) -> list[IssuedDocument]:
    issued = db.session.scalars(
        db.select(IssuedDocument).where(IssuedDocument.dossier_id == dossier.id).order_by(IssuedDocument.id)
    ).all()
    if user.role in DOSSIER_ROLES:
        return list(issued)
    return [d for d in issued if d.kind not in OFFICIALS_ONLY]


def read(job: DocumentJob) -> jobs.Source:
    """What one of the dossier's documents says, from the dossier as it is now."""
    dossier = db.session.get(Dossier, job.dossier_id)
    data, holder = documents.build(job.kind, dossier)
    organisation = dossier.owner is not None and dossier.owner.role == Role.ORGANISATION
    return jobs.Source(job.kind, data, holder, job.dossier_id, organisation=organisation)


def _record_on_dossier(document: IssuedDocument, event: str, actor_id: int, reason: str) -> None:
    """The dossier's history keeps corrections and revocations of its documents (a receipt for an
    order without a dossier has no history to write to)."""
    if document.dossier_id:
        dossier = db.session.get(Dossier, document.dossier_id)
        _record(dossier, event, dossier.status, db.session.get(User, actor_id), f"{document.title}: {reason}")


def record_correction(document: IssuedDocument, *, actor_id: int, reason: str, **_) -> None:
    _record_on_dossier(document, "reissue_document", actor_id, reason)


def record_revocation(document: IssuedDocument, *, actor_id: int, reason: str, **_) -> None:
    _record_on_dossier(document, "revoke_document", actor_id, reason)


def numbering(job: DocumentJob) -> tuple[str, str] | None:
    """A commune-level dossier's documents are numbered in its commune's register, a school-decided
    one's in the school's."""
    dossier = db.session.get(Dossier, job.dossier_id) if job.dossier_id else None
    if dossier is not None and dossier.school is not None:
        # The school's own register and symbol (Decree 30/2020: numbering per issuer and year).
        return f"school:{dossier.school.code}", dossier.school.code
    return agency_issuer.numbering(dossier)


def connect() -> None:
    jobs.register_source(documents.BUILDERS, read, numbering)
    events.correction_requested.connect(record_correction)
    events.document_revoked.connect(record_revocation)
