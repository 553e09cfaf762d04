"""Rounds of periodic reports: opened by the agency, filled (form or Excel) and submitted by each
institution, accepted or returned with comments; late institutions reminded once a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app, url_for

from service.accounts.models import User
from service.accounts.roles import SCHOOL_ROLES, Role
from service.database import for_update, insert_once, write
from service.extensions import db
from service.notifications.email import queue_email
from service.reporting import templates
from service.reporting.models import ReportReminder, ReportRound, ReportSubmission
from service.schools.models import School
from service.timeutil import local_today, utcnow


class ReportError(ValueError):
    pass


def open_round(
    template_code: str, period_label: str, user_id: int | None, deadline: date | None = None
) -> ReportRound:
    template = templates.templates().get(template_code)
    if template is None:
        raise ReportError("Không có mẫu báo cáo này.")
    starts, ends = templates.period_bounds(template.period, period_label)
    report_round = ReportRound(
        template_code=template.code,
        period_label=period_label,
        starts_on=starts,
        ends_on=ends,
        deadline=deadline or ends + timedelta(days=template.deadline_days),
        opened_by_id=user_id,
    )
    with write():
        if not insert_once(report_round):
            raise ReportError("Đợt báo cáo này đã được mở.")
    return report_round


def submission_for(round_id: int, school_id: int) -> ReportSubmission | None:
    return db.session.scalar(
        db.select(ReportSubmission).where(
            ReportSubmission.round_id == round_id, ReportSubmission.school_id == school_id
        )
    )


def save(
    round_id: int,
    school_id: int,
    user: User,
    fields: dict,
    rows: list[dict],
    final: bool,
    version: int | None,
) -> tuple[ReportSubmission | None, list[templates.Problem]]:
    """Keep a draft (what is valid so far) or submit (everything valid and complete)."""
    report_round = db.session.get(ReportRound, round_id)
    template = templates.templates()[report_round.template_code]
    data, problems = templates.validate(template, fields, rows, final)
    if final and problems:
        return None, problems
    with write():
        db.session.scalar(for_update(db.select(School).where(School.id == school_id)))
        submission = _editable(round_id, school_id, version)
        submission.data = data
        if final:
            submission.status, submission.submitted_at, submission.submitted_by_id = (
                "submitted",
                utcnow(),
                user.id,
            )
            _tell_leaders(submission)
        else:
            submission.status = "draft"  # being corrected after a return: the institution's own again
    return submission, problems


def _editable(round_id: int, school_id: int, version: int | None) -> ReportSubmission:
    """The school's submission to write (a new one on the first save), in the caller's transaction."""
    submission = submission_for(round_id, school_id)
    if submission is None:
        submission = ReportSubmission(round_id=round_id, school_id=school_id, data={})
        db.session.add(submission)
    elif submission.status in ("submitted", "accepted"):
        raise ReportError("Báo cáo đã nộp; chỉ sửa được khi cơ quan trả lại.")
    elif (version or 0) != submission.version:  # a page opened before a colleague saved
        raise ReportError("Báo cáo vừa được người khác lưu; vui lòng tải lại trang để xem bản mới nhất.")
    else:
        submission.version += 1
    return submission


def review(submission_id: int, user: User, accept: bool, comment: str) -> ReportSubmission:
    comment = (comment or "").strip()[:2000]
    if not accept and not comment:
        raise ReportError("Vui lòng ghi ý kiến khi trả lại báo cáo.")
    with write():
        submission = db.session.scalar(
            for_update(db.select(ReportSubmission).where(ReportSubmission.id == submission_id))
        )
        if submission.status != "submitted":
            raise ReportError("Chỉ duyệt báo cáo đang chờ duyệt.")
        submission.status = "accepted" if accept else "returned"
        submission.reviewed_at, submission.reviewed_by_id = utcnow(), user.id
        submission.review_comment = comment or None
        for recipient in _school_users(submission.school_id):  # announced in the step's own transaction
            queue_email(
                recipient.email,
                "report_reviewed",
                submission=submission,
                report=_name(submission.round),
                base_url=current_app.config["APP_BASE_URL"],
            )
    return submission


def _tell_leaders(submission: ReportSubmission) -> None:
    """A submitted report waits for the agency's review: its leaders hear of it with the submission, in
    its transaction (the email exists if and only if the report was submitted)."""
    db.session.flush()  # the submission's id, for the link
    leaders = db.session.scalars(
        db.select(User).where(User.role == Role.LEADER, User.is_active_account.is_(True)).order_by(User.id)
    ).all()
    link = current_app.config["APP_BASE_URL"] + url_for("reporting.submission", submission_id=submission.id)
    for leader in leaders:
        queue_email(
            leader.email,
            "report_submitted",
            official=leader,
            submission=submission,
            report=_name(submission.round),
            link=link,
        )


def _name(report_round: ReportRound) -> str:
    return templates.templates()[report_round.template_code].name


def _school_users(school_id: int) -> list[User]:
    return db.session.scalars(
        db.select(User).where(
            User.school_id == school_id, User.role.in_(tuple(SCHOOL_ROLES)), User.is_active_account.is_(True)
        )
    ).all()


@dataclass
class Reminded:
    schools: int = 0
    emails: int = 0
    skipped: int = 0


def remind(today: date | None = None, days_before: int = 3) -> Reminded:
    """Institutions that have not submitted a round due within `days_before` days (or overdue) are
    emailed, once a day each."""
    today = today or local_today()
    result = Reminded()
    rounds = db.session.scalars(
        db.select(ReportRound).where(ReportRound.deadline <= today + timedelta(days=days_before))
    )
    schools = db.session.scalars(db.select(School).order_by(School.id)).all()
    for report_round in rounds:
        done = set(
            db.session.scalars(
                db.select(ReportSubmission.school_id).where(
                    ReportSubmission.round_id == report_round.id,
                    ReportSubmission.status.in_(("submitted", "accepted")),
                )
            )
        )
        for school in schools:
            if school.id in done:
                continue
            with write():  # the reminder's record and its emails, together: once a day, never lost
                if not insert_once(
                    ReportReminder(round_id=report_round.id, school_id=school.id, sent_on=today)
                ):
                    result.skipped += 1
                    continue
                result.schools += 1
                result.emails += _remind_school(report_round, school, today)
    return result


def _remind_school(report_round: ReportRound, school: School, today: date) -> int:
    link = current_app.config["APP_BASE_URL"] + url_for("reporting.school_report", round_id=report_round.id)
    users = _school_users(school.id)
    for user in users:
        queue_email(
            user.email,
            "report_reminder",
            report=_name(report_round),
            report_round=report_round,
            overdue=report_round.deadline < today,
            link=link,
        )
    return len(users)
