"""Periodic reports by vocational institutions: a round opened by the agency for one template and one
period, and each institution's submission (draft, submitted, accepted or returned with comments)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db
from service.schools.models import School
from service.timeutil import utcnow
from workflows.labelled import Labelled


class ReportRound(db.Model):
    __tablename__ = "report_rounds"
    __table_args__ = (
        UniqueConstraint("template_code", "period_label", name="uq_report_rounds_template_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_code: Mapped[str] = mapped_column(String(20))
    period_label: Mapped[str] = mapped_column(String(10))  # 2026-H1, 2026
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def code(self) -> str:
        return f"{self.template_code}-{self.period_label}"


class SubmissionStatus(Labelled):
    DRAFT = "draft", "Đang soạn"
    SUBMITTED = "submitted", "Đã nộp, chờ duyệt"
    ACCEPTED = "accepted", "Đã được chấp nhận"
    RETURNED = "returned", "Bị trả lại để sửa"


SUBMISSION_LABELS = SubmissionStatus.labels()


class ReportSubmission(db.Model):
    __tablename__ = "report_submissions"
    __table_args__ = (
        UniqueConstraint("round_id", "school_id", name="uq_report_submissions_round_school"),
        CheckConstraint(SubmissionStatus.sql_in("status"), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("report_rounds.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    round: Mapped[ReportRound] = relationship()
    school: Mapped[School] = relationship()


class ReportReminder(db.Model):
    __tablename__ = "report_reminders"
    __table_args__ = (UniqueConstraint("round_id", "school_id", "sent_on", name="uq_report_reminders_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("report_rounds.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    sent_on: Mapped[date] = mapped_column(Date)
