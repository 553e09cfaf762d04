"""Dossiers (hồ sơ), their attached files, their history, and the daily running numbers of their codes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    false,
    func,
    literal,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from service.accounts.models import Department, User
from service.agencies.models import Agency
from service.extensions import db
from service.payments import settlement
from service.procedures.models import ProcedureVersion
from service.schools.models import School
from service.text import clean_name
from service.timeutil import utcnow
from workflows.states import FINAL_STATUSES, WAITING_FOR_APPLICANT, DossierStatus

# How a dossier came (Dossier.channel), as the forms and the register name it (Decree 118/2025 art. 8).
CHANNEL_LABELS = {"online": "Trực tuyến", "desk": "Trực tiếp", "post": "Qua bưu chính công ích"}


class Dossier(db.Model):
    __tablename__ = "dossiers"
    __table_args__ = (
        CheckConstraint(DossierStatus.sql_in("status"), name="status"),  # migration 0027
        Index("ix_dossiers_owner_created", "owner_id", "created_at"),
        Index("ix_dossiers_status_submitted", "status", "submitted_at"),
        # The service-quality statistics read dossiers by when they were received and decided.
        # (with the column each count reads, so that PostgreSQL answers from the index alone)
        Index("ix_dossiers_received_at", "received_at", "channel"),
        Index("ix_dossiers_decided_at", "decided_at", "completed_on_time"),
        Index("ix_dossiers_returned_at", "returned_at", "return_method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Given at submission (receipt by the system): AGENCY-YYMMDD-NNNN, Circular 03/2025.
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    procedure_version_id: Mapped[int] = mapped_column(ForeignKey("procedure_versions.id"), index=True)
    status: Mapped[str] = mapped_column(String(30), default="draft")  # DossierStatus
    # The e-form exactly as entered: a list of [name, value] pairs, so that nothing typed is ever lost.
    form_data: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    applicant_name: Mapped[str | None] = mapped_column(String(255))
    lookup_secret: Mapped[str | None] = mapped_column(String(16))
    lookup_phone: Mapped[str | None] = mapped_column(String(15))
    channel: Mapped[str] = mapped_column(String(10), default="online")  # online, desk, post
    # A dossier filed on paper (desk, post): when the reception official confirmed that every paper
    # component was scanned and attached (Decision 766's digitisation measure). None for online filing,
    # whose components are electronic from the start.
    components_digitised_at: Mapped[datetime | None]
    # A posted application (channel "post"): the date of the postmark on its envelope. The day the desk
    # received it is `received_at`'s, which dates the code and starts the deadline (service/dossiers/desk.py).
    postmarked_on: Mapped[date | None] = mapped_column(Date)
    # When the dossier was synchronised with the national public-service portal (Decision 766's
    # transparency measure): when the portal first acknowledged it (service/nationalportal).
    national_sync_at: Mapped[datetime | None]
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    # The receiving agency (the provincial centre or a commune's), chosen at submission from the
    # procedure's level: it receives, decides and numbers the dossier. None: the provincial centre.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    # The learner's school, for an application that school decides (1.005144 at a public institution,
    # LAW-2026 §2): chosen at submission; its staff, not an agency's officials, decide the dossier.
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    submitted_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    # Reception and the legal deadline (working days, shared/DOMAIN.md).
    received_at: Mapped[datetime | None]
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    original_due_date: Mapped[date | None] = mapped_column(Date)
    extended_at: Mapped[datetime | None]  # the apology with a new date (form 04): once only
    extension_reason: Mapped[str | None] = mapped_column(Text)
    # The one supplement request (form 02) and where the dossier returns once it is answered.
    supplement_count: Mapped[int] = mapped_column(default=0)
    supplement_stage: Mapped[str | None] = mapped_column(String(12))
    supplement_request: Mapped[str | None] = mapped_column(Text)
    supplement_requested_at: Mapped[datetime | None]
    supplement_deadline: Mapped[date | None] = mapped_column(Date)
    # Appraisal, decision and result.
    proposed_decision: Mapped[str | None] = mapped_column(String(10))
    draft_result: Mapped[str | None] = mapped_column(Text)
    draft_recipients: Mapped[str | None] = mapped_column(Text)  # "Nơi nhận", one per line
    decided_at: Mapped[datetime | None]
    result_note: Mapped[str | None] = mapped_column(Text)
    fee_settled_at: Mapped[datetime | None]
    return_method: Mapped[str | None] = mapped_column(String(12))
    # What the applicant chose at filing (Decree 118/2025 art. 18: electronic, post or at the desk) and,
    # for post, where to ("province", "ward", "street"); the desk's return step starts from this choice.
    # None for a dossier filed on paper or before the choice was asked.
    delivery_method: Mapped[str | None] = mapped_column(String(12))
    delivery_address: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # When the applicant ticked "Tôi xin cam đoan…" on the review page and submitted (the declaration
    # the national portal asks for before a filing is sent).
    declared_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    stop_requested_at: Mapped[datetime | None]
    stopped_at: Mapped[datetime | None]  # the stop step (form 05) ended the dossier
    closed_at: Mapped[datetime | None]
    # Early/on time (True) or late (False) once the agency has decided; None while undecided.
    completed_on_time: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Bumped on every change; an edit made from a stale page is detected and shown, not lost.
    version: Mapped[int] = mapped_column(default=1)
    # An untouched draft's owner was warned that it will be deleted (service.dossiers.cleanup): when, and
    # at which version; any save or upload since (a new version) keeps the draft.
    cleanup_warned_at: Mapped[datetime | None]
    cleanup_warned_version: Mapped[int | None]

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    received_by: Mapped[User | None] = relationship(foreign_keys=[received_by_id])
    department: Mapped[Department | None] = relationship()
    agency: Mapped[Agency | None] = relationship()
    school: Mapped[School | None] = relationship()
    comments: Mapped[list[DossierComment]] = relationship(
        back_populates="dossier", order_by="DossierComment.id"
    )
    procedure_version: Mapped[ProcedureVersion] = relationship()
    files: Mapped[list[DossierFile]] = relationship(back_populates="dossier", order_by="DossierFile.id")
    events: Mapped[list[DossierEvent]] = relationship(back_populates="dossier", order_by="DossierEvent.id")
    checks: Mapped[list[ReceptionCheck]] = relationship(order_by="ReceptionCheck.id")

    @validates("applicant_name")
    def _printable_name(self, _key: str, value: str | None) -> str | None:
        return clean_name(value)  # no control or bidirectional-override character (service/text.py)

    @property
    def form_pairs(self) -> list[tuple[str, str]]:
        return [(name, value) for name, value in self.form_data or []]

    @property
    def processing_days(self) -> int:
        """The legal processing time of this filing (its version's, or its variant's)."""
        return self.procedure_version.processing_days_for(self.form_pairs)

    def files_for(self, document_key: str) -> list[DossierFile]:
        return [f for f in self.files if f.document_key == document_key]

    @property
    def workflow(self) -> str:
        if self.school_id is not None:
            return "school"  # the learner's school decides (service/dossiers/school_decisions.py)
        return self.procedure_version.content.get("workflow", "one_stop")

    @property
    def school_decides(self) -> bool:
        """Decided by the learner's school (known from the e-form before submission chose the school)."""
        return self.school_id is not None or self.procedure_version.school_decides_for(self.form_pairs)

    # What the workflow's guards read (workflows/guards.py).
    @property
    def level(self) -> str:
        """ "province" or "commune": the procedure's level for what this filing says (LAW-2026 §3)."""
        return self.procedure_version.level_for(self.form_pairs)

    @property
    def deciding_authority(self) -> str:
        return self.procedure_version.deciding_authority_for(self.form_pairs)

    @property
    def needs_provincial_decision(self) -> bool:
        authority = self.deciding_authority
        return "Ủy ban nhân dân tỉnh" in authority or "UBND tỉnh" in authority

    @property
    def fee_due_before_result(self) -> bool:
        version = self.procedure_version
        return version.fee > 0 and bool(version.content.get("fee_at_result", False))

    @property
    def fee_settled(self) -> bool:
        return self.fee_settled_at is not None

    @property
    def fee_due_at_filing(self) -> bool:
        """Full-process online service: the fee is paid online when filing, unless the procedure says
        it is paid when the result is returned (`fee_at_result = true`)."""
        version = self.procedure_version
        return version.fee > 0 and not version.content.get("fee_at_result", False)

    @property
    def fee_paid_at_filing(self) -> bool:
        """Paid, and not refunded since (in full or in part): the money decides, not the order's status."""
        return settlement.fee_still_paid(settlement.fee_order(self.id))


# Officials' worklists (service/backoffice/queries.py) read a page along one of these indexes, in the
# order of SORT_KEY then id, from a keyset cursor: a page costs the same at 10,000 and at 1,000,000
# dossiers. A dossier without a due date (not yet received) sorts after every dated one.
NO_DUE_DATE = date(9999, 12, 31)
SORT_KEY = func.coalesce(Dossier.due_date, literal_column("'9999-12-31'", Date))


def status_in(*statuses: str):
    """A status condition written with its values in the SQL text (not as parameters), as the partial
    indexes' conditions are, so that the planner can tell that the index covers the query."""
    values = [str(s) for s in statuses]
    if len(values) == 1:
        return Dossier.status == literal(values[0], literal_execute=True)
    return Dossier.status.in_(
        bindparam("statuses", values, unique=True, expanding=True, literal_execute=True)
    )


# Dossiers whose clock runs against the agency.
RUNNING = [
    s.value for s in DossierStatus if s not in FINAL_STATUSES | WAITING_FOR_APPLICANT | {DossierStatus.DRAFT}
]
NOT_DRAFT = Dossier.status != literal("draft", literal_execute=True)
RUNNING_NOW = status_in(*RUNNING)
APPROVAL = status_in(DossierStatus.PROPOSED, DossierStatus.FORWARDED)
TO_RETURN = status_in(DossierStatus.APPROVED, DossierStatus.DENIED)
# The one supplement was answered and the dossier is back with the desk or the specialist.
SUPPLEMENTED_NOW = (Dossier.supplement_count > literal(0, literal_execute=True)) & status_in(
    DossierStatus.SUBMITTED, DossierStatus.UNDER_APPRAISAL
)


# After the key, every worklist index carries what the lists' conditions read (status, supplements,
# assignee, department), what visibility reads (the receiving agency, the deciding school), what a search reads
# (the applicant's name) and the column the sort key is computed from: every list's count, a keyset
# page's ids and a search walking a list are then answered from the index alone, for every role
# (PostgreSQL's planner asks for due_date itself before it reads coalesce(due_date, ...) from an index).
COVERED = (
    Dossier.status,
    Dossier.supplement_count,
    Dossier.assignee_id,
    Dossier.department_id,
    Dossier.agency_id,
    Dossier.school_id,
    Dossier.due_date,
    Dossier.applicant_name,
)


def _worklist_index(name: str, *columns, where):
    covered = [c for c in COVERED if not any(c is column for column in columns)]
    return Index(name, *columns, SORT_KEY, Dossier.id, *covered, postgresql_where=where, sqlite_where=where)


_worklist_index("ix_dossiers_worklist", where=NOT_DRAFT)  # "all"; a filter by procedure or date
_worklist_index("ix_dossiers_worklist_status", Dossier.status, where=NOT_DRAFT)  # one status
_worklist_index("ix_dossiers_worklist_assignee", Dossier.assignee_id, where=NOT_DRAFT)  # a specialist's
_worklist_index("ix_dossiers_worklist_department", Dossier.department_id, where=NOT_DRAFT)
_worklist_index("ix_dossiers_worklist_agency", Dossier.agency_id, where=NOT_DRAFT)  # a commune's lists
_worklist_index("ix_dossiers_worklist_running", where=RUNNING_NOW)  # due soon, overdue
_worklist_index("ix_dossiers_worklist_approval", where=APPROVAL)
_worklist_index("ix_dossiers_worklist_to_return", where=TO_RETURN)
_worklist_index("ix_dossiers_worklist_supplemented", where=SUPPLEMENTED_NOW)
# Search: the contact phone, and the applicant's name by trigram (PostgreSQL's pg_trgm; SQLite reads a
# bounded window of the newest dossiers instead, service/backoffice/queries.py).
Index("ix_dossiers_lookup_phone", Dossier.lookup_phone)
Index(
    "ix_dossiers_applicant_name_trgm",
    Dossier.applicant_name,
    postgresql_using="gin",
    postgresql_ops={"applicant_name": "gin_trgm_ops"},
    info={"only_on": "postgresql"},  # migrations/env.py compares it there only
).ddl_if(dialect="postgresql")


class DossierFile(db.Model):
    """An attached document. The bytes live under UPLOAD_FOLDER with a random name, outside the web root."""

    __tablename__ = "dossier_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    document_key: Mapped[str] = mapped_column(String(60))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    file_type: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The transition the file came with (a supplement); None for the files filed with the dossier.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_events.id"))
    # A scan of a paper component the desk received (Decision 766's digitisation of paper components).
    digitised: Mapped[bool] = mapped_column(default=False, server_default=false())

    dossier: Mapped[Dossier] = relationship(back_populates="files")


class DossierEvent(db.Model):
    """One row per transition: the dossier's timeline and audit trail."""

    __tablename__ = "dossier_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # Was the agency within the dossier's due date at this step? None where it does not apply
    # (before reception, or an action of the applicant: waiting for the applicant is never late).
    on_time: Mapped[bool | None]
    due_date: Mapped[date | None] = mapped_column(Date)

    dossier: Mapped[Dossier] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    files: Mapped[list[DossierFile]] = relationship()


class DossierComment(db.Model):
    """An internal comment between officials; never shown to the applicant."""

    __tablename__ = "dossier_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    dossier: Mapped[Dossier] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()


class ReceptionCheck(db.Model):
    """The desk's verdict on one required component of a dossier at reception (Decree 118/2025 art. 15):
    received, missing or not valid, with the reason that a supplement request (form 02) or a refusal
    (form 03) then states. One row per component, replaced when the desk checks again."""

    __tablename__ = "reception_checks"
    __table_args__ = (UniqueConstraint("dossier_id", "document_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    document_key: Mapped[str] = mapped_column(String(60))
    verdict: Mapped[str] = mapped_column(String(10))  # CheckVerdict
    reason: Mapped[str | None] = mapped_column(Text)
    checked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)


class DossierCounter(db.Model):
    """The running number of dossier codes per receiving agency and (Vietnam) day."""

    __tablename__ = "dossier_counters"

    agency_code: Mapped[str] = mapped_column(String(30), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class FormStash(db.Model):
    """E-form data posted after the session expired, kept until the owner logs in again."""

    __tablename__ = "form_stashes"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    # No foreign key: the posted id is unverified until the owner logs in again.
    dossier_id: Mapped[int] = mapped_column(index=True)
    form_data: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
