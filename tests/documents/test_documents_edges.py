"""Document defects found in review; each test would have caught its defect."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from werkzeug.datastructures import FileStorage

from service.deadlines.calendar import current_calendar
from service.documents import issuing, jobs
from service.documents.jobs import run_pending
from service.documents.models import DocumentJob
from service.dossiers import documents as builders
from service.dossiers import processing
from service.dossiers.models import Dossier
from service.extensions import db
from tests.factories import (
    create_citizen,
    create_dossier,
    create_official,
    create_organisation,
    login,
    pdf_upload,
)
from tests.support.documents import documents_of, granted, text_of, through


@pytest.fixture
def staff():
    return {role: create_official(role) for role in ("reception", "specialist", "leader")}


def test_a_revocation_is_not_undone_by_a_correction_still_waiting(staff, held_jobs):
    dossier = granted(create_citizen(), staff)
    [decision] = documents_of(dossier, "decision")
    jobs.request_correction(decision, staff["leader"].id, "Đính chính")
    jobs.revoke(decision, staff["leader"].id, "Thu hồi")
    run_pending()
    assert [d.status for d in documents_of(dossier, "decision")] == ["revoked"]
    assert (
        db.session.scalar(db.select(DocumentJob).where(DocumentJob.replaces_id == decision.id)).status
        == "cancelled"
    )


def test_a_second_correction_waits_for_the_first(staff, held_jobs):
    dossier = granted(create_citizen(), staff)
    [decision] = documents_of(dossier, "decision")
    jobs.request_correction(decision, staff["leader"].id, "Lần 1")
    with pytest.raises(ValueError, match="đang được cấp lại"):
        jobs.request_correction(decision, staff["leader"].id, "Lần 2")
    run_pending()
    assert sorted(d.status for d in documents_of(dossier, "decision")) == ["replaced", "valid"]


def test_the_chairmans_decision_is_attached_not_issued_by_the_department(client, staff):
    desk, specialist, leader = staff["reception"], staff["specialist"], staff["leader"]
    organisation = create_organisation()
    dossier = create_dossier(organisation, "1.000530.000.00.00.H01", submitted=True)
    through(
        dossier,
        [
            (desk, "receive", {}),
            (desk, "assign", {"assignee_id": specialist.id}),
            (specialist, "start_appraisal", {}),
            (specialist, "propose", {"decision": "approve", "draft": "Cho phép đổi tên trường."}),
            (leader, "forward", {}),
        ],
    )
    try:
        processing.act(dossier.id, desk, "approve", {}, None)
    except processing.DossierError as error:
        assert "đính kèm văn bản của Chủ tịch" in error.message
    upload = FileStorage(pdf_upload("qd-ubnd.pdf")[0], filename="qd-ubnd.pdf")
    processing.act(dossier.id, desk, "approve", {}, None, upload)
    run_pending()
    assert documents_of(dossier, "decision") == []
    approve = next(e for e in dossier.events if e.event == "approve")
    assert [f.original_name for f in approve.files] == ["qd-ubnd.pdf"]


def test_certificate_rows_follow_the_column_keys():
    dossier = create_dossier(create_organisation(), "1.000167.000.00.00.H01", submitted=True)
    data, _ = builders.build("certificate", dossier)
    [row] = data["occupations"]
    assert row["code"] == "" and row["name"] and row["quota"] == "50"


def test_a_bare_bullet_in_a_supplement_request_still_gives_form_02(staff):
    dossier = create_dossier(create_citizen(), submitted=True)
    through(
        dossier,
        [
            (
                staff["reception"],
                "request_supplement",
                {"reason": "Thiếu giấy tờ:\n-\n• Bản sao bằng tốt nghiệp"},
            )
        ],
    )
    [form] = documents_of(dossier, "form_02")
    assert "Bản sao bằng tốt nghiệp" in text_of(issuing.pdf_bytes(form))
    assert db.session.scalar(db.select(DocumentJob).where(DocumentJob.kind == "form_02")).status == "done"


def test_the_verify_page_reached_by_search_posts_to_the_documents_own_address(client, staff):
    dossier = create_dossier(create_citizen(), submitted=True)
    through(dossier, [(staff["reception"], "receive", {})])
    [receipt] = documents_of(dossier, "form_01")
    page = client.get("/verify", query_string={"code": receipt.verification_code.lower()}).get_data(
        as_text=True
    )
    assert f'action="/verify/{receipt.verification_code}"' in page


def test_spreadsheet_cells_never_become_formulas(client, staff):
    from service.timeutil import local_today

    dossier = create_dossier(
        create_citizen(full_name='=HYPERLINK("http://evil.example","Bấm")'), submitted=True
    )
    through(dossier, [(staff["reception"], "receive", {})])
    login(client, staff["reception"])
    today = local_today().isoformat()
    book = client.get(
        "/officials/register", query_string={"start": today, "end": today, "format": "xlsx"}
    ).data
    cell = openpyxl.load_workbook(io.BytesIO(book)).active["E5"]
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_dates_follow_decree_30(app):
    with app.test_request_context():
        assert issuing.place_date(date(2026, 5, 3)) == "An Giang, ngày 03 tháng 5 năm 2026"
        assert issuing.place_date(date(2026, 2, 14)) == "An Giang, ngày 14 tháng 02 năm 2026"


def test_forms_are_signed_by_the_official_who_took_the_step(staff):
    leader = staff["leader"]
    dossier = create_dossier(create_citizen(), submitted=True)
    through(dossier, [(staff["reception"], "receive", {})])
    due = db.session.get(Dossier, dossier.id).due_date
    processing.extend(
        dossier.id, leader, current_calendar().add_working_days(due, 2), "Cần thêm thời gian", None
    )
    run_pending()
    [apology] = documents_of(dossier, "form_04")
    assert apology.data["doc"]["signer"]["name"] == leader.full_name


def test_the_specialists_recipients_appear_in_the_result(staff):
    desk, specialist, leader = staff["reception"], staff["specialist"], staff["leader"]
    dossier = create_dossier(create_citizen(), submitted=True)
    through(dossier, [
        (desk, "receive", {}), (desk, "assign", {"assignee_id": specialist.id}), (specialist, "start_appraisal", {}),
        (specialist, "propose", {"decision": "approve", "draft": "Điều khoản.", "recipients": "Như Điều 3\nBộ Giáo dục và Đào tạo\nLưu: VT, GDNN"}),
        (leader, "approve", {}),
    ])  # fmt: skip
    [decision] = documents_of(dossier, "decision")
    assert decision.data["doc"]["recipients"] == [
        "- Như Điều 3;",
        "- Bộ Giáo dục và Đào tạo;",
        "- Lưu: VT, GDNN.",
    ]
    assert "Bộ Giáo dục và Đào tạo" in text_of(issuing.pdf_bytes(decision))


def test_correcting_a_receipt_of_an_order_without_a_dossier_is_not_blocked_by_others(app, client):
    """Receipts of orders without a dossier are told apart by their order, not lumped by a null dossier."""
    from urllib.parse import parse_qsl, urlsplit

    from service.documents import jobs
    from service.documents.models import DocumentJob, IssuedDocument
    from service.payments.receipts import receipt_of
    from tests.factories import create_official, create_payment_order

    for _ in range(2):
        order = create_payment_order(100_000)
        response = client.submit(f"/payments/o/{order.access_token}/pay/vnpay")
        params = dict(parse_qsl(urlsplit(response.location).query, keep_blank_values=True))
        client.post("/simulators/vnpay/pay", data={**params, "outcome": "00"})
    first, second = db.session.scalars(db.select(IssuedDocument).order_by(IssuedDocument.id)).all()
    leader = create_official("leader")
    jobs.request_correction(first, leader.id, "Sai tên người nộp")  # leaves a pending job for the first order
    job = jobs.request_correction(second, leader.id, "Sai số tiền bằng chữ")  # not blocked by the first's job
    assert db.session.get(DocumentJob, job.id).payment_order_id == second.payment_order_id
    assert receipt_of(second.payment_order_id) is not None
