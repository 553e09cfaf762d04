"""Ratings and feedback: what a citizen may do about their own dossier, and an official's answer."""

from __future__ import annotations

from flask import current_app

from service.accounts.models import User
from service.database import for_update, insert_once, write
from service.deadlines.calendar import current_calendar
from service.dossiers.models import Dossier
from service.extensions import db
from service.notifications.email import queue_email
from service.quality.models import CRITERIA, FEEDBACK_KINDS, Feedback, Rating
from service.timeutil import local_today, utcnow

FEEDBACK_WORKING_DAYS = 10  # an answer within ten working days (Decree 20/2008, as the province applies it)


class QualityError(ValueError):
    pass


def rate(dossier: Dossier, owner: User, scores: dict[str, int], comment: str) -> Rating:
    if dossier.owner_id != owner.id:
        raise LookupError(dossier.id)
    if dossier.status != "returned":
        raise QualityError("Chỉ đánh giá được sau khi hồ sơ đã được trả kết quả.")
    if set(scores) != set(CRITERIA) or any(
        not isinstance(v, int) or not 1 <= v <= 5 for v in scores.values()
    ):
        raise QualityError("Vui lòng chấm từ 1 đến 5 cho mọi tiêu chí.")
    rating = Rating(
        dossier_id=dossier.id,
        procedure_code=dossier.procedure_version.procedure.code,
        overall=scores["overall"],
        scores=scores,
        comment=(comment or "").strip()[:2000] or None,
    )
    with write():
        if not insert_once(rating):  # one rating per dossier, however many tabs submit it
            raise QualityError("Hồ sơ này đã được đánh giá; mỗi hồ sơ được đánh giá một lần.")
    return rating


def file_feedback(dossier: Dossier, owner: User, kind: str, content: str) -> Feedback:
    if dossier.owner_id != owner.id:
        raise LookupError(dossier.id)
    if dossier.submitted_at is None:
        raise QualityError("Chỉ gửi phản ánh, kiến nghị về hồ sơ đã nộp.")
    content = (content or "").strip()
    if kind not in FEEDBACK_KINDS or not 10 <= len(content) <= 4000:
        raise QualityError("Vui lòng chọn loại và ghi nội dung phản ánh, kiến nghị (từ 10 đến 4000 ký tự).")
    feedback = Feedback(
        dossier_id=dossier.id,
        procedure_code=dossier.procedure_version.procedure.code,
        kind=kind,
        content=content,
        due_date=current_calendar().add_working_days(local_today(), FEEDBACK_WORKING_DAYS),
    )
    with write():
        db.session.add(feedback)
    return feedback


def answer(feedback_id: int, official: User, text: str) -> Feedback:
    text = (text or "").strip()
    if not 10 <= len(text) <= 4000:
        raise QualityError("Vui lòng ghi nội dung trả lời (từ 10 đến 4000 ký tự).")
    with write():
        feedback = db.session.scalar(for_update(db.select(Feedback).where(Feedback.id == feedback_id)))
        if feedback.answered_at is not None:
            raise QualityError("Phản ánh, kiến nghị này đã được trả lời.")
        feedback.answer, feedback.answered_at, feedback.answered_by_id = text, utcnow(), official.id
        feedback.answered_on_time = local_today() <= feedback.due_date
        queue_email(
            feedback.dossier.owner.email,
            "feedback_answer",
            feedback=feedback,
            base_url=current_app.config["APP_BASE_URL"],
        )
    return feedback


def judge(feedback_id: int, owner: User, satisfied: bool) -> Feedback:
    with write():
        feedback = db.session.scalar(for_update(db.select(Feedback).where(Feedback.id == feedback_id)))
        if feedback is None or feedback.dossier.owner_id != owner.id:
            raise LookupError(feedback_id)
        if feedback.answered_at is None or feedback.satisfied is not None:
            raise QualityError("Chỉ đánh giá một lần, sau khi cơ quan đã trả lời.")
        feedback.satisfied = satisfied
    return feedback
