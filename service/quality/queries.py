"""What the quality pages read besides the figures (views only render it)."""

from __future__ import annotations

from service.accounts.models import Department
from service.extensions import db
from service.procedures.models import Procedure
from service.quality.models import Feedback


def departments() -> list[Department]:
    return list(db.session.scalars(db.select(Department).order_by(Department.name)))


def procedure_exists(code: str) -> bool:
    return db.session.scalar(db.select(Procedure.id).where(Procedure.code == code)) is not None


def feedback(feedback_id: int) -> Feedback | None:
    return db.session.get(Feedback, feedback_id)
