"""The citizen journey: draft, e-form, attachments, review, submission, my dossiers, withdrawal."""

from __future__ import annotations

import re

from service.dossiers.models import Dossier, DossierEvent
from service.dossiers.samples import png_bytes, sample_pairs
from service.extensions import db
from tests.factories import (
    PERSON_PROCEDURE,
    create_citizen,
    create_dossier,
    last_email,
    load_catalogue,
    login,
    pdf_upload,
    procedure_version,
)

CODE = re.compile(r"^H01\.48-\d{6}-\d{4}$")


def save(client, dossier_id: int, pairs: list, action: str = "save"):
    """Post the e-form as the page would, with the draft version the page shows."""
    page = client.get(f"/dossiers/{dossier_id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    return client.submit(f"/dossiers/{dossier_id}/edit", [*pairs, ("action", action), ("version", version)])


def start(client, code: str = PERSON_PROCEDURE) -> int:
    load_catalogue()
    response = client.submit(f"/dossiers/new/{code}")
    assert response.status_code == 302
    return int(re.search(r"/dossiers/(\d+)/edit", response.location).group(1))


def test_citizen_files_a_dossier_end_to_end(client):
    citizen = create_citizen()
    version = procedure_version()
    login(client, citizen)
    dossier_id = start(client)

    response = save(client, dossier_id, sample_pairs(version.fields), "next")
    assert response.status_code == 302 and response.location.endswith(f"/dossiers/{dossier_id}/attachments")
    for document in version.documents:
        if document["required"]:
            client.submit(f"/dossiers/{dossier_id}/attachments/{document['key']}", {"file": pdf_upload()})
    review = client.get(f"/dossiers/{dossier_id}/review").get_data(as_text=True)
    assert "Hồ sơ chưa thể nộp" not in review

    response = client.submit(f"/dossiers/{dossier_id}/submit", follow_redirects=True)
    page = response.get_data(as_text=True)
    dossier = db.session.get(Dossier, dossier_id)
    assert "Nộp hồ sơ thành công" in page
    assert CODE.match(dossier.code) and dossier.code in page and dossier.lookup_secret in page
    assert dossier.status == "submitted"
    email = last_email(citizen.email)
    assert dossier.code in email.subject and dossier.lookup_secret in email.body_text
    assert f"{version.processing_days} ngày làm việc" in email.body_text
    mine = client.get("/dossiers").get_data(as_text=True)
    assert dossier.code in mine and "Đã nộp, chờ tiếp nhận" in mine


def test_a_draft_keeps_what_was_typed_even_invalid_and_comes_back_later(client):
    citizen = create_citizen()
    login(client, citizen)
    dossier_id = start(client)
    response = save(client, dossier_id, [("student_full_name", "Lê Thị Hoa"), ("phone", "12345")])
    page = response.get_data(as_text=True)
    assert "Đã lưu nháp. Một số thông tin chưa hợp lệ" in page
    assert "Số điện thoại không hợp lệ" in page
    again = client.get(f"/dossiers/{dossier_id}/edit").get_data(as_text=True)
    assert 'value="Lê Thị Hoa"' in again and 'value="12345"' in again


def test_submission_lists_every_missing_field_and_document(client):
    citizen = create_citizen()
    login(client, citizen)
    dossier_id = start(client)
    response = client.submit(f"/dossiers/{dossier_id}/submit")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Hồ sơ chưa thể nộp" in page
    assert "Chưa đính kèm giấy tờ bắt buộc này" in page
    assert "Thông tin chưa đầy đủ hoặc không hợp lệ" in page
    assert db.session.get(Dossier, dossier_id).status == "draft"


def test_double_submit_creates_one_dossier_and_one_event(client):
    citizen = create_citizen()
    dossier = create_dossier(citizen)
    login(client, citizen)
    first = client.submit(f"/dossiers/{dossier.id}/submit")
    second = client.submit(f"/dossiers/{dossier.id}/submit")
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    events = db.session.scalars(
        db.select(DossierEvent).where(DossierEvent.dossier_id == dossier.id, DossierEvent.event == "submit")
    ).all()
    assert len(events) == 1
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(Dossier).where(Dossier.owner_id == citizen.id)
        )
        == 1
    )


def test_file_content_decides_not_its_name(client):
    citizen = create_citizen()
    dossier = create_dossier(citizen, files=False)
    login(client, citizen)
    document = dossier.procedure_version.documents[0]
    fake = (pdf_upload("don-de-nghi.pdf", b"MZ\x90\x00 this is an executable")[0], "don-de-nghi.pdf")
    response = client.submit(
        f"/dossiers/{dossier.id}/attachments/{document['key']}", {"file": fake}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Nội dung tệp không phải định dạng được chấp nhận" in page
    assert db.session.get(Dossier, dossier.id).files == []


def test_png_named_pdf_is_accepted_as_png_where_images_are_allowed(client):
    citizen = create_citizen()
    dossier = create_dossier(citizen, files=False)
    document = next(d for d in dossier.procedure_version.documents if "png" in d["file_types"])
    login(client, citizen)
    client.submit(
        f"/dossiers/{dossier.id}/attachments/{document['key']}", {"file": pdf_upload("scan.pdf", png_bytes())}
    )
    files = db.session.get(Dossier, dossier.id).files
    assert [f.file_type for f in files] == ["png"]


def test_oversized_file_gets_a_message_and_the_dossier_is_unchanged(app, client):
    citizen = create_citizen()
    dossier = create_dossier(citizen, files=False)
    login(client, citizen)
    key = dossier.procedure_version.documents[0]["key"]
    big = b"%PDF-1.4\n" + b"0" * (app.config["MAX_FILE_BYTES"] + 10)
    response = client.submit(
        f"/dossiers/{dossier.id}/attachments/{key}",
        {"file": pdf_upload("lon.pdf", big)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "vượt quá dung lượng" in response.get_data(as_text=True)
    assert db.session.get(Dossier, dossier.id).files == []


def test_too_many_files_for_one_document_is_refused(client):
    citizen = create_citizen()
    dossier = create_dossier(citizen, files=False)
    document = dossier.procedure_version.documents[0]
    login(client, citizen)
    for _ in range(document.get("max_files", 1) + 1):
        response = client.submit(
            f"/dossiers/{dossier.id}/attachments/{document['key']}",
            {"file": pdf_upload()},
            follow_redirects=True,
        )
    assert f"chỉ nhận tối đa {document.get('max_files', 1)} tệp" in response.get_data(as_text=True)
    assert len(db.session.get(Dossier, dossier.id).files) == document.get("max_files", 1)


def test_owner_withdraws_before_reception_but_not_twice(client):
    citizen = create_citizen()
    dossier = create_dossier(citizen, submitted=True)
    login(client, citizen)
    page = client.submit(
        f"/dossiers/{dossier.id}/withdraw", {"reason": "Nộp nhầm"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Đã rút hồ sơ" in page
    again = client.submit(
        f"/dossiers/{dossier.id}/withdraw", {"reason": "x"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Không thể thực hiện thao tác này" in again
    assert db.session.get(Dossier, dossier.id).status == "withdrawn"


def test_submitted_dossier_can_no_longer_be_edited(client):
    citizen = create_citizen()
    dossier = create_dossier(citizen, submitted=True)
    login(client, citizen)
    response = client.submit(
        f"/dossiers/{dossier.id}/edit", {"student_full_name": "Đổi tên", "action": "save"}
    )
    assert response.status_code == 302 and response.location.endswith(f"/dossiers/{dossier.id}")
    assert ["student_full_name", "Đổi tên"] not in db.session.get(Dossier, dossier.id).form_data
