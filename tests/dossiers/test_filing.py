"""The citizen journey: draft, e-form, attachments, review, submission, my dossiers, withdrawal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.divisions import ward_choices
from service.dossiers.models import Dossier, DossierEvent, FormStash
from service.dossiers.samples import png_bytes, sample_pairs
from service.extensions import db
from tests.conftest import CSRF_INPUT
from tests.factories import (
    ORGANISATION_PROCEDURE,
    PASSWORD,
    create_citizen,
    create_dossier,
    create_organisation,
    last_email,
    login,
    pdf_upload,
    procedure_version,
    queries_to_get,
)
from tests.support.filing import DECLARED, FROM_OUR_PAGE, save, start

CODE = re.compile(r"^H01\.48-\d{6}-\d{4}$")


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

    response = client.submit(f"/dossiers/{dossier_id}/submit", DECLARED, follow_redirects=True)
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
    first = client.submit(f"/dossiers/{dossier.id}/submit", DECLARED)
    second = client.submit(f"/dossiers/{dossier.id}/submit", DECLARED)
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


def test_tampered_form_without_csrf_token_is_refused_and_nothing_changes(client):
    citizen = create_citizen()
    dossier = create_dossier(citizen, submitted=True)
    login(client, citizen)
    response = client.post(f"/dossiers/{dossier.id}/withdraw", data={"reason": "x", "csrf_token": "forged"})
    assert response.status_code == 400
    assert "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ" in response.get_data(as_text=True)
    assert db.session.get(Dossier, dossier.id).status == "submitted"


def open_form_then_lose_the_session(app, client) -> tuple[object, int, str]:
    """A citizen opens a draft's e-form (its token in the page), then the session expires."""
    citizen = create_citizen()
    login(client, citizen)
    dossier_id = start(client)
    page = client.get(f"/dossiers/{dossier_id}/edit").get_data(as_text=True)
    token = CSRF_INPUT.search(page).group(1)
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    return citizen, dossier_id, token


@pytest.mark.parametrize(
    "headers",
    [
        FROM_OUR_PAGE,
        {"Referer": "http://localhost/dossiers/1/edit"},  # a browser that sends no Origin
        {"Origin": "http://127.0.0.1:5000", "Sec-Fetch-Site": "same-origin"},  # APP_BASE_URL, behind a proxy
    ],
    ids=["origin", "referer", "public-address"],
)
def test_expired_session_while_filing_keeps_the_draft(app, client, headers):
    citizen, dossier_id, page_token = open_form_then_lose_the_session(app, client)
    response = client.post(
        f"/dossiers/{dossier_id}/edit",
        data={"student_full_name": "Trần Văn Kiên", "action": "save", "csrf_token": page_token},
        headers=headers,
    )
    assert response.status_code == 302 and "/account/login" in response.location
    client._csrf = None
    after_login = client.submit(response.location, {"email": citizen.email, "password": PASSWORD})
    assert after_login.location.endswith(f"/dossiers/{dossier_id}/edit")
    page = client.get(after_login.location).get_data(as_text=True)
    assert 'value="Trần Văn Kiên"' in page and "đã được giữ lại" in page
    assert ["student_full_name", "Trần Văn Kiên"] in db.session.get(Dossier, dossier_id).form_data


@pytest.mark.parametrize(
    ("headers", "token"),
    [
        ({"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, None),  # no token at all
        ({"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, "attacker's own"),
        ({"Origin": "null"}, "attacker's own"),  # a sandboxed frame or a data: page
        ({"Referer": "https://evil.example/form"}, "attacker's own"),  # an old browser, no Origin
        ({}, "attacker's own"),  # the page suppressed its Referer
        ({"Origin": "http://localhost", "Sec-Fetch-Site": "same-site"}, "attacker's own"),  # a sibling host
        (FROM_OUR_PAGE, None),  # our origin, but no token
        (FROM_OUR_PAGE, "forged"),
    ],
    ids=[
        "no-token",
        "cross-site",
        "null-origin",
        "foreign-referer",
        "no-origin",
        "same-site",
        "tokenless",
        "forged",
    ],
)
def test_a_post_from_another_site_never_reaches_the_victims_draft(app, client, other_client, headers, token):
    """The victim's session expired with a draft open; an attacker's page makes the victim's browser
    post the e-form. The attacker can put in it a token of ours signed for the attacker's own session."""
    citizen, dossier_id, _ = open_form_then_lose_the_session(app, client)
    if token == "attacker's own":
        token = other_client.csrf_token()
    data = {"student_full_name": "Giá trị của kẻ tấn công", "action": "save"}
    response = client.post(
        f"/dossiers/{dossier_id}/edit",
        data={**data, **({"csrf_token": token} if token else {})},
        headers=headers,
    )
    assert response.status_code == 400
    assert "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(FormStash)) == 0
    client._csrf = None
    login(client, citizen)
    page = client.get(f"/dossiers/{dossier_id}/edit").get_data(as_text=True)
    assert "kẻ tấn công" not in page and "đã được giữ lại" not in page
    assert ["student_full_name", data["student_full_name"]] not in db.session.get(
        Dossier, dossier_id
    ).form_data


def test_saving_from_a_stale_page_does_not_overwrite_silently(client):
    citizen = create_citizen()
    login(client, citizen)
    dossier_id = start(client)
    page = client.get(f"/dossiers/{dossier_id}/edit").get_data(as_text=True)
    stale_version = re.search(r'name="version" value="(\d+)"', page).group(1)
    save(client, dossier_id, [("student_full_name", "Bản từ điện thoại")])
    response = client.submit(
        f"/dossiers/{dossier_id}/edit",
        [("student_full_name", "Bản từ máy tính"), ("action", "save"), ("version", stale_version)],
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "vừa được lưu từ một cửa sổ hoặc thiết bị khác" in page and 'value="Bản từ máy tính"' in page
    assert ["student_full_name", "Bản từ điện thoại"] in db.session.get(Dossier, dossier_id).form_data
    save(client, dossier_id, [("student_full_name", "Bản từ máy tính")])
    assert ["student_full_name", "Bản từ máy tính"] in db.session.get(Dossier, dossier_id).form_data


def test_table_rows_are_added_and_removed_without_javascript(client):
    organisation = create_organisation()
    login(client, organisation)
    dossier_id = start(client, ORGANISATION_PROCEDURE)
    rows = [("occupations-0-occupation_name", "Điện công nghiệp")]
    page = save(client, dossier_id, rows, "add_row:occupations").get_data(as_text=True)
    assert 'name="occupations-1-occupation_name"' in page
    two = [*rows, ("occupations-1-occupation_name", "Hàn")]
    page = save(client, dossier_id, two, "remove_row:occupations:0").get_data(as_text=True)
    assert 'value="Hàn"' in page and "Điện công nghiệp" not in page
    assert 'name="occupations-1-occupation_name"' not in page


def test_address_commune_must_belong_to_the_province(client):
    organisation = create_organisation()
    login(client, organisation)
    dossier_id = start(client, ORGANISATION_PROCEDURE)
    hanoi_ward = ward_choices(1)[0][0]
    page = save(
        client, dossier_id, [("head_office_address-province", "91"), ("head_office_address-ward", hanoi_ward)]
    ).get_data(as_text=True)
    assert "Xã, phường không thuộc tỉnh, thành phố đã chọn" in page
    assert "Phường Rạch Giá" in page  # the communes of An Giang are offered


def test_owner_deletes_a_draft_and_its_files(app, client):
    citizen = create_citizen()
    dossier = create_dossier(citizen)
    stored, dossier_id = [f.stored_name for f in dossier.files], dossier.id
    login(client, citizen)
    client.submit(f"/dossiers/{dossier_id}/delete")
    assert db.session.scalar(db.select(Dossier).where(Dossier.id == dossier_id)) is None
    assert not any((Path(app.config["UPLOAD_FOLDER"]) / name[:2] / name).exists() for name in stored)


def test_uploads_are_stored_outside_the_web_root_under_random_names(app, client):
    citizen = create_citizen()
    dossier = create_dossier(citizen)
    stored = dossier.files[0]
    assert stored.original_name not in stored.stored_name
    path = Path(app.config["UPLOAD_FOLDER"]) / stored.stored_name[:2] / stored.stored_name
    assert path.exists() and not str(path).startswith(app.static_folder)
    assert client.get(f"/static/{stored.stored_name}").status_code == 404
    assert path.stat().st_mode & 0o777 == 0o600  # another local account cannot read it


def test_the_whole_dossier_has_a_size_limit(app, client):
    citizen = create_citizen()
    dossier = create_dossier(citizen, files=False)
    document = next(d for d in dossier.procedure_version.documents if "pdf" in d["file_types"])
    login(client, citizen)
    chunk = b"%PDF-1.4\n" + b"0" * (app.config["MAX_FILE_BYTES"] - 100)
    limit = app.config["MAX_DOSSIER_BYTES"]
    app.config["MAX_DOSSIER_BYTES"] = len(chunk) + 10
    try:
        client.submit(
            f"/dossiers/{dossier.id}/attachments/{document['key']}", {"file": pdf_upload("1.pdf", chunk)}
        )
        other = next(
            d
            for d in dossier.procedure_version.documents
            if d["key"] != document["key"] and "pdf" in d["file_types"]
        )
        page = client.submit(
            f"/dossiers/{dossier.id}/attachments/{other['key']}",
            {"file": pdf_upload("2.pdf", chunk)},
            follow_redirects=True,
        ).get_data(as_text=True)
    finally:
        app.config["MAX_DOSSIER_BYTES"] = limit
    assert "Tổng dung lượng hồ sơ vượt quá" in page
    assert len(db.session.get(Dossier, dossier.id).files) == 1


def test_my_dossiers_page_does_not_query_per_row(app, client):

    citizen = create_citizen()
    login(client, citizen)

    create_dossier(citizen, files=False)
    few = queries_to_get(client, "/dossiers")
    for _ in range(4):
        create_dossier(citizen, files=False)
    assert queries_to_get(client, "/dossiers") == few


def test_a_new_address_starts_in_the_served_province_with_its_communes(client):
    login(client, create_organisation())
    dossier_id = start(client, ORGANISATION_PROCEDURE)
    page = client.get(f"/dossiers/{dossier_id}/edit").get_data(as_text=True)
    assert '<option selected value="91">An Giang</option>' in page
    assert "Phường Rạch Giá" in page


def _zip(names: list[str]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


def test_a_word_document_is_recognised_and_any_other_zip_is_not(client):
    citizen = create_citizen()
    dossier = create_dossier(citizen, files=False)
    document = next(d for d in dossier.procedure_version.documents if "docx" in d["file_types"])
    login(client, citizen)
    url = f"/dossiers/{dossier.id}/attachments/{document['key']}"
    refused = client.submit(url, {"file": pdf_upload("don.docx", _zip(["virus.exe"]))}, follow_redirects=True)
    assert "Nội dung tệp không phải định dạng được chấp nhận" in refused.get_data(as_text=True)
    client.submit(url, {"file": pdf_upload("don.docx", _zip(["[Content_Types].xml", "word/document.xml"]))})
    assert [f.file_type for f in db.session.get(Dossier, dossier.id).files] == ["docx"]
