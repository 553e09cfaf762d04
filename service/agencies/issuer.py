"""What a dossier's documents print about its receiving agency: the one-stop forms' issuer (the
receiving unit, Circular 03/2025; LAW-2026 §4) and, for a commune-level procedure, the commune's
People's Committee that decides. Plain values for the document builders; a dossier from before
agencies were data (no agency) prints the provincial centre."""

from __future__ import annotations

from typing import Any

from flask import current_app

from service.agencies import directory, queries
from service.agencies.models import COMMUNE, Agency


def issuer_for(dossier: Any) -> dict[str, str]:
    """The header of forms 01, 02, 03, 05, 06: the body the unit belongs to, the unit, and its
    telephone and address (form 02 gives the telephone for guidance)."""
    return for_agency(dossier.agency)


def for_agency(agency: Agency | None) -> dict[str, str]:
    """An agency's header (register 07 of its dossiers); none is the provincial centre: its row, or
    the configured defaults before the row exists."""
    agency = agency or queries.province()
    if agency is None:
        defaults = directory.province_defaults()
        return _issuer(
            defaults.issuer_parent, defaults.issuer_name, defaults.phone, "", defaults.abbreviation
        )
    return _issuer(
        agency.issuer_parent, agency.issuer_name, agency.phone, agency.address, agency.abbreviation
    )


def deciding_name(dossier: Any) -> str:
    """The body that decides (Cơ quan chủ trì giải quyết): the commune's People's Committee for a
    commune-level dossier, else the Sở."""
    if is_commune_level(dossier):
        return dossier.agency.deciding_body
    return current_app.config["DOCUMENT_ISSUER_NAME"]


def _issuer(parent: str, name: str, phone: str, address: str, abbreviation: str) -> dict[str, str]:
    return {
        "parent": parent,
        "name": name,
        "abbreviation": abbreviation,
        "phone": phone,
        "address": address,
    }


def is_commune_level(dossier: Any) -> bool:
    agency = dossier.agency if dossier is not None else None
    return agency is not None and agency.level == COMMUNE


def commune_decision(dossier: Any) -> dict[str, Any] | None:
    """A commune-level dossier's result is the commune People's Committee's, signed by its chairman
    (or a vice-chairman "KT. CHỦ TỊCH"), with the law on local government as the competence basis
    (Decree 30/2020); None for the Sở's dossiers."""
    if not is_commune_level(dossier):
        return None
    body = dossier.agency.deciding_body
    return {
        "issuer": {"parent": "", "name": body, "abbreviation": "UBND"},
        "authority": f"Chủ tịch {body}",
        "head": "CHỦ TỊCH",
        "competence": current_app.config["COMMUNE_COMPETENCE_BASIS"],
        "executors": f"Văn phòng {body}",
        "proposal": f"Xét hồ sơ số {dossier.code} do {dossier.agency.name} tiếp nhận.",
        "unit": dossier.agency.name,
    }


def numbering(dossier: Any) -> tuple[str, str] | None:
    """A commune-level dossier's numbered documents go in its commune People's Committee's register
    (Decree 30/2020: numbering per issuer and year) under the symbol UBND: (register, symbol); None
    for the Sở's."""
    if dossier is None or not is_commune_level(dossier):
        return None
    return dossier.agency.code, "UBND"


def place_for(dossier: Any) -> str | None:
    """The place a commune's documents are dated at: the commune's own name (Decree 30/2020, App. I);
    None for the province's, which use DOCUMENT_PLACE."""
    if not is_commune_level(dossier):
        return None
    ward = directory.commune(dossier.agency.ward_code)
    return directory.proper_name(ward) if ward is not None else None
