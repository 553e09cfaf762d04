"""Reading agencies: the provincial centre, a commune's, the choices offered on forms, and which
dossiers an official's agency holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, or_

from service.agencies import directory
from service.agencies.models import COMMUNE, PROVINCE, Agency
from service.extensions import db
from service.text import fold

PROVINCIAL_CHOICE = ""  # the value that names the provincial centre in a form's select


def province() -> Agency | None:
    return db.session.scalar(db.select(Agency).where(Agency.level == PROVINCE).order_by(Agency.id).limit(1))


def by_ward(ward_code: int) -> Agency | None:
    return db.session.scalar(db.select(Agency).where(Agency.ward_code == ward_code))


def get(agency_id: int | None) -> Agency | None:
    return db.session.get(Agency, agency_id) if agency_id else None


def all_agencies() -> list[Agency]:
    rows = db.session.scalars(db.select(Agency)).all()
    return sorted(rows, key=lambda a: (a.level != PROVINCE, fold(a.name)))


def commune_choices() -> list[tuple[str, str]]:
    """Every commune of the province (whether or not its row exists yet): (ward code, name)."""
    return [(str(int(w.code)), w.name) for w in directory.communes()]


def agency_choices() -> list[tuple[str, str]]:
    """An official's agency: the provincial centre first, then each commune's centre (by the name an
    administrator gave its row, else the default one)."""
    named = {
        a.ward_code: a.name for a in db.session.scalars(db.select(Agency).where(Agency.level == COMMUNE))
    }
    return [(PROVINCIAL_CHOICE, provincial_centre_name())] + [
        (code, named.get(int(code)) or f"Trung tâm Phục vụ hành chính công {name[:1].lower()}{name[1:]}")
        for code, name in commune_choices()
    ]


def provincial_centre_name() -> str:
    found = province()
    return found.name if found is not None else directory.province_defaults().name


def choice_of(agency: Agency | None) -> str:
    """The select's value for an agency (the provincial centre for none)."""
    if agency is None or agency.level == PROVINCE or agency.ward_code is None:
        return PROVINCIAL_CHOICE
    return str(agency.ward_code)


def is_provincial(agency: Agency | None) -> bool:
    """No agency means the provincial centre: officials and dossiers from before agencies were data."""
    return agency is None or agency.level == PROVINCE


def holds(official_agency: Agency | None, dossier_agency: Agency | None) -> bool:
    """Does the official's agency hold a dossier received by `dossier_agency`?"""
    if is_provincial(official_agency):
        return is_provincial(dossier_agency)
    return dossier_agency is not None and dossier_agency.id == official_agency.id


def held_by(official_agency: Agency | None, column: Any):
    """The SQL condition on a dossier's agency column that `holds` answers for one row."""
    if not is_provincial(official_agency):
        return column == official_agency.id
    provincial_ids = db.select(Agency.id).where(Agency.level == PROVINCE)
    return or_(column.is_(None), column.in_(provincial_ids))


# Statistics name an agency by a stable key: the provincial centre's, or a commune's ward code.
PROVINCIAL_KEY = "province"


def provincial_key_and_name() -> tuple[str, str]:
    return PROVINCIAL_KEY, provincial_centre_name()


def names() -> dict[int, tuple[str, str]]:
    """Every agency row by id: (statistics key, name)."""
    return {
        a.id: (PROVINCIAL_KEY if a.level == PROVINCE else str(a.ward_code), a.name)
        for a in db.session.scalars(db.select(Agency))
    }


def statistics_choices() -> list[tuple[str, str]]:
    """The statistics' agency filter: the provincial centre, then each commune's (all: no filter)."""
    return [(PROVINCIAL_KEY, provincial_centre_name())] + agency_choices()[1:]


def chosen(key: str, column: Any):
    """The condition on a dossier's agency column for a statistics key (a commune without a row yet
    has received nothing: no dossier matches)."""
    if key == PROVINCIAL_KEY:
        return held_by(None, column)
    try:
        ward_code = int(key)
    except ValueError:
        return false()
    agency = by_ward(ward_code)
    return column == agency.id if agency is not None else false()


def commune_count() -> int:
    return len(directory.communes())
