"""The agencies the province has, as data: the provincial centre from configuration and one centre per
commune of the province in `vietnam-provinces` (102 for An Giang after the 2025 merger: 14 phường,
85 xã, 3 đặc khu). What a row is created with; an administrator may correct it afterwards."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from vietnam_provinces import ProvinceCode, Ward

from service.agencies.models import COMMUNE, PROVINCE
from service.text import fold


@dataclass(frozen=True)
class AgencyDefaults:
    code: str
    level: str
    name: str
    ward_code: int | None
    phone: str
    issuer_parent: str
    issuer_name: str
    deciding_body: str
    abbreviation: str = ""


def province_defaults() -> AgencyDefaults:
    """The provincial public-administration service centre: the RECEIVING_UNIT_* values that forms
    01-07 used before agencies were data, and the dossier-code identifier AGENCY_CODE."""
    config = current_app.config
    return AgencyDefaults(
        code=config["AGENCY_CODE"],
        level=PROVINCE,
        name=config["RECEIVING_UNIT_NAME"],
        ward_code=None,
        phone=config["RECEIVING_UNIT_PHONE"],
        issuer_parent=config["RECEIVING_UNIT_PARENT"],
        issuer_name=config["RECEIVING_UNIT_NAME"],
        deciding_body=config["DOCUMENT_ISSUER_NAME"],
        abbreviation=config["RECEIVING_UNIT_ABBREVIATION"],
    )


def communes() -> list[Ward]:
    """The province's communes, wards and special zones, in alphabetical order (accents folded)."""
    try:
        wards = Ward.iter_by_province(ProvinceCode(current_app.config["PROVINCE_CODE"]))
    except ValueError:
        return []
    return sorted(wards, key=lambda w: fold(w.name))


def commune(ward_code: int) -> Ward | None:
    return next((w for w in communes() if int(w.code) == ward_code), None)


def commune_defaults(ward: Ward) -> AgencyDefaults:
    """A commune's service centre (Decree 118/2025 sets one up under each commune's People's
    Committee): "Trung tâm Phục vụ hành chính công xã X" under "Ủy ban nhân dân xã X". Its code in
    the national list is not known here: the province's prefix and the unit's code stand in for it
    (unconfirmed: an administrator replaces it with the published one)."""
    unit = _lower_first(ward.name)  # "Xã Mỹ Hòa Hưng" → "xã Mỹ Hòa Hưng"
    prefix = current_app.config["AGENCY_CODE"].split(".")[0]
    return AgencyDefaults(
        code=f"{prefix}.X{int(ward.code)}",
        level=COMMUNE,
        name=f"Trung tâm Phục vụ hành chính công {unit}",
        ward_code=int(ward.code),
        phone="",
        issuer_parent=f"Ủy ban nhân dân {unit}",
        issuer_name=f"Trung tâm Phục vụ hành chính công {unit}",
        deciding_body=f"Ủy ban nhân dân {unit}",
        abbreviation=current_app.config["RECEIVING_UNIT_ABBREVIATION"],
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def proper_name(ward: Ward) -> str:
    """The unit's name without its kind: "Phường Long Xuyên" → "Long Xuyên"."""
    kind = str(ward.division_type.value)
    return ward.name[len(kind) + 1 :] if ward.name.lower().startswith(kind + " ") else ward.name
