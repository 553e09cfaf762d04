"""Writing agencies: each is created from the directory the first time something needs it (a dossier
filed to it, an official placed in it) or all at once by `flask agencies seed`, and corrected by an
administrator. Every function that creates runs in the caller's `write()`."""

from __future__ import annotations

from service import audit
from service.agencies import directory, queries
from service.agencies.models import Agency
from service.database import insert_once, write
from service.extensions import db


class AgencyError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def ensure_province() -> Agency:
    """The provincial centre, created from configuration the first time (in the caller's write)."""
    found = queries.province()
    if found is None:
        insert_once(_from_defaults(directory.province_defaults()))
        found = queries.province()
    assert found is not None  # inserted just now, or by a concurrent request (unique code)
    return found


def ensure_commune(ward_code: int) -> Agency:
    """A commune's centre (in the caller's write); refused for a unit outside the province."""
    found = queries.by_ward(ward_code)
    if found is not None:
        return found
    ward = directory.commune(ward_code)
    if ward is None:
        raise AgencyError("Xã, phường được chọn không thuộc tỉnh; vui lòng chọn lại nơi tiếp nhận hồ sơ.")
    row = _from_defaults(directory.commune_defaults(ward))
    row.parent_id = ensure_province().id
    insert_once(row)
    found = queries.by_ward(ward_code)
    assert found is not None
    return found


def ensure_choice(choice: str | None) -> Agency:
    """The agency a form's select names: the provincial centre for "", else a commune by its code."""
    if not choice:
        return ensure_province()
    try:
        ward_code = int(choice)
    except ValueError:
        raise AgencyError("Nơi tiếp nhận hồ sơ không hợp lệ; vui lòng chọn lại.") from None
    return ensure_commune(ward_code)


def _from_defaults(defaults: directory.AgencyDefaults) -> Agency:
    return Agency(
        code=defaults.code,
        level=defaults.level,
        name=defaults.name,
        ward_code=defaults.ward_code,
        address="",
        phone=defaults.phone,
        issuer_parent=defaults.issuer_parent,
        issuer_name=defaults.issuer_name,
        deciding_body=defaults.deciding_body,
        abbreviation=defaults.abbreviation,
    )


def seed() -> int:
    """Every agency of the province, those missing created: how many were created."""
    with write():
        before = db.session.scalar(db.select(db.func.count()).select_from(Agency))
        ensure_province()
        for ward in directory.communes():
            ensure_commune(int(ward.code))
        created = db.session.scalar(db.select(db.func.count()).select_from(Agency)) - before
        if created:
            audit.record("config.agencies_seeded", details={"created": created})
    return created


EDITABLE = (
    "code",
    "name",
    "address",
    "phone",
    "issuer_parent",
    "issuer_name",
    "abbreviation",
    "deciding_body",
)


def update(agency_id: int, values: dict[str, str]) -> Agency:
    """An administrator's correction of an agency's details (the code from the national list, the
    address and telephone, the names the documents print)."""
    with write():
        agency = db.session.get(Agency, agency_id)
        if agency is None:
            raise AgencyError("Không tìm thấy cơ quan tiếp nhận.")
        cleaned = {key: (values.get(key) or "").strip() for key in EDITABLE}
        if not cleaned["code"] or not cleaned["name"] or not cleaned["issuer_name"]:
            raise AgencyError("Mã, tên cơ quan và tên đơn vị ghi trên văn bản là bắt buộc.")
        taken = db.session.scalar(
            db.select(Agency.id).where(Agency.code == cleaned["code"], Agency.id != agency_id)
        )
        if taken:
            raise AgencyError(f"Mã {cleaned['code']} đã được dùng cho cơ quan khác.")
        changed = {key: value for key, value in cleaned.items() if getattr(agency, key) != value}
        for key, value in changed.items():
            setattr(agency, key, value)
        if changed:
            audit.record("config.agency_updated", agency, details={"changed": sorted(changed)})
    return agency
