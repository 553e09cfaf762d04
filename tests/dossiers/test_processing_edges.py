"""Edge cases of the workflow found in review; each test would have caught its defect."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from werkzeug.datastructures import FileStorage

from service.deadlines.calendar import current_calendar
from service.dossiers import processing
from service.dossiers.models import DossierEvent
from service.extensions import db
from service.workdays import WorkCalendar
from tests.factories import create_citizen, create_dossier, create_official, last_email, login, pdf_upload
from tests.support.processing import as_, fresh


@pytest.fixture
def desk():
    return create_official("reception")


def processed(dossier, steps):
    for actor, event, data in steps:
        processing.act(dossier.id, actor, event, data, None)
    return fresh(dossier)


def extend_to(client, dossier, new_date: date):
    return client.submit(
        f"/officials/dossiers/{dossier.id}/extend",
        {"new_date": new_date.isoformat(), "reason": "Cần thêm thời gian"},
        follow_redirects=True,
    ).get_data(as_text=True)


def test_a_finished_dossier_cannot_be_extended(client, desk):
    specialist, leader = create_official("specialist"), create_official("leader")
    dossier = create_dossier(create_citizen(), submitted=True)
    done = processed(dossier, [
        (desk, "receive", {}), (desk, "assign", {"assignee_id": specialist.id}), (specialist, "start_appraisal", {}),
        (specialist, "propose", {"decision": "approve", "draft": "x"}), (leader, "approve", {}),
        (desk, "return_result", {"method": "desk"}),
    ])  # fmt: skip
    as_(client, desk)
    page = extend_to(client, dossier, current_calendar().add_working_days(done.due_date, 2))
    assert "Chỉ hẹn lại ngày trả kết quả cho hồ sơ đang được giải quyết" in page
    assert fresh(dossier).extended_at is None


def test_an_extension_cannot_push_the_date_beyond_one_more_period(client, desk):
    dossier = processed(create_dossier(create_citizen(), submitted=True), [(desk, "receive", {})])
    as_(client, desk)
    page = extend_to(client, dossier, date(2099, 12, 31))
    assert "Ngày hẹn mới không được quá" in page and fresh(dossier).extended_at is None


def test_a_supplement_during_processing_gives_a_fresh_period_with_its_own_extension(client, desk):
    citizen, specialist = create_citizen(), create_official("specialist")
    dossier = processed(
        create_dossier(citizen, submitted=True),
        [
            (desk, "receive", {}),
            (desk, "assign", {"assignee_id": specialist.id}),
            (specialist, "start_appraisal", {}),
        ],
    )
    processing.extend(
        dossier.id, desk, current_calendar().add_working_days(dossier.due_date, 2), "Chậm", None
    )
    processed(dossier, [(specialist, "request_supplement", {"reason": "Thiếu báo cáo"})])
    processing.supplement(dossier.id, citizen, "Đã bổ sung")
    restarted = fresh(dossier)
    assert restarted.extended_at is None and restarted.original_due_date == restarted.due_date
    assert processing.extension_offered(restarted, desk)


def test_the_citizen_sees_reasons_meant_for_them_but_not_the_officials_deliberation(client, desk):
    citizen, specialist, leader = create_citizen(), create_official("specialist"), create_official("leader")
    dossier = processed(create_dossier(citizen, submitted=True), [
        (desk, "receive", {}), (desk, "assign", {"assignee_id": specialist.id}), (specialist, "start_appraisal", {}),
        (specialist, "propose", {"decision": "approve", "draft": "x", "reason": "GHI-CHU-THAM-DINH"}),
        (leader, "send_back", {"reason": "Y-KIEN-CHI-DAO"}),
        (specialist, "request_supplement", {"reason": "Bổ sung báo cáo tài chính"}),
    ])  # fmt: skip
    as_(client, citizen)
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "Bổ sung báo cáo tài chính" in page
    assert "GHI-CHU-THAM-DINH" not in page and "Y-KIEN-CHI-DAO" not in page
    assert "Trình lãnh đạo phê duyệt" not in page
    as_(client, leader)
    assert "Y-KIEN-CHI-DAO" in client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    "query", [{"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}, {"date_from": "2026-02-30"}]
)
def test_extreme_dates_in_worklist_filters_are_explained_not_fatal(client, desk, query):
    login(client, desk)
    response = client.get("/officials/dossiers", query_string={"list": "all", **query})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Ngày phải trong khoảng năm 2000 đến năm 2100." in page or "Ngày không hợp lệ" in page


def test_duplicate_ids_in_bulk_assignment_assign_once(client, desk):
    specialist = create_official("specialist")
    dossier = processed(create_dossier(create_citizen(), submitted=True), [(desk, "receive", {})])
    login(client, desk)
    data = [
        ("dossier_ids", str(dossier.id)),
        ("dossier_ids", str(dossier.id)),
        ("assignee_id", str(specialist.id)),
    ]
    client.submit("/officials/dossiers/assign", data)
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(DossierEvent).where(DossierEvent.event == "assign")
        )
        == 1
    )


def test_before_reception_the_citizen_withdraws_rather_than_asks_to_stop(client, desk):
    citizen = create_citizen()
    dossier = processed(
        create_dossier(citizen, submitted=True), [(desk, "request_supplement", {"reason": "Thiếu"})]
    )
    as_(client, citizen)
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "Đề nghị dừng giải quyết" not in page
    refused = client.submit(f"/dossiers/{dossier.id}/request-stop", {"reason": "x"}, follow_redirects=True)
    assert "Không thể thực hiện thao tác này" in refused.get_data(as_text=True)
    client.submit(f"/dossiers/{dossier.id}/withdraw", {"reason": "Không bổ sung được"})
    assert fresh(dossier).status == "withdrawn"


def test_an_official_outside_any_department_has_an_empty_department_list(client, desk):
    dossier = create_dossier(create_citizen(), submitted=True)
    login(client, desk)
    assert dossier.code not in client.get("/officials/dossiers?list=department").get_data(as_text=True)


def test_calendar_days_outside_the_systems_life_are_refused(client):
    login(client, create_official("admin"))
    page = client.submit("/admin/calendar", {"day": "0001-01-01", "kind": "off", "note": "x"}).get_data(
        as_text=True
    )
    assert "Ngày phải trong khoảng năm 2000 đến năm 2100" in page


def test_the_officials_hear_when_the_citizen_supplements(client, desk):
    citizen = create_citizen()
    dossier = processed(
        create_dossier(citizen, submitted=True), [(desk, "request_supplement", {"reason": "Thiếu"})]
    )
    as_(client, citizen)
    key = dossier.procedure_version.documents[0]["key"]
    client.submit(f"/dossiers/{dossier.id}/attachments/{key}", {"file": pdf_upload("bs.pdf")})
    client.submit(f"/dossiers/{dossier.id}/supplement", {"note": ""})
    assert "đã gửi hồ sơ bổ sung" in last_email(desk.email).body_text


def test_a_dossier_received_exactly_at_the_cut_off_hour_counts_that_day():
    calendar = WorkCalendar()
    assert calendar.receipt_day(datetime(2026, 11, 6, 15, 0), cutoff_hour=15) == date(2026, 11, 6)
    assert calendar.receipt_day(datetime(2026, 11, 6, 15, 0, 1), cutoff_hour=15) == date(2026, 11, 9)


def test_an_official_attaches_a_document_to_a_step(client, desk):
    citizen = create_citizen()
    dossier = create_dossier(citizen, submitted=True)
    as_(client, desk)
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    version = page.split('name="version" value="')[1].split('"')[0]
    client.submit(
        f"/officials/dossiers/{dossier.id}/act/refuse",
        {
            "reason": "Không thuộc thẩm quyền",
            "version": version,
            "attachment": pdf_upload("van-ban-tu-choi.pdf"),
        },
    )
    refused = fresh(dossier)
    event = next(e for e in refused.events if e.event == "refuse")
    assert refused.status == "refused" and [f.original_name for f in event.files] == ["van-ban-tu-choi.pdf"]
    as_(client, citizen)
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "van-ban-tu-choi.pdf" in page
    assert client.get(f"/dossiers/{dossier.id}/files/{event.files[0].id}").status_code == 200


def test_internal_step_documents_stay_internal(client, desk):
    citizen, specialist = create_citizen(), create_official("specialist")
    dossier = processed(
        create_dossier(citizen, submitted=True),
        [
            (desk, "receive", {}),
            (desk, "assign", {"assignee_id": specialist.id}),
            (specialist, "start_appraisal", {}),
        ],
    )
    upload = FileStorage(pdf_upload("to-trinh.pdf")[0], filename="to-trinh.pdf")
    processing.act(dossier.id, specialist, "propose", {"decision": "approve", "draft": "x"}, None, upload)
    internal = next(f for f in fresh(dossier).files if f.original_name == "to-trinh.pdf")
    as_(client, citizen)
    assert "to-trinh.pdf" not in client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert client.get(f"/dossiers/{dossier.id}/files/{internal.id}").status_code == 404


def test_an_attachment_of_the_wrong_kind_stops_the_action(client, desk):
    dossier = create_dossier(create_citizen(), submitted=True)
    as_(client, desk)
    page = client.submit(
        f"/officials/dossiers/{dossier.id}/act/refuse",
        {"reason": "x", "attachment": pdf_upload("virus.pdf", b"MZ not a pdf")},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Tệp đính kèm phải là PDF" in page and fresh(dossier).status == "submitted"
