"""1.005144 at a public institution is decided by the learner's school (Decree 238/2025; LAW-2026 §2):
the learner files it choosing the school; that school's staff alone see it and decide; an approval
reduces the learner's unpaid fee bills of the period, and those made later, and is issued in the
school's name. Hand-computed: 4,500,000 VND of tuition at a 70 % reduction leaves 1,350,000 VND due."""

from __future__ import annotations

import io
from datetime import date

import pypdf
import pytest
from werkzeug.exceptions import NotFound

from service import uploads
from service.documents.jobs import run_pending
from service.documents.models import IssuedDocument
from service.dossiers import documents, processing, school_decisions
from service.dossiers import operations as dossiers
from service.dossiers.models import Dossier
from service.extensions import db
from service.schools import invoicing
from service.schools.models import Exemption, Invoice
from tests.factories import (
    create_citizen,
    create_class,
    create_dossier,
    create_fee_item,
    create_official,
    create_schedule,
    create_school,
    create_school_user,
    create_student,
    create_term,
    login,
)

APPLICATION = "1.005144.000.00.00.H01"
TUITION = 4_500_000  # one term's tuition on the school's fee schedule


@pytest.fixture
def filed():
    """A learner of a public college, billed 4,500,000 VND for the first term, files 1.005144 there."""
    school = create_school(name="Trường Cao đẳng Kỹ thuật An Giang")
    citizen = create_citizen()
    draft = create_dossier(citizen, code=APPLICATION)
    assert dict(draft.form_pairs)["school_ownership"] == "cong_lap"
    student = create_student(
        school,
        create_class(school),
        personal_id=dict(draft.form_pairs)["personal_id"],
        full_name="Lê Thị Hoa",
    )
    term = create_term(school, starts_on=date(2026, 9, 1), ends_on=date(2027, 1, 15))
    create_schedule(school, term, create_fee_item(school), TUITION)
    invoicing.invoice_term(school.id, term.id, None)
    dossier, _ = dossiers.submit(draft.id, citizen, school=str(school.id))
    return school, citizen, student, db.session.get(Dossier, dossier.id)


def bill_of(student, term_id=None) -> Invoice:
    statement = db.select(Invoice).where(Invoice.student_id == student.id, Invoice.status == "issued")
    if term_id is not None:
        statement = statement.where(Invoice.term_id == term_id)
    return db.session.scalars(statement).one()


def approve(client, dossier, student, category="giam_70_dtts_vung_kk"):
    return client.submit(
        f"/school/applications/{dossier.id}",
        {
            "decision": "approve",
            "student_id": str(student.id),
            "category": category,
            "valid_from": "2026-09-01",
            "valid_to": "2027-08-31",
            "seen": str(dossier.version),
        },
    )


def test_the_application_goes_to_the_chosen_school_not_to_an_agency(filed):
    school, _, _, dossier = filed
    assert dossier.school_id == school.id and dossier.agency_id is None
    assert dossier.status == "submitted" and dossier.workflow == "school"
    assert dossier.code.startswith(f"{school.code}-") and dossier.due_date is not None
    assert "Hiệu trưởng" in dossier.deciding_authority


def test_a_submission_without_a_school_is_refused_with_a_message(app):
    citizen = create_citizen()
    draft = create_dossier(citizen, code=APPLICATION)
    with pytest.raises(dossiers.Incomplete) as refused:
        dossiers.submit(draft.id, citizen)
    assert any("Vui lòng chọn cơ sở giáo dục nghề nghiệp" in p.message for p in refused.value.problems)
    assert db.session.get(Dossier, draft.id).status == "draft"


def test_the_school_approves_70_percent_and_the_unpaid_bill_drops_to_1_350_000(client, filed):
    school, _, student, dossier = filed
    before = bill_of(student)
    assert before.total == TUITION
    login(client, create_school_user(school, "accountant"))
    listing = client.get("/school/applications").get_data(as_text=True)
    assert dossier.code in listing

    response = approve(client, dossier, student)

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Dossier, dossier.id).status == "approved"
    assert db.session.get(Invoice, before.id).status == "replaced"
    after = bill_of(student)
    assert after.replaces_id == before.id
    assert after.total == 1_350_000  # 4,500,000 − 70 % × 4,500,000 = 4,500,000 − 3,150,000
    assert sorted(line.amount for line in after.lines) == [-3_150_000, TUITION]
    exemption = db.session.scalars(db.select(Exemption).where(Exemption.student_id == student.id)).one()
    assert (exemption.percent, exemption.category) == (70, "giam_70_dtts_vung_kk")
    proof = db.session.get(Dossier, dossier.id).files_for("eligibility_proof")[0]
    assert exemption.evidence_stored == proof.stored_name  # the learner's filed proof is the evidence


def test_a_bill_made_after_the_decision_carries_the_reduction(client, filed):
    school, _, student, dossier = filed
    login(client, create_school_user(school, "school_admin"))
    approve(client, dossier, student)
    second = create_term(school, code="2026-2027-HK2", starts_on=date(2027, 1, 18), ends_on=date(2027, 6, 30))
    create_schedule(school, second, create_fee_item(school, code="HP2", name="Học phí học kỳ 2"), TUITION)
    invoicing.invoice_term(school.id, second.id, None)
    assert bill_of(student, second.id).total == 1_350_000


def test_the_decision_is_the_schools_and_names_the_reduction(client, filed):
    school, _, student, dossier = filed
    login(client, create_school_user(school))
    approve(client, dossier, student)
    data, _ = documents.build("decision", db.session.get(Dossier, dossier.id))
    assert data["doc"]["issuer"]["name"] == school.name
    assert data["doc"]["authority"] == f"Hiệu trưởng {school.name}"
    assert data["doc"]["signer"]["position"] == "HIỆU TRƯỞNG"
    assert any("Giảm 70% học phí cho người học Lê Thị Hoa" in article for article in data["articles"])


def test_the_decision_is_issued_as_a_pdf_numbered_in_the_schools_register(client, filed):
    school, citizen, student, dossier = filed
    login(client, create_school_user(school))
    approve(client, dossier, student)
    run_pending()
    issued = db.session.scalars(
        db.select(IssuedDocument).where(IssuedDocument.dossier_id == dossier.id)
    ).one()
    assert issued.kind == "decision" and issued.number == f"01/QĐ-{school.code}"
    text = "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(uploads.read(issued.stored_name))).pages
    )
    assert school.name.upper() in text and "HIỆU TRƯỞNG" in text and "Giảm 70% học phí" in text
    login(client, citizen)
    assert school.name in client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)


def test_a_refusal_needs_its_reason_and_changes_no_bill(client, filed):
    school, _, student, dossier = filed
    login(client, create_school_user(school))
    form = {"decision": "deny", "seen": str(dossier.version)}
    response = client.submit(f"/school/applications/{dossier.id}", form)
    assert response.status_code == 422
    assert "Vui lòng ghi rõ lý do" in response.get_data(as_text=True)
    response = client.submit(
        f"/school/applications/{dossier.id}", {**form, "reason": "Không thuộc đối tượng theo Nghị định 238"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Dossier, dossier.id).status == "denied"
    assert bill_of(student).total == TUITION


def test_another_schools_staff_get_404_and_the_sos_officials_do_not_decide_it(client, filed):
    school, _, student, dossier = filed
    other = create_school(name="Trường Trung cấp Nghề Châu Đốc")
    login(client, create_school_user(other))
    assert dossier.code not in client.get("/school/applications").get_data(as_text=True)
    assert client.get(f"/school/applications/{dossier.id}").status_code == 404
    assert approve(client, dossier, student).status_code == 404
    for role in ("reception", "leader"):
        official = create_official(role)
        with pytest.raises(NotFound):
            processing.act(dossier.id, official, "approve", {}, None)
        login(client, official)
        assert client.get(f"/dossiers/{dossier.id}").status_code == 404
        assert client.get("/school/applications").status_code == 403
    with pytest.raises(NotFound):
        school_decisions.decide(
            dossier.id, create_school_user(other), school_decisions.SchoolDecision("deny", reason="x"), None
        )
    db.session.expire_all()
    assert db.session.get(Dossier, dossier.id).status == "submitted"


def test_the_applicant_cannot_open_the_schools_page(client, filed):
    _, citizen, _, dossier = filed
    login(client, citizen)
    assert client.get(f"/school/applications/{dossier.id}").status_code == 403


def test_the_review_page_asks_for_the_school_and_files_to_it(client):
    school = create_school(name="Trường Cao đẳng Nghề Kiên Giang")
    citizen = create_citizen()
    draft = create_dossier(citizen, code=APPLICATION)
    login(client, citizen)
    page = client.get(f"/dossiers/{draft.id}/review").get_data(as_text=True)
    assert 'name="school"' in page and school.name in page and 'name="commune"' not in page
    refused = client.submit(
        f"/dossiers/{draft.id}/submit", {"declaration": "y", "delivery_method": "electronic"}
    )
    assert refused.status_code == 422 and "Vui lòng chọn cơ sở giáo dục nghề nghiệp" in refused.get_data(
        as_text=True
    )
    filed = client.submit(
        f"/dossiers/{draft.id}/submit",
        {"declaration": "y", "delivery_method": "electronic", "school": str(school.id)},
    )
    assert filed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Dossier, draft.id).school_id == school.id
