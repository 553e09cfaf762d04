"""What the national portal has acknowledged of each dossier, the outbox of pushes to it, and the
stable links it downloads results from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.dossiers.models import DossierEvent
from service.extensions import db
from service.jobs.outbox import OutboxItem
from service.timeutil import utcnow


class NationalSync(db.Model):
    """One dossier as the national portal knows it: acknowledged when, with what answer, which of its
    history rows it has been told (progress), and whether it was filed there (its code kept as issued)."""

    __tablename__ = "national_portal_syncs"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    national_code: Mapped[str] = mapped_column(String(40), index=True)  # MaHoSo
    filed_on_portal: Mapped[bool] = mapped_column(default=False)
    first_acknowledged_at: Mapped[datetime | None]
    last_acknowledged_at: Mapped[datetime | None]
    last_url: Mapped[str | None] = mapped_column(String(20))  # themmoi or capnhat: how it was last sent
    last_status_code: Mapped[int | None] = mapped_column(SmallInteger)  # TrangThaiHoSo acknowledged
    last_answer: Mapped[str | None] = mapped_column(Text)
    # The last history row (DossierEvent.id) whose progress the portal acknowledged.
    progress_through: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NationalPortalJob(OutboxItem, db.Model):
    """A dossier step to push to the national portal, added in the step's own transaction."""

    __tablename__ = "national_portal_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    history_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_events.id"))
    event: Mapped[str] = mapped_column(String(30))
    # pending, running, done, failed (will be retried), dead (waits for an administrator)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    answer: Mapped[str | None] = mapped_column(Text)  # the portal's acknowledgement, as received
    acknowledged_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    history: Mapped[DossierEvent | None] = relationship()


class NationalResultLink(db.Model):
    """The stable, unguessable address the national portal downloads an issued result from
    (DuongDanTepTinKetQua): no login, the token alone."""

    __tablename__ = "national_result_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("issued_documents.id"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
