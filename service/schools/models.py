"""Vocational schools as tenants: their classes and students, terms, fee items and schedules,
exemptions, invoices, reminders and bank statements. Every row carries its school; every school page
reads through `service.schools.access`, which confines it to the signed-in user's school."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any, ClassVar

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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from service.extensions import db
from service.text import clean_name
from service.timeutil import utcnow
from workflows.labelled import Labelled

SCHOOL_KINDS = {"college": "Trường cao đẳng", "intermediate": "Trường trung cấp", "centre": "Trung tâm GDNN"}
LEVELS = {"cao_dang": "Cao đẳng", "trung_cap": "Trung cấp", "so_cap": "Sơ cấp", "khac": "Đào tạo khác"}


class School(db.Model):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20))
    tax_code: Mapped[str | None] = mapped_column(String(14))
    address: Mapped[str | None] = mapped_column(String(255))
    # The account tuition is transferred to (VietQR); empty: the agency's configured account.
    bank_bin: Mapped[str | None] = mapped_column(String(6))
    bank_account_no: Mapped[str | None] = mapped_column(String(19))
    bank_account_name: Mapped[str | None] = mapped_column(String(100))
    bank_name: Mapped[str | None] = mapped_column(String(100))
    allow_partial_payment: Mapped[bool] = mapped_column(default=False)
    # Tuition is collected by the school, in its name (LAW-2026 §1): it issues either our e-receipt, with
    # its tax code and its own symbols (form symbol EBLnn, series letters: 26T + these two), or its own
    # e-invoice, sent by the school (whether a public school issues one or the other is unconfirmed).
    tuition_document: Mapped[str] = mapped_column(String(10), default="receipt")  # TUITION_DOCUMENTS
    receipt_form_symbol: Mapped[str] = mapped_column(String(5), default="EBL01")
    receipt_series_letters: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


TUITION_DOCUMENTS = {
    "receipt": "Biên lai điện tử (lập trên hệ thống này)",
    "e_invoice": "Hóa đơn điện tử (nhà trường tự lập và gửi)",
}


class SchoolClass(db.Model):
    __tablename__ = "school_classes"
    __table_args__ = (UniqueConstraint("school_id", "code", name="uq_school_classes_school_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    programme: Mapped[str] = mapped_column(String(200))  # ngành, nghề đào tạo
    level: Mapped[str] = mapped_column(String(20))  # LEVELS


class Student(db.Model):
    __tablename__ = "students"
    __table_args__ = (
        UniqueConstraint("school_id", "code", name="uq_students_school_code"),
        Index("ix_students_school_class", "school_id", "class_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    code: Mapped[str] = mapped_column(String(30))
    full_name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date] = mapped_column(Date)
    personal_id: Mapped[str | None] = mapped_column(String(12))
    class_id: Mapped[int] = mapped_column(ForeignKey("school_classes.id"))
    programme: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(15))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    school_class: Mapped[SchoolClass] = relationship()

    @validates("full_name")
    def _printable_name(self, _key: str, value: str | None) -> str | None:
        return clean_name(value)  # no control or bidirectional-override character (service/text.py)


class LongRun:
    """Columns of long work that a runner claims with a lease and writes in chunks (service.schools.runs):
    a runner that dies leaves its lease to expire, and the next one resumes after the last chunk."""

    QUEUED: ClassVar[str]  # confirmed and waiting for a runner
    RUNNING: ClassVar[str]

    attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)  # the last interruption's, for the administrators
    finished_at: Mapped[datetime | None]
    REFUSED: ClassVar[str] = "Refused: "  # the error of work refused for good (runs.Refused)

    @property
    def refusal(self) -> str | None:
        """Why the work was refused for good, for its user (None when it failed otherwise)."""
        return self.error[len(self.REFUSED) :] if self.error and self.error.startswith(self.REFUSED) else None


class ImportStatus(Labelled):
    VALIDATED = "validated", "Đã kiểm tra, chờ xác nhận"
    CONFIRMED = "confirmed", "Đã xác nhận, chờ nhập"
    IMPORTING = "importing", "Đang nhập"
    DONE = "done", "Đã nhập xong"
    FAILED = "failed", "Nhập không thành công"


IMPORT_STATUS_LABELS = ImportStatus.labels()


class StudentImport(LongRun, db.Model):
    """One uploaded file: validated as a whole first, imported only when clean or confirmed."""

    __tablename__ = "student_imports"
    __table_args__ = (CheckConstraint(ImportStatus.sql_in("status"), name="status"),)
    QUEUED, RUNNING = "confirmed", "importing"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(12), default="validated")  # IMPORT_STATUS_LABELS
    total_rows: Mapped[int] = mapped_column(default=0)
    valid_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    # [{"row": 12, "column": "Ngày sinh", "message": "..."}], the first few hundred.
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Term(db.Model):
    __tablename__ = "terms"
    __table_args__ = (UniqueConstraint("school_id", "code", name="uq_terms_school_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)


FEE_KINDS = {
    "tuition_credit": "Học phí theo tín chỉ",
    "tuition_term": "Học phí theo học kỳ",
    "other": "Khoản thu khác",
}


class FeeItem(db.Model):
    __tablename__ = "fee_items"
    __table_args__ = (UniqueConstraint("school_id", "code", name="uq_fee_items_school_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # FEE_KINDS

    @property
    def is_tuition(self) -> bool:
        return self.kind.startswith("tuition")


SCOPES = {
    "school": "Toàn trường",
    "programme": "Theo ngành, nghề",
    "level": "Theo trình độ",
    "class": "Theo lớp",
}


class FeeSchedule(db.Model):
    """What one fee item costs in one term for the students in its scope, and when it is due."""

    __tablename__ = "fee_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id"), index=True)
    fee_item_id: Mapped[int] = mapped_column(ForeignKey("fee_items.id"))
    scope: Mapped[str] = mapped_column(String(10))  # SCOPES
    scope_value: Mapped[str] = mapped_column(String(200), default="")
    unit_amount: Mapped[int] = mapped_column(BigInteger)  # VND, per credit for tuition_credit
    credits: Mapped[int | None]
    due_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    fee_item: Mapped[FeeItem] = relationship()
    term: Mapped[Term] = relationship()

    @property
    def amount(self) -> int:
        return self.unit_amount * (self.credits or 1)


class Exemption(db.Model):
    """A student's exemption or reduction of tuition over a period. `category` is a code of the rule sets
    in catalogue/exemptions (service.schools.exemption_rules): the term billed decides which rule set,
    and so which rate, applies to it; `percent` is the rate when it was granted (the rate itself for
    "khác", a basis outside the decree). Never deleted: revoked, with who and why."""

    __tablename__ = "exemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    percent: Mapped[int]
    basis: Mapped[str] = mapped_column(String(255))  # the school's decision named on the invoice
    evidence_name: Mapped[str] = mapped_column(String(255))
    evidence_stored: Mapped[str] = mapped_column(String(80))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    student: Mapped[Student] = relationship()


class InvoiceStatus(Labelled):
    ISSUED = "issued", "Đã phát hành"
    CANCELLED = "cancelled", "Đã hủy"
    REPLACED = "replaced", "Đã được thay thế"


class Invoice(db.Model):
    """One student's bill for one term. Issued invoices never change: a correction is a new invoice
    that replaces this one, a cancellation a recorded status with its reason."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("school_id", "number", name="uq_invoices_school_number"),
        Index("ix_invoices_school_term_status", "school_id", "term_id", "status"),
        CheckConstraint(InvoiceStatus.sql_in("status"), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id"))
    number: Mapped[str] = mapped_column(String(30))
    # "term:student" on the invoice a bulk run made, so running it again creates nothing twice.
    run_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="issued")  # issued, cancelled, replaced
    total: Mapped[int] = mapped_column(BigInteger)
    due_on: Mapped[date] = mapped_column(Date)
    access_token: Mapped[str] = mapped_column(
        String(43), unique=True, default=lambda: secrets.token_urlsafe(24)
    )
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    reason: Mapped[str | None] = mapped_column(Text)  # of the replacement, or of the cancellation
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None]
    # Wrong dates of birth typed on the payment link: after a few, the link rests for a while.
    dob_failures: Mapped[int] = mapped_column(default=0)
    dob_locked_until: Mapped[datetime | None]

    student: Mapped[Student] = relationship()
    term: Mapped[Term] = relationship()
    lines: Mapped[list[InvoiceLine]] = relationship(order_by="InvoiceLine.id", back_populates="invoice")


class RunStatus(Labelled):
    QUEUED = "queued", "Chờ xử lý"
    RUNNING = "running", "Đang lập thông báo thu"
    DONE = "done", "Đã xong"
    FAILED = "failed", "Không thành công"


RUN_STATUS_LABELS = RunStatus.labels()


class InvoiceRun(LongRun, db.Model):
    """One bulk invoicing of a term, over the school's students in (class, code) order, a chunk at a
    time; `after_class_id`/`after_code` is the last student done, where a resumed run continues."""

    __tablename__ = "invoice_runs"
    __table_args__ = (CheckConstraint(RunStatus.sql_in("status"), name="status"),)
    QUEUED, RUNNING = "queued", "running"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default="queued")  # RUN_STATUS_LABELS
    total_students: Mapped[int] = mapped_column(default=0)
    students_done: Mapped[int] = mapped_column(default=0)
    after_class_id: Mapped[int | None]
    after_code: Mapped[str | None] = mapped_column(String(30))
    created_count: Mapped[int] = mapped_column(default=0)
    existing_count: Mapped[int] = mapped_column(default=0)
    without_fees_count: Mapped[int] = mapped_column(default=0)
    # Students not invoiced because an exemption of theirs is unknown to the term's rule set.
    held_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    term: Mapped[Term] = relationship()


class InvoiceLine(db.Model):
    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    fee_item_id: Mapped[int | None] = mapped_column(ForeignKey("fee_items.id"), index=True)
    exemption_id: Mapped[int | None] = mapped_column(ForeignKey("exemptions.id"))
    description: Mapped[str] = mapped_column(String(300))
    amount: Mapped[int] = mapped_column(BigInteger)  # negative for a reduction

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class InvoiceCounter(db.Model):
    __tablename__ = "invoice_counters"

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class ManualPayment(db.Model):
    """Money taken at the counter (an exception to cashless collection), recorded with its reason."""

    __tablename__ = "manual_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("payment_attempts.id"))
    reference: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    amount: Mapped[int] = mapped_column(BigInteger)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reminder(db.Model):
    """One reminder sent for one invoice on one day by one channel (so a day's run is idempotent)."""

    __tablename__ = "invoice_reminders"
    __table_args__ = (UniqueConstraint("invoice_id", "channel", "sent_on", name="uq_invoice_reminders_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    channel: Mapped[str] = mapped_column(String(5))  # email, sms
    kind: Mapped[str] = mapped_column(String(10))  # due_soon, overdue, link (sent by the accountant)
    sent_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatementLine(db.Model):
    """A line of a gateway's or bank's statement (CSV), imported to reconcile against."""

    __tablename__ = "statement_lines"
    __table_args__ = (
        UniqueConstraint("school_id", "source", "external_id", name="uq_statement_lines_external"),
        Index("ix_statement_lines_school_date", "school_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    source: Mapped[str] = mapped_column(String(10))  # vnpay, momo, bank
    external_id: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str | None] = mapped_column(String(34))  # our reference as the statement gives it
    amount: Mapped[int] = mapped_column(BigInteger)
    occurred_on: Mapped[date] = mapped_column(Date)
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
