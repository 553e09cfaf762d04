"""Reading the catalogue."""

from __future__ import annotations

from sqlalchemy.orm import joinedload
from werkzeug.exceptions import NotFound

from service.extensions import db
from service.procedures.models import Procedure, ProcedureVersion
from service.text import fold


def published() -> db.Select:
    return (
        db.select(Procedure)
        .join(ProcedureVersion, Procedure.current_version_id == ProcedureVersion.id)
        .where(Procedure.is_published.is_(True))
        .options(joinedload(Procedure.current_version))
    )


def search(text: str = "", field: str = "", applicant: str = "", free_only: bool = False) -> list[Procedure]:
    statement = published()
    for word in fold(text).split()[:8]:
        statement = statement.where(ProcedureVersion.search_text.contains(word, autoescape=True))
    if field:
        statement = statement.where(ProcedureVersion.field == field)
    if applicant in ("person", "organisation"):
        statement = statement.where(ProcedureVersion.applicants.contains(applicant))
    if free_only:
        statement = statement.where(ProcedureVersion.fee == 0)
    return db.session.scalars(statement.order_by(ProcedureVersion.name)).unique().all()


def names() -> list[tuple[str, str]]:
    """(code, current name) of every published procedure, by name: for a filter's choices, without
    loading (and decoding) each version's content."""
    statement = (
        db.select(Procedure.code, ProcedureVersion.name)
        .join(ProcedureVersion, Procedure.current_version_id == ProcedureVersion.id)
        .where(Procedure.is_published.is_(True))
        .order_by(ProcedureVersion.name)
    )
    return [(code, name) for code, name in db.session.execute(statement)]


def fields() -> list[str]:
    statement = (
        db.select(ProcedureVersion.field)
        .join(Procedure, Procedure.current_version_id == ProcedureVersion.id)
        .where(Procedure.is_published.is_(True))
        .distinct()
        .order_by(ProcedureVersion.field)
    )
    return list(db.session.scalars(statement))


def get_published(code: str) -> Procedure:
    procedure = db.session.scalar(published().where(Procedure.code == code))
    if procedure is None:
        raise NotFound()
    return procedure


def published_form(code: str, number: int, document: str) -> tuple[ProcedureVersion, dict]:
    """A published procedure's version `number` and the form it prescribes for `document`; 404 when
    either is unknown (an older version stays reachable: a draft filed under it links its forms)."""
    version = db.session.scalar(
        db.select(ProcedureVersion)
        .join(Procedure, ProcedureVersion.procedure_id == Procedure.id)
        .where(Procedure.code == code, Procedure.is_published.is_(True), ProcedureVersion.number == number)
    )
    form = version.form(document) if version else None
    if form is None:
        raise NotFound()
    return version, form


def all_with_versions() -> list[Procedure]:
    from sqlalchemy.orm import selectinload

    return db.session.scalars(
        db.select(Procedure).options(selectinload(Procedure.versions)).order_by(Procedure.code)
    ).all()
