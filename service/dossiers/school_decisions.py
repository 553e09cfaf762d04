"""The learner's school decides an application it holds (1.005144 at a public institution: Decree
238/2025; LAW-2026 §2 — the institution, not the Sở's director, checks the application and applies the
reduction). Its staff (school_admin, accountant: users.school_id) see their school's applications only
(another school's is a 404; no agency official sees them); they match the application to the learner's
record, then approve it with the rule sets' category — the single highest rate of the learner's
exemptions applies — or refuse it with the reason. The approval records the exemption, reduces the
learner's unpaid fee bills of the period (service/schools/exemption_decisions.py) and issues the decision
in the school's name; a refusal issues the written answer. One transaction, the dossier locked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from werkzeug.exceptions import NotFound

from service.accounts.models import User
from service.database import for_update, write
from service.dossiers import issued_documents, notices, processing
from service.dossiers.models import Dossier
from service.dossiers.operations import DossierError, transition
from service.extensions import db
from service.schools import exemption_rules
from service.schools.exemption_decisions import Applied, Grant, grant
from service.schools.fees import FeeError
from service.schools.models import Student
from workflows.states import DossierStatus

PROOF_KEYS = ("eligibility_proof", "application_form")  # the filed evidence the exemption keeps


@dataclass(frozen=True)
class SchoolDecision:
    decision: str  # approve, deny
    student_id: int | None = None
    category: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    reason: str = ""


def lock_for_school(dossier_id: int, staff: User) -> Dossier:
    """Inside a write: the filed application, locked; 404 unless the staff member's school holds it."""
    dossier = db.session.scalar(
        for_update(db.select(Dossier).where(Dossier.id == dossier_id, Dossier.status != DossierStatus.DRAFT))
    )
    if dossier is None or staff.school_id is None or dossier.school_id != staff.school_id:
        raise NotFound()
    return dossier


def decide(dossier_id: int, staff: User, decided: SchoolDecision, seen_version: int | None) -> Applied | None:
    """The school's decision; what it did to the learner's bills for an approval."""
    with write():
        dossier = lock_for_school(dossier_id, staff)
        processing.check_seen(dossier, seen_version)
        if dossier.status != DossierStatus.SUBMITTED:
            raise DossierError("Đơn này đã được giải quyết.")
        applied = (
            _approve(dossier, staff, decided) if decided.decision == "approve" else _deny(dossier, decided)
        )
        event = "approve" if decided.decision == "approve" else "deny"
        transition(dossier, event, staff, decided.reason.strip() or None, {"reason": decided.reason})
        processing.EFFECTS[event](dossier, staff, {"reason": decided.reason})
        issued_documents.enqueue(dossier, event, staff.id)
        notices.tell_applicant(dossier, event)
    return applied


def _deny(dossier: Dossier, decided: SchoolDecision) -> None:
    if decided.decision != "deny":
        raise DossierError("Vui lòng chọn quyết định: đồng ý miễn, giảm hoặc không đồng ý.")
    if not decided.reason.strip():
        raise DossierError("Vui lòng ghi rõ lý do không đồng ý miễn, giảm học phí.")
    return None


def _approve(dossier: Dossier, staff: User, decided: SchoolDecision) -> Applied:
    student = db.session.get(Student, decided.student_id) if decided.student_id else None
    if student is None or student.school_id != dossier.school_id:
        raise DossierError("Vui lòng chọn người học của trường mà đơn này đề nghị miễn, giảm.")
    if decided.valid_from is None or decided.valid_to is None:
        raise DossierError("Vui lòng nhập thời gian được miễn, giảm (từ ngày, đến ngày).")
    proof = next((f for key in PROOF_KEYS for f in dossier.files_for(key)), None)
    if proof is None:
        raise DossierError("Đơn không có giấy tờ chứng minh đối tượng để lưu làm minh chứng.")
    basis = f"Quyết định miễn, giảm học phí của {dossier.school.name} (đơn số {dossier.code})"
    try:
        applied = grant(
            student,
            staff.id,
            Grant(
                decided.category or "",
                decided.valid_from,
                decided.valid_to,
                basis,
                proof.original_name,
                proof.stored_name,
            ),
        )
    except FeeError as error:
        raise DossierError(str(error)) from error
    dossier.draft_result = _articles(student, applied)
    return applied


def _articles(student: Student, applied: Applied) -> str:
    """The decision's own articles (the builder adds entry into force and who carries it out)."""
    exemption = applied.exemption
    found = exemption_rules.category_for(exemption.category, exemption.valid_from, exemption.valid_to)
    rules, category = found
    verb = "Miễn học phí" if exemption.percent == 100 else f"Giảm {exemption.percent}% học phí"
    cite = rules.cite(category)
    return "\n".join(
        [
            f"{verb} cho người học {student.full_name}, sinh ngày {student.date_of_birth:%d/%m/%Y}, mã người học "
            f"{student.code}, ngành, nghề {student.programme}, thuộc đối tượng: {category.label}"
            f"{f' ({cite})' if cite else ''}, từ ngày {exemption.valid_from:%d/%m/%Y} đến ngày "
            f"{exemption.valid_to:%d/%m/%Y}.",
            "Mức miễn, giảm được áp dụng vào các thông báo thu học phí của người học trong thời gian trên; "
            "người thuộc nhiều đối tượng chỉ được hưởng một mức cao nhất.",
        ]
    )


def applications(school_id: int, limit: int = 200) -> list[Dossier]:
    """The school's applications, those waiting first."""
    return db.session.scalars(
        db.select(Dossier)
        .where(Dossier.school_id == school_id, Dossier.status != DossierStatus.DRAFT)
        .order_by((Dossier.status != DossierStatus.SUBMITTED), Dossier.submitted_at.desc())
        .limit(limit)
    ).all()


def matching_students(dossier: Dossier) -> list[Student]:
    """The school's learners the application may be about: its personal identification number first,
    else its name (the staff confirm which)."""
    values = dict(dossier.form_pairs)
    by_id = db.select(Student).where(
        Student.school_id == dossier.school_id, Student.personal_id == (values.get("personal_id") or "-")
    )
    found = db.session.scalars(by_id).all()
    if found:
        return list(found)
    by_name = db.select(Student).where(
        Student.school_id == dossier.school_id, Student.full_name == (values.get("student_full_name") or "")
    )
    return list(db.session.scalars(by_name.limit(20)).all())
