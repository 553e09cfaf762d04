"""What quality adds to the dossier page: the applicant's rating and the feedback on the dossier.
Connected by the app factory."""

from __future__ import annotations

from typing import Any

from service.dossiers.models import Dossier
from service.dossiers.page import Viewer, add_section
from service.extensions import db
from service.quality.models import Feedback, Rating


def quality_section(dossier: Dossier, viewer: Viewer) -> dict[str, Any]:
    return {
        "feedback_items": db.session.scalars(
            db.select(Feedback).where(Feedback.dossier_id == dossier.id).order_by(Feedback.id)
        ).all(),
        "rating": db.session.scalar(db.select(Rating).where(Rating.dossier_id == dossier.id))
        if viewer.is_owner
        else None,
    }


def connect() -> None:
    add_section(quality_section)
