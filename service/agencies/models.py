"""A receiving agency: where a dossier is received and decided, and whose name heads its one-stop forms.

Two levels since the 2025 reform (no district level): the provincial public-administration service
centre (Trung tâm Phục vụ hành chính công tỉnh), which receives the Sở's procedures, and the service
centre of each of the province's communes, wards and special zones, which receives the commune-level
procedures (LAW-2026 §3; Decree 118/2025). A commune's row names its unit in `vietnam-provinces`
(`ward_code`), so that an applicant's address points at it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db
from service.timeutil import utcnow

PROVINCE = "province"
COMMUNE = "commune"
LEVELS = {PROVINCE: "Cấp tỉnh", COMMUNE: "Cấp xã"}


class Agency(db.Model):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The agency's identifier in dossier codes (AGENCY-YYMMDD-NNNN, Circular 03/2025), from the national
    # list of agency codes (Decision 20/2020/QĐ-TTg): configured, unconfirmed for the communes.
    code: Mapped[str] = mapped_column(String(30), unique=True)
    level: Mapped[str] = mapped_column(String(10))  # province, commune
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    # The commune's code in vietnam-provinces (post-2025 units); None for the provincial centre.
    ward_code: Mapped[int | None] = mapped_column(unique=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    # The one-stop forms' header (Decree 30/2020): the body the unit belongs to, then the unit itself.
    issuer_parent: Mapped[str] = mapped_column(String(200))
    issuer_name: Mapped[str] = mapped_column(String(200))
    # The unit's abbreviation in the forms' "Nơi nhận" ("Lưu: VT, TTPVHCC."; Decree 30/2020): the unit
    # that issues forms 01-05 keeps their copy, never the Sở's department. Configured, unconfirmed.
    abbreviation: Mapped[str] = mapped_column(String(20), default="", server_default="")
    # The body whose head decides a commune-level procedure, in the result's header.
    deciding_body: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Agency | None] = relationship(remote_side=[id])

    @property
    def level_label(self) -> str:
        return LEVELS.get(self.level, self.level)
