"""What the ratings page reads: per procedure (its name as published now) the number of ratings and the
average of every criterion of the satisfaction form, all procedures together, and recent comments.
Never who rated: ratings are shown anonymously."""

from __future__ import annotations

from dataclasses import dataclass

from service.extensions import db
from service.procedures.models import Procedure, ProcedureVersion
from service.quality.models import CRITERIA, Rating


@dataclass(frozen=True)
class RatedProcedure:
    code: str
    name: str
    count: int
    averages: dict[str, float | None]  # by criterion key (models.CRITERIA), 1 to 5


def _averages():
    # Each criterion's score, read from the rating's JSON in SQL (SQLite and PostgreSQL alike).
    return [db.func.avg(Rating.scores[key].as_integer()).label(key) for key in CRITERIA]


def by_procedure() -> list[RatedProcedure]:
    rows = db.session.execute(
        db.select(Rating.procedure_code, db.func.count(), *_averages())
        .group_by(Rating.procedure_code)
        .order_by(Rating.procedure_code)
    ).all()
    names = procedure_names({row[0] for row in rows})
    return [
        RatedProcedure(code, names.get(code, code), count, _floats(averages))
        for code, count, *averages in rows
    ]


def overall() -> RatedProcedure:
    count, *averages = db.session.execute(db.select(db.func.count(), *_averages()).select_from(Rating)).one()
    return RatedProcedure("", "Tất cả thủ tục", count, _floats(averages))


def _floats(averages) -> dict[str, float | None]:
    return {
        key: None if value is None else float(value) for key, value in zip(CRITERIA, averages, strict=True)
    }


def procedure_names(codes: set[str]) -> dict[str, str]:
    """The name each procedure code is published under now."""
    if not codes:
        return {}
    return dict(
        db.session.execute(
            db.select(Procedure.code, ProcedureVersion.name)
            .join(ProcedureVersion, ProcedureVersion.id == Procedure.current_version_id)
            .where(Procedure.code.in_(codes))
        ).all()
    )


def recent_comments(limit: int = 50) -> list[Rating]:
    return db.session.scalars(
        db.select(Rating).where(Rating.comment.is_not(None)).order_by(Rating.id.desc()).limit(limit)
    ).all()
