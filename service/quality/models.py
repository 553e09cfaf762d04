"""Satisfaction ratings (one per dossier, after its result is returned) and feedback or complaints
about a dossier (phản ánh, kiến nghị), answered by an official within a deadline."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.dossiers.models import Dossier
from service.extensions import db
from service.timeutil import utcnow

# The criteria of the satisfaction form (shared/DOMAIN.md), each rated 1 to 5.
CRITERIA = {
    "overall": "Mức độ hài lòng chung",
    "convenience": "Sự thuận tiện khi nộp hồ sơ",
    "timeliness": "Thời gian giải quyết so với thời hạn quy định",
    "attitude": "Thái độ của cán bộ, công chức",
    "contacts": "Số lần phải liên hệ với cơ quan (ít lần: điểm cao)",
    "transparency": "Sự công khai, minh bạch của thủ tục",
    "feedback_handling": "Việc tiếp nhận, xử lý ý kiến phản ánh, kiến nghị",
}
SCORE_LABELS = {
    1: "Rất không hài lòng",
    2: "Không hài lòng",
    3: "Bình thường",
    4: "Hài lòng",
    5: "Rất hài lòng",
}
SATISFIED = 4  # a score of 4 or 5 counts as satisfied (the ratings page)
# A score of 2 or 1 ("không hài lòng", "rất không hài lòng") is a dossier rated unsatisfied in Decision
# 766's satisfaction measure; "bình thường" (3) is not a complaint.
UNSATISFIED = 2


class Rating(db.Model):
    __tablename__ = "ratings"
    __table_args__ = (Index("ix_ratings_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Once per dossier; statistics never show whose it is.
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    procedure_code: Mapped[str] = mapped_column(String(40), index=True)
    overall: Mapped[int]
    scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


FEEDBACK_KINDS = {"phan_anh": "Phản ánh", "kien_nghi": "Kiến nghị"}


class Feedback(db.Model):
    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_due", "answered_at", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    procedure_code: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_date: Mapped[date] = mapped_column(Date)  # working days from filing
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_on_time: Mapped[bool | None]
    # The citizen's word on the answer: satisfied or not (None until they say).
    satisfied: Mapped[bool | None]

    dossier: Mapped[Dossier] = relationship()
