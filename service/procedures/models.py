"""The procedure catalogue. A procedure's content is versioned; each dossier keeps its version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.accounts.models import Department, User
from service.extensions import db
from service.timeutil import utcnow


class Procedure(db.Model):
    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    is_published: Mapped[bool] = mapped_column(default=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("procedure_versions.id", use_alter=True, name="fk_procedures_current_version")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    current_version: Mapped[ProcedureVersion | None] = relationship(foreign_keys=[current_version_id])
    versions: Mapped[list[ProcedureVersion]] = relationship(
        back_populates="procedure",
        foreign_keys="ProcedureVersion.procedure_id",
        order_by="ProcedureVersion.number",
    )


# The catalogue's applicant kinds and the account roles that file as them (service/accounts/roles.py).
ACCOUNT_ROLE_OF_APPLICANT = {"person": "citizen", "organisation": "organisation"}


class ProcedureVersion(db.Model):
    """One imported version of a procedure's data file. Never changed once a dossier may point at it."""

    __tablename__ = "procedure_versions"
    __table_args__ = (UniqueConstraint("procedure_id", "number", name="uq_procedure_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), index=True)
    number: Mapped[int]
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    # Denormalised from content for listing, filtering and accent-insensitive search.
    name: Mapped[str] = mapped_column(String(500))
    field: Mapped[str] = mapped_column(String(200))
    processing_days: Mapped[int]
    fee: Mapped[int]
    applicants: Mapped[str] = mapped_column(String(40))
    search_text: Mapped[str] = mapped_column(String(2000))
    source_file: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    procedure: Mapped[Procedure] = relationship(back_populates="versions", foreign_keys=[procedure_id])

    @property
    def code(self) -> str:
        return self.content["code"]

    @property
    def documents(self) -> list[dict[str, Any]]:
        return self.content.get("documents", [])

    @property
    def fields(self) -> list[dict[str, Any]]:
        return self.content.get("fields", [])

    @property
    def forms(self) -> list[dict[str, Any]]:
        """The forms the law prescribes for its documents (mẫu đơn, tờ khai), each offered as a blank
        template generated from the e-form (service/procedures/form_templates.py)."""
        return self.content.get("forms", [])

    def form(self, document_key: str) -> dict[str, Any] | None:
        return next((f for f in self.forms if f["document"] == document_key), None)

    @property
    def applicant_roles(self) -> frozenset[str]:
        """The account roles that may file it: the catalogue's applicant kinds ("person" is filed from a
        citizen's account, "organisation" from an organisation's)."""
        return frozenset(ACCOUNT_ROLE_OF_APPLICANT[a] for a in self.content["applicants"])

    @property
    def organisation_only(self) -> bool:
        """Filed by organisations only ("Chỉ dành cho tổ chức"): a citizen's account is not offered it."""
        return set(self.content["applicants"]) == {"organisation"}

    @property
    def level(self) -> str:
        """Where the procedure is received and decided: "province" or "commune" (LAW-2026 §3)."""
        return self.content.get("level", "province")

    def level_for(self, pairs: list[tuple[str, str]]) -> str:
        """The level of a filing with these e-form values: a provincial procedure's commune-level variant
        (a private institution's students) is named by a choice of the e-form."""
        rule = self.content.get("commune_level_when")
        if rule and dict(pairs).get(rule["field"]) in rule["values"]:
            return "commune"
        return self.level

    def processing_days_for(self, pairs: list[tuple[str, str]]) -> int:
        """The legal processing time of a filing with these e-form values: a variant may have its own
        (`[processing_days_when]`, e.g. dissolving a branch rather than a school)."""
        rule = self.content.get("processing_days_when")
        if rule and dict(pairs).get(rule["field"]) in rule["values"]:
            return int(rule["days"])
        return self.processing_days

    @property
    def may_be_commune_level(self) -> bool:
        return self.level == "commune" or "commune_level_when" in self.content

    def school_decides_for(self, pairs: list[tuple[str, str]]) -> bool:
        """Is a filing with these e-form values decided by the learner's own school (LAW-2026 §2: the
        institution, not the Sở, decides a public institution's tuition exemption)?"""
        rule = self.content.get("school_decides_when")
        return bool(rule) and dict(pairs).get(rule["field"]) in rule["values"]

    @property
    def may_be_school_decided(self) -> bool:
        return "school_decides_when" in self.content

    def deciding_authority_for(self, pairs: list[tuple[str, str]]) -> str:
        if self.school_decides_for(pairs):
            return self.content["school_decides_when"]["deciding_authority"]
        rule = self.content.get("commune_level_when")
        if rule and self.level_for(pairs) == "commune" and self.level != "commune":
            return rule["deciding_authority"]
        return self.content.get("deciding_authority", "")

    def document(self, key: str) -> dict[str, Any] | None:
        return next((d for d in self.documents if d["key"] == key), None)


class ProcedureSetting(db.Model):
    """How the agency handles a procedure: the department it goes to and its default specialist."""

    __tablename__ = "procedure_settings"

    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), primary_key=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    default_specialist_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    procedure: Mapped[Procedure] = relationship()
    department: Mapped[Department | None] = relationship()
    default_specialist: Mapped[User | None] = relationship()
