"""Fee schedules, exemptions and invoices of a school: overlap refused, exemption arithmetic,
bulk invoicing idempotent, corrections and cancellations as new records."""

from __future__ import annotations

import io
from datetime import date

import pytest

from service.extensions import db
from service.schools import fees, invoicing
from service.schools.models import Invoice, InvoiceLine
from tests.factories import (
    create_class,
    create_exemption,
    create_fee_item,
    create_schedule,
    create_school,
    create_school_user,
    create_student,
    create_term,
    login,
)


@pytest.fixture
def school():
    school = create_school()
    it = create_class(school, "CD-CNTT-K26", "Công nghệ thông tin", "cao_dang")
    tc = create_class(school, "TC-DCN-K26", "Điện công nghiệp", "trung_cap")
    return school, it, tc


def invoices_of(student) -> list[Invoice]:
    db.session.expire_all()
    return db.session.scalars(
        db.select(Invoice).where(Invoice.student_id == student.id).order_by(Invoice.id)
    ).all()


def test_a_schedule_overlapping_an_existing_one_is_refused(school):
    school, it, tc = school
    term, tuition = create_term(school), create_fee_item(school)
    create_schedule(school, term, tuition, 5_000_000, scope="level", scope_value="Cao đẳng")
    with pytest.raises(fees.FeeError, match="Trùng với mức thu đã có.*CD-CNTT-K26"):
        create_schedule(school, term, tuition, 4_000_000, scope="class", scope_value="CD-CNTT-K26")
    with pytest.raises(fees.FeeError, match="Trùng"):
        create_schedule(school, term, tuition, 4_000_000, scope="school")
    create_schedule(
        school, term, tuition, 4_000_000, scope="programme", scope_value="điện công nghiệp"
    )  # no overlap
    other_item = create_fee_item(school, "BHYT", "other", "Bảo hiểm y tế")
    create_schedule(school, term, other_item, 552_825, scope="school")  # another item may cover everyone


def test_invoicing_applies_exemptions_and_runs_once(school):
    school, it, tc = school
    term, tuition = create_term(school), create_fee_item(school, "HP", "tuition_credit")
    insurance = create_fee_item(school, "BHYT", "other", "Bảo hiểm y tế")
    create_schedule(school, term, tuition, 350_000, scope="level", scope_value="Cao đẳng", credits=18)
    create_schedule(school, term, insurance, 552_825, scope="school")
    full, poor, free = create_student(school, it), create_student(school, it), create_student(school, tc)
    create_exemption(school, poor, 70)
    create_exemption(school, free, 100, "mien_100_khuyet_tat")

    result = invoicing.invoice_term(school.id, term.id, None)
    assert (result.created, result.existing, result.without_fees) == (3, 0, 0)
    [plain] = invoices_of(full)
    assert plain.total == 18 * 350_000 + 552_825 == 6_852_825
    [reduced] = invoices_of(poor)
    amounts = sorted(line.amount for line in reduced.lines)
    assert amounts == [-4_410_000, 552_825, 6_300_000] and reduced.total == 2_442_825
    assert "Giảm 70% học phí – Điều 16 khoản 1 điểm c Nghị định 238/2025/NĐ-CP; Quyết định số 12/QĐ-CĐ" in [
        line.description for line in reduced.lines
    ]
    [exempt] = invoices_of(free)
    assert exempt.total == 552_825  # the trung cấp class has no tuition schedule; insurance is not tuition

    again = invoicing.invoice_term(school.id, term.id, None)
    assert (again.created, again.existing) == (0, 3)
    assert db.session.scalar(db.select(db.func.count()).select_from(Invoice)) == 3


def test_reductions_round_down_to_whole_dong_and_never_exceed_the_fee():
    assert fees.reduction(1_000_001, 70) == 700_000
    assert fees.reduction(333, 50) == 166
    assert fees.reduction(500_000, 100) == 500_000


def test_an_exemption_outside_its_validity_does_not_apply(school):
    school, it, _ = school
    term, tuition = create_term(school), create_fee_item(school)
    create_schedule(school, term, tuition, 5_000_000)
    student = create_student(school, it)
    create_exemption(
        school,
        student,
        50,
        "giam_50_tai_nan_benh_nghe_nghiep",
        valid_from=date(2025, 1, 1),
        valid_to=date(2026, 6, 30),
    )
    invoicing.invoice_term(school.id, term.id, None)
    assert invoices_of(student)[0].total == 5_000_000


def test_an_exemption_needs_evidence_and_a_legal_percentage(client, school):
    school, it, _ = school
    student = create_student(school, it)
    login(client, create_school_user(school))
    base = {
        "category": "giam_70_dtts_vung_kk",
        "percent": "70",
        "basis": "QĐ 1/QĐ",
        "valid_from": "2026-09-01",
        "valid_to": "2027-06-30",
    }
    path = f"/school/students/{student.id}/exemptions"
    missing = client.submit(path, base, content_type="multipart/form-data")
    assert missing.status_code == 400 and "Vui lòng đính kèm minh chứng" in missing.get_data(as_text=True)
    too_much = client.submit(
        path, {**base, "category": "khac", "percent": "120"}, content_type="multipart/form-data"
    )
    assert "Tỷ lệ từ 1% đến 100%" in too_much.get_data(as_text=True)
    wrong = client.submit(path, {**base, "percent": "50"}, content_type="multipart/form-data")
    assert "được miễn, giảm 70% theo quy định" in wrong.get_data(as_text=True)
    text = client.submit(
        path, {**base, "evidence": (io.BytesIO(b"hello"), "a.pdf")}, content_type="multipart/form-data"
    )
    assert "phải là tệp PDF, JPEG hoặc PNG" in text.get_data(as_text=True)
    from tests.factories import pdf_bytes

    good = client.submit(
        path, {**base, "evidence": (io.BytesIO(pdf_bytes()), "qd.pdf")}, content_type="multipart/form-data"
    )
    assert good.status_code == 302
    page = client.get(f"/school/students/{student.id}").get_data(as_text=True)
    assert "70%" in page and "qd.pdf" in page


def test_an_issued_invoice_is_corrected_by_a_new_one_and_cancelled_with_a_reason(client, school):
    school, it, _ = school
    term, tuition = create_term(school), create_fee_item(school)
    create_schedule(school, term, tuition, 5_000_000)
    student = create_student(school, it)
    invoicing.invoice_term(school.id, term.id, None)
    [first] = invoices_of(student)
    login(client, create_school_user(school))
    response = client.submit(
        f"/school/invoices/{first.id}/adjust",
        {
            "lines": "Học phí | 5.000.000\nGiảm theo quyết định 9 | -1000000",
            "adjust-reason": "Bổ sung miễn giảm",
        },
    )
    assert response.status_code == 302
    old, new = invoices_of(student)
    assert old.status == "replaced" and new.replaces_id == old.id and new.total == 4_000_000
    assert [line.amount for line in db.session.get(Invoice, old.id).lines] == [5_000_000]  # never edited
    closed = client.get(f"/pay/{old.access_token}")
    assert closed.status_code == 410 and new.number in closed.get_data(as_text=True)

    bad = client.submit(
        f"/school/invoices/{new.id}/adjust", {"lines": "Học phí | năm triệu", "adjust-reason": "x"}
    )
    assert bad.status_code == 400 and "Dòng 1" in bad.get_data(as_text=True)
    client.submit(f"/school/invoices/{new.id}/cancel", {"cancel-reason": "Người học thôi học"})
    assert (
        invoices_of(student)[1].status == "cancelled"
        and invoices_of(student)[1].reason == "Người học thôi học"
    )
    assert (
        invoicing.invoice_term(school.id, term.id, None).created == 0
    )  # a cancelled invoice is not re-issued
    assert db.session.scalar(db.select(db.func.count()).select_from(InvoiceLine)) == 3


def test_the_student_page_costs_the_same_queries_whatever_the_number_of_invoices(client, school):
    from tests.factories import queries_to_get

    school, it, _ = school
    item = create_fee_item(school)
    student = create_student(school, it)
    login(client, create_school_user(school))
    counts = []
    for code in ("HK1", "HK2", "HK3"):
        term = create_term(school, code)
        create_schedule(school, term, item, 1_000_000)
        invoicing.invoice_term(school.id, term.id, None)
        counts.append(queries_to_get(client, f"/school/students/{student.id}"))
    assert counts[0] == counts[1] == counts[2]
