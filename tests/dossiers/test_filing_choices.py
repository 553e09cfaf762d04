"""Filing like the national portal: the declaration before submitting, and how the result should come."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from service.documents import issuing
from service.dossiers import register
from service.dossiers.models import Dossier
from service.extensions import db
from service.timeutil import local_today
from tests.factories import (
    ORGANISATION_PROCEDURE,
    PERSON_PROCEDURE,
    create_citizen,
    create_dossier,
    create_official,
    create_organisation,
    load_catalogue,
    login,
)
from tests.support.documents import documents_of, text_of, through
from tests.support.processing import as_

DECLARATION = (
    "Tôi xin cam đoan những thông tin kê khai trên là đúng sự thật và chịu trách nhiệm trước pháp luật"
)
LONG_XUYEN = "30307"  # phường Long Xuyên (vietnam-provinces)


def _draft(client):
    citizen = create_citizen()
    dossier = create_dossier(citizen)
    login(client, citizen)
    return dossier


def _by_post(street: str = "12 Trần Hưng Đạo") -> dict[str, str]:
    return {
        "declaration": "y",
        "delivery_method": "post",
        "delivery_address-province": str(current_app.config["PROVINCE_CODE"]),
        "delivery_address-ward": LONG_XUYEN,
        "delivery_address-street": street,
    }


def test_the_review_page_asks_for_the_declaration_and_the_way_to_receive_the_result(client):
    dossier = _draft(client)
    page = client.get(f"/dossiers/{dossier.id}/review").get_data(as_text=True)
    assert DECLARATION in page and 'name="declaration"' in page
    assert "Phương thức nhận kết quả" in page
    assert (
        '<input checked id="delivery_method-0" name="delivery_method" type="radio" value="electronic">'
        in page
    )


def test_submitting_without_the_declaration_is_refused_at_the_box_and_the_draft_kept(client):
    dossier = _draft(client)
    before = db.session.get(Dossier, dossier.id).version
    response = client.submit(f"/dossiers/{dossier.id}/submit", {"delivery_method": "desk"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        '<p class="error-text" id="declaration-error">Vui lòng đánh dấu ô cam đoan trước khi nộp hồ sơ.</p>'
        in page
    )
    assert '<input checked id="delivery_method-2" name="delivery_method" type="radio" value="desk">' in page
    kept = db.session.get(Dossier, dossier.id)
    assert (
        kept.status == "draft" and kept.code is None and kept.version == before and kept.declared_at is None
    )


def test_the_declaration_is_recorded_with_its_time_and_shown_on_the_dossier(client):
    dossier = _draft(client)
    client.submit(f"/dossiers/{dossier.id}/submit", {"declaration": "y"})
    filed = db.session.get(Dossier, dossier.id)
    assert filed.status == "submitted" and filed.declared_at == filed.submitted_at
    assert filed.delivery_method == "electronic" and filed.delivery_address is None
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "Người nộp đã cam đoan thông tin kê khai là đúng sự thật lúc" in page
    assert "Trả kết quả điện tử qua tài khoản dịch vụ công" in page


def test_result_by_post_needs_the_whole_address(client):
    dossier = _draft(client)
    response = client.submit(f"/dossiers/{dossier.id}/submit", _by_post(street=""))
    assert response.status_code == 422
    assert "Vui lòng nhập đầy đủ địa chỉ nhận kết quả qua bưu chính" in response.get_data(as_text=True)
    assert db.session.get(Dossier, dossier.id).status == "draft"


def test_result_by_post_is_stored_and_shown_to_the_applicant_and_the_desk(client):
    dossier = _draft(client)
    client.submit(f"/dossiers/{dossier.id}/submit", _by_post())
    filed = db.session.get(Dossier, dossier.id)
    assert filed.delivery_method == "post"
    assert (
        filed.delivery_address["ward"] == LONG_XUYEN
        and filed.delivery_address["street"] == "12 Trần Hưng Đạo"
    )
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "Qua dịch vụ bưu chính công ích: 12 Trần Hưng Đạo, Phường Long Xuyên" in page

    desk = create_official("reception")
    through(filed, [(desk, "receive", {})])
    [receipt] = documents_of(filed, "form_01")
    text = text_of(issuing.pdf_bytes(receipt)).replace("\n", " ")
    assert (
        "Hình thức trả kết quả: Qua dịch vụ bưu chính công ích: 12 Trần Hưng Đạo, Phường Long Xuyên" in text
    )
    today = local_today()
    [row] = [
        r
        for r in register.rows(today - timedelta(days=1), today + timedelta(days=1))
        if r["code"] == filed.code
    ]
    assert row["method"] == "Qua dịch vụ bưu chính"


def test_the_return_step_starts_from_the_applicants_choice(client):
    dossier = _draft(client)
    client.submit(f"/dossiers/{dossier.id}/submit", {"declaration": "y", "delivery_method": "desk"})
    desk, specialist, leader = (create_official(r) for r in ("reception", "specialist", "leader"))
    filed = db.session.get(Dossier, dossier.id)
    through(filed, [
        (desk, "receive", {}), (desk, "assign", {"assignee_id": specialist.id}), (specialist, "start_appraisal", {}),
        (specialist, "propose", {"decision": "approve", "draft": "Miễn học phí cho người học."}), (leader, "approve", {}),
    ])  # fmt: skip
    as_(client, desk)
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert '<option value="desk" selected>Tại Bộ phận Một cửa</option>' in page
    assert "Người nộp đã chọn khi nộp hồ sơ: Tại Bộ phận Một cửa" in page


# Organisation-only procedures ------------------------------------------------------------------------


def test_an_organisation_only_procedure_is_marked_in_search_and_on_its_page(client):
    load_catalogue()
    search = client.get("/procedures/?q=dang ky hoat dong").get_data(as_text=True)
    assert "Chỉ dành cho tổ chức" in search
    citizen = create_citizen()
    login(client, citizen)
    page = client.get(f"/procedures/{ORGANISATION_PROCEDURE}").get_data(as_text=True)
    assert "Chỉ dành cho tổ chức" in page
    assert "Nộp hồ sơ trực tuyến" not in page
    assert "tài khoản công dân không nộp được hồ sơ" in page
    person = client.get(f"/procedures/{PERSON_PROCEDURE}").get_data(as_text=True)
    assert "Chỉ dành cho tổ chức" not in person and "Nộp hồ sơ trực tuyến" in person


def test_a_citizen_starting_an_organisation_only_procedure_gets_a_vietnamese_403(client):
    load_catalogue()
    citizen = create_citizen()
    login(client, citizen)
    response = client.submit(f"/dossiers/new/{ORGANISATION_PROCEDURE}")
    assert response.status_code == 403
    assert (
        "Thủ tục này chỉ dành cho tổ chức nên tài khoản công dân không nộp được hồ sơ"
        in response.get_data(as_text=True)
    )
    assert db.session.scalar(db.select(db.func.count()).select_from(Dossier)) == 0


def test_an_organisation_is_offered_its_procedure(client):
    load_catalogue()
    organisation = create_organisation()
    login(client, organisation)
    page = client.get(f"/procedures/{ORGANISATION_PROCEDURE}").get_data(as_text=True)
    assert "Nộp hồ sơ trực tuyến" in page
    assert client.submit(f"/dossiers/new/{ORGANISATION_PROCEDURE}").status_code == 302


# The printable copy of what was filed ------------------------------------------------------------------


def test_the_owner_prints_the_filed_e_form_with_every_field_file_and_the_declaration(client):
    dossier = _draft(client)
    client.submit(f"/dossiers/{dossier.id}/submit", _by_post())
    filed = db.session.get(Dossier, dossier.id)
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert f'href="/dossiers/{dossier.id}/to-khai.pdf"' in page and "Tờ khai đã nộp" in page
    response = client.get(f"/dossiers/{dossier.id}/to-khai.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(text_of(response.data).split())
    assert "TỜ KHAI ĐÃ NỘP" in text and filed.procedure_version.name in text
    assert f"Mã thủ tục: {filed.procedure_version.code}" in text and f"Mã hồ sơ: {filed.code}" in text
    assert "Thời điểm nộp:" in text
    for spec in filed.procedure_version.fields:
        assert spec["label"] in text, spec["label"]
    assert dict(filed.form_pairs)["student_full_name"] in text
    for attached in filed.files:
        assert attached.original_name in text
    assert "Qua dịch vụ bưu chính công ích: 12 Trần Hưng Đạo" in text
    assert DECLARATION in text and "Đã xác nhận cam đoan trên hệ thống lúc" in text


def test_the_filed_e_form_is_for_the_owner_and_officials_only_and_not_for_a_draft(client):
    dossier = _draft(client)
    assert client.get(f"/dossiers/{dossier.id}/to-khai.pdf").status_code == 404  # not filed yet
    client.submit(f"/dossiers/{dossier.id}/submit", {"declaration": "y"})
    as_(client, create_citizen())
    assert client.get(f"/dossiers/{dossier.id}/to-khai.pdf").status_code == 404
    as_(client, create_official("reception"))
    response = client.get(f"/dossiers/{dossier.id}/to-khai.pdf")
    assert response.status_code == 200 and "TỜ KHAI ĐÃ NỘP" in text_of(response.data)
