"""SQL building blocks the quality figures share: a period as a range condition, selects over dossiers
(joined to their procedure only when needed), a portable conditional count."""

from __future__ import annotations

from sqlalchemy import and_, case, func

from service.dossiers.models import Dossier
from service.extensions import db
from service.procedures.models import Procedure, ProcedureVersion
from service.quality.period import Period


def in_period(column, period: Period):
    start, end = period.bounds
    return and_(column >= start, column < end)


def procedure_filter(statement, procedure: str | None):
    if procedure:
        statement = statement.where(Procedure.code == procedure)
    return statement


def dossiers(procedure: str | None, *columns):
    """A select over dossiers; joined to their procedure only when one procedure is asked for."""
    statement = db.select(*columns).select_from(Dossier)
    if procedure:
        statement = statement.join(
            ProcedureVersion, ProcedureVersion.id == Dossier.procedure_version_id
        ).join(Procedure, Procedure.id == ProcedureVersion.procedure_id)
    return procedure_filter(statement, procedure)


def dossiers_by_procedure(procedure: str | None, *columns):
    statement = (
        db.select(*columns)
        .select_from(Dossier)
        .join(ProcedureVersion, ProcedureVersion.id == Dossier.procedure_version_id)
        .join(Procedure, Procedure.id == ProcedureVersion.procedure_id)
    )
    return procedure_filter(statement, procedure)


def count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
