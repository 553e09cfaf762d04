"""Issued documents (immutable PDFs), their numbering, and the jobs that produce them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.accounts.models import User
from service.extensions import db
from service.jobs.outbox import OutboxItem
from service.timeutil import utcnow
from workflows.labelled import Labelled


class DocumentCounter(db.Model):
    """Numbers per issuing body, document type and year (Decree 30/2020: numbering restarts each year)."""

    __tablename__ = "document_counters"

    issuer: Mapped[str] = mapped_column(String(30), primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(30), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class DocumentStatus(Labelled):
    VALID = "valid", "Còn hiệu lực"
    REPLACED = "replaced", "Đã được thay thế"
    REVOKED = "revoked", "Đã bị thu hồi"


class IssuedDocument(db.Model):
    """One issued PDF, never changed: a correction is a new row that replaces it."""

    __tablename__ = "issued_documents"
    __table_args__ = (CheckConstraint(DocumentStatus.sql_in("status"), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    # A receipt belongs to the payment order it acknowledges (which may have no dossier).
    payment_order_id: Mapped[int | None] = mapped_column(ForeignKey("payment_orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    template: Mapped[str] = mapped_column(String(60))
    template_version: Mapped[str] = mapped_column(String(16))
    number: Mapped[str | None] = mapped_column(String(60))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    verification_code: Mapped[str] = mapped_column(String(20), unique=True)
    holder_masked: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="valid")  # DocumentStatus
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("issued_documents.id"))
    signed: Mapped[bool] = mapped_column(default=False)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)

    issued_by: Mapped[User | None] = relationship()

    @property
    def status_label(self) -> str:
        return DocumentStatus(self.status).label


class DocumentJob(OutboxItem, db.Model):
    """A document to produce after a transition commits (by the job engine, see service.jobs)."""

    __tablename__ = "document_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    payment_order_id: Mapped[int | None] = mapped_column(ForeignKey("payment_orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # pending, running, done, failed (will be retried), dead (waits for an administrator), cancelled
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("issued_documents.id"))
    # A correction: the new document replaces this one (which is kept, marked replaced).
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("issued_documents.id"))
    # Reserved by the job's first run, before the PDF is drawn, and reused by any later run: a runner
    # that dies while drawing leaves neither a gap nor a second number (Decree 30/2020).
    number: Mapped[str | None] = mapped_column(String(60))
    verification_code: Mapped[str | None] = mapped_column(String(20))
    issued_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
