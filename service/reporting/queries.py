"""What the periodic-report pages read (views only render it)."""

from __future__ import annotations

from service.extensions import db
from service.reporting.models import ReportRound, ReportSubmission
from service.schools.models import School

DONE = ("submitted", "accepted")


def rounds() -> list[ReportRound]:
    """Every round, the latest deadline first."""
    return list(db.session.scalars(db.select(ReportRound).order_by(ReportRound.deadline.desc())))


def submissions_of_school(school_id: int) -> dict[int, ReportSubmission]:
    """A school's submissions by round."""
    found = db.session.scalars(db.select(ReportSubmission).where(ReportSubmission.school_id == school_id))
    return {s.round_id: s for s in found}


def submissions_of_round(round_id: int) -> dict[int, ReportSubmission]:
    """A round's submissions by school."""
    found = db.session.scalars(db.select(ReportSubmission).where(ReportSubmission.round_id == round_id))
    return {s.school_id: s for s in found}


def submitted_counts() -> dict[int, int]:
    """Submitted or accepted reports per round."""
    rows = db.session.execute(
        db.select(ReportSubmission.round_id, db.func.count())
        .where(ReportSubmission.status.in_(DONE))
        .group_by(ReportSubmission.round_id)
    )
    return {round_id: count for round_id, count in rows}


def reports_due(school_id: int) -> int:
    """The report rounds whose report this school has not submitted (a draft, or nothing)."""
    submitted = db.select(ReportSubmission.round_id).where(
        ReportSubmission.school_id == school_id, ReportSubmission.status.in_(("submitted", "accepted"))
    )
    return db.session.scalar(
        db.select(db.func.count()).select_from(ReportRound).where(ReportRound.id.not_in(submitted))
    )


def school_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(School))


def submission(submission_id: int) -> ReportSubmission | None:
    return db.session.get(ReportSubmission, submission_id)
