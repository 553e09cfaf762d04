"""The one-stop desk files paper dossiers (issue 17 item 1, issue 14 item 7): a walk-in applicant found or
recorded by their number, the procedure's own e-form, each component checked and its scan attached (marked
as digitised), and the dossier received at once, its code dated on the day of receipt, form 01 printed for
both signatures; a posted application with its postmark and receipt dates; the checklist's reasons in
forms 02 and 03, for paper and online dossiers alike."""

from __future__ import annotations

import io
import re
from datetime import datetime, time, timedelta

from service.accounts import walk_in
from service.accounts.models import User
from service.agencies import queries as agency_queries
from service.deadlines.calendar import current_calendar
from service.documents import issuing
from service.documents.jobs import run_pending
from service.dossiers.models import Dossier, DossierFile, ReceptionCheck
from service.dossiers.samples import sample_file, sample_pairs
from service.extensions import db
from service.timeutil import local_today
from tests.factories import (
    PERSON_PROCEDURE,
    create_citizen,
    create_dossier,
    create_official,
    login,
    procedure_version,
    row_counts,
)
from tests.support.desk import applicant_named
from tests.support.documents import documents_of, text_of
from tests.support.processing import act, as_

LONG_XUYEN = "30307"  # phường Long Xuyên (vietnam-provinces): a commune's centre


def _desk(client, agency=None):
    official = create_official("reception", agency=agency)
    login(client, official)
    return official


def _filing(version, channel="desk", verdicts=None, outcome="receive", **extra):
    """What the desk's page posts: the e-form as the sample fills it, a verdict and a scan per required
    component (unless `verdicts` says otherwise), the outcome."""
    data = dict(sample_pairs(version.fields))
    for document in version.documents:
        if not document.get("required"):
            continue
        verdict, reason = (verdicts or {}).get(document["key"], ("received", ""))
        data[f"check-{document['key']}"] = verdict
        data[f"check-reason-{document['key']}"] = reason
        if verdict == "received":
            content, name = sample_file(document["file_types"], document["key"])
            data[f"scan-{document['key']}"] = (io.BytesIO(content), name)
    data.update({"desk-outcome": outcome, "desk-delivery_method": "desk", "action": "file", **extra})
    return data


def _file_url(applicant, channel="desk", code=PERSON_PROCEDURE):
    return f"/officials/desk/file/{walk_in.reference(applicant)}/{code}/{channel}"


def _filed(applicant) -> Dossier:
    return db.session.scalar(
        db.select(Dossier).where(Dossier.owner_id == applicant.id).order_by(Dossier.id.desc())
    )


def test_a_walk_in_applicant_is_recorded_and_their_dossier_received_at_once_with_form_01(client):
    desk = _desk(client)
    version = procedure_version()
    found = client.submit("/officials/desk/", {"number": "079123456789"})
    assert found.status_code == 200 and "Ghi nhận người nộp mới" in found.get_data(as_text=True)
    created = client.submit(
        "/officials/desk/applicants",
        {"number": "079123456789", "full_name": "Lê Thị Nộp Giấy", "phone": "0901234567"},
    )
    assert created.status_code == 302
    applicant = db.session.scalar(db.select(User).where(User.personal_id == "079123456789"))
    assert (
        applicant.role == "citizen" and applicant.email is None and applicant.full_name == "Lê Thị Nộp Giấy"
    )
    # The same number again finds the record rather than making another.
    again = client.submit("/officials/desk/", {"number": "079123456789"})
    assert again.status_code == 302 and again.location.startswith("/officials/desk/?applicant=")
    assert applicant_named(again.location) == applicant
    start = client.get(again.location).get_data(as_text=True)
    assert "Lê Thị Nộp Giấy" in start and PERSON_PROCEDURE in start
    chosen = client.get(
        f"/officials/desk/choose?applicant={walk_in.reference(applicant)}&procedure={PERSON_PROCEDURE}&channel=desk"
    )
    assert chosen.status_code == 302 and chosen.location.startswith("/officials/desk/file/")
    assert chosen.location.endswith(f"/{PERSON_PROCEDURE}/desk")
    page = client.get(_file_url(applicant)).get_data(as_text=True)
    assert version.fields[0]["label"] in page and version.documents[0]["name"] in page

    answer = client.submit(_file_url(applicant), _filing(version), content_type="multipart/form-data")
    assert answer.status_code == 302, answer.get_data(as_text=True)[:3000]
    dossier = _filed(applicant)
    agency = agency_queries.province()
    assert dossier.status == "received" and dossier.channel == "desk" and dossier.received_by_id == desk.id
    assert re.fullmatch(rf"{re.escape(agency.code)}-{local_today():%y%m%d}-\d{{4}}", dossier.code)
    assert dossier.components_digitised_at is not None and dossier.files
    assert all(f.digitised and f.uploaded_by_id == desk.id for f in dossier.files)
    assert {c.verdict for c in dossier.checks} == {"received"}
    assert [e.event for e in dossier.events] == ["file_on_paper", "receive"]
    run_pending()
    [receipt] = documents_of(dossier, "form_01")
    text = text_of(issuing.pdf_bytes(receipt)).replace("\n", " ")
    assert "Lê Thị Nộp Giấy" in text and dossier.code in text and "079123456789" in text
    assert "NGƯỜI NỘP HỒ SƠ" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text and "(Ký và ghi rõ họ tên)" in text
    assert "Nộp trực tuyến" not in text


def test_an_applicant_is_reached_by_a_signed_reference_never_by_the_row_id(client, monkeypatch):
    citizen = create_citizen(full_name="Đặng Thị Riêng Tư")
    _desk(client)
    assert "Đặng Thị Riêng Tư" not in client.get(f"/officials/desk/?applicant={citizen.id}").get_data(
        as_text=True
    )
    assert client.get(f"/officials/desk/file/{citizen.id}/{PERSON_PROCEDURE}/desk").status_code == 404
    ref = walk_in.reference(citizen)
    forged = ref[:-2] + ("AA" if not ref.endswith("AA") else "BB")
    assert client.get(f"/officials/desk/file/{forged}/{PERSON_PROCEDURE}/desk").status_code == 404
    assert "Đặng Thị Riêng Tư" in client.get(f"/officials/desk/?applicant={ref}").get_data(as_text=True)
    monkeypatch.setattr(walk_in, "REFERENCE_MAX_AGE", -1)  # a reference from an earlier day has expired
    assert client.get(f"/officials/desk/file/{ref}/{PERSON_PROCEDURE}/desk").status_code == 404


def test_an_account_holder_is_found_by_their_number(client):
    citizen = create_citizen()
    _desk(client)
    answer = client.submit("/officials/desk/", {"number": citizen.personal_id})
    assert answer.status_code == 302 and applicant_named(answer.location) == citizen


def test_a_posted_application_keeps_its_postmark_and_counts_from_the_day_of_receipt(client):
    _desk(client)
    citizen = create_citizen()
    version = procedure_version()
    calendar = current_calendar()
    received_on = local_today() - timedelta(days=3)
    postmarked_on = received_on - timedelta(days=2)
    data = _filing(
        version,
        "post",
        **{"desk-received_on": received_on.isoformat(), "desk-postmarked_on": postmarked_on.isoformat()},
    )
    answer = client.submit(_file_url(citizen, "post"), data, content_type="multipart/form-data")
    assert answer.status_code == 302, answer.get_data(as_text=True)[:3000]
    dossier = _filed(citizen)
    assert dossier.channel == "post" and dossier.postmarked_on == postmarked_on
    assert f"-{received_on:%y%m%d}-" in dossier.code  # dated on the day the desk received it
    expected = calendar.due_date(
        datetime.combine(received_on, time.min), dossier.processing_days, version.content.get("cutoff_hour")
    )
    assert dossier.due_date == expected
    assert (
        f"{postmarked_on:%d/%m/%Y}" in dossier.events[0].note
        and f"{received_on:%d/%m/%Y}" in dossier.events[0].note
    )
    run_pending()
    [receipt] = documents_of(dossier, "form_01")
    text = text_of(issuing.pdf_bytes(receipt)).replace("\n", " ")
    assert f"ngày theo dấu bưu chính {postmarked_on:%d/%m/%Y}" in text and f"{received_on:%d/%m/%Y}" in text


def test_a_postmark_after_the_receipt_or_a_receipt_tomorrow_is_refused(client):
    _desk(client)
    citizen = create_citizen()
    version = procedure_version()
    today = local_today()
    before = row_counts(Dossier, DossierFile)
    for received, postmarked, message in (
        (today, today + timedelta(days=1), "Vui lòng nhập ngày theo dấu bưu chính (không sau hôm nay)."),
        (today - timedelta(days=2), today, "Ngày theo dấu bưu chính không thể sau ngày nhận hồ sơ."),
        (
            today + timedelta(days=1),
            today,
            "Vui lòng nhập ngày Bộ phận Một cửa nhận hồ sơ (không sau hôm nay).",
        ),
    ):
        data = _filing(
            version,
            "post",
            **{"desk-received_on": received.isoformat(), "desk-postmarked_on": postmarked.isoformat()},
        )
        answer = client.submit(_file_url(citizen, "post"), data, content_type="multipart/form-data")
        assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    assert row_counts(Dossier, DossierFile) == before


def test_the_checklist_reasons_are_what_form_02_asks_for(client):
    _desk(client)
    citizen = create_citizen()
    version = procedure_version()
    missing = next(d for d in version.documents if d.get("required"))
    data = _filing(
        version,
        verdicts={missing["key"]: ("missing", "Chưa có bản sao giấy xác nhận hộ nghèo năm 2026")},
        outcome="request_supplement",
    )
    answer = client.submit(_file_url(citizen), data, content_type="multipart/form-data")
    assert answer.status_code == 302, answer.get_data(as_text=True)[:3000]
    dossier = _filed(citizen)
    assert dossier.status == "supplement_requested" and dossier.channel == "desk"
    run_pending()
    [request] = documents_of(dossier, "form_02")
    text = " ".join(text_of(issuing.pdf_bytes(request)).split())
    assert "Chưa có bản sao giấy xác nhận hộ nghèo năm 2026" in text and missing["name"][:40] in text


def test_receiving_needs_every_component_received_and_each_finding_needs_its_reason(client):
    _desk(client)
    citizen = create_citizen()
    version = procedure_version()
    first = next(d for d in version.documents if d.get("required"))
    before = row_counts(Dossier, DossierFile, ReceptionCheck)
    unreasoned = _filing(version, verdicts={first["key"]: ("invalid", "")}, outcome="request_supplement")
    answer = client.submit(_file_url(citizen), unreasoned, content_type="multipart/form-data")
    assert answer.status_code == 400
    assert "Vui lòng ghi rõ lý do thiếu hoặc không hợp lệ" in answer.get_data(as_text=True)
    incomplete = _filing(version, verdicts={first["key"]: ("missing", "Không mang theo")})
    answer = client.submit(_file_url(citizen), incomplete, content_type="multipart/form-data")
    assert answer.status_code == 400 and "chỉ tiếp nhận khi đủ" in answer.get_data(as_text=True)
    assert row_counts(Dossier, DossierFile, ReceptionCheck) == before


def test_the_checklist_on_an_online_dossier_gives_form_03_its_reasons(client):
    citizen = create_citizen()
    dossier = create_dossier(citizen, submitted=True)
    _desk(client)
    first = next(d for d in dossier.procedure_version.documents if d.get("required"))
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "Kiểm tra thành phần hồ sơ" in page
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    checks = {
        f"check-{d['key']}": "received" for d in dossier.procedure_version.documents if d.get("required")
    }
    checks[f"check-{first['key']}"] = "invalid"
    checks[f"check-reason-{first['key']}"] = "Đơn không có chữ ký của người học"
    answer = client.submit(f"/officials/desk/dossiers/{dossier.id}/checklist", {**checks, "version": version})
    assert answer.status_code == 302
    refused = act(client, dossier, "refuse", reason="")
    assert refused.status_code == 200
    dossier = db.session.get(Dossier, dossier.id)
    assert dossier.status == "refused"
    run_pending()
    [refusal] = documents_of(dossier, "form_03")
    text = " ".join(text_of(issuing.pdf_bytes(refusal)).split())
    assert "Đơn không có chữ ký của người học" in text and "không hợp lệ" in text


def test_a_checklist_without_reasons_is_refused_in_vietnamese(client):
    citizen = create_citizen()
    dossier = create_dossier(citizen, submitted=True)
    _desk(client)
    first = next(d for d in dossier.procedure_version.documents if d.get("required"))
    answer = client.submit(
        f"/officials/desk/dossiers/{dossier.id}/checklist", {f"check-{first['key']}": "missing"}
    )
    assert answer.status_code == 400
    assert "Vui lòng chọn kết quả kiểm tra" in answer.get_data(
        as_text=True
    ) or "Vui lòng ghi rõ lý do" in answer.get_data(as_text=True)
    assert row_counts(ReceptionCheck) == (0,)


def test_an_unknown_number_is_refused_in_vietnamese(client):
    _desk(client)
    before = row_counts(User)
    for number in ("12345", "000123456789", "abc"):
        answer = client.submit("/officials/desk/", {"number": number})
        assert answer.status_code == 400 and "phải gồm đúng 12 chữ số" in answer.get_data(as_text=True)
    answer = client.submit("/officials/desk/applicants", {"number": "079123456789", "full_name": ""})
    assert answer.status_code == 400 and "Vui lòng nhập họ và tên." in answer.get_data(as_text=True)
    assert row_counts(User) == before


def test_a_missing_required_field_is_named_and_nothing_is_filed(client):
    _desk(client)
    citizen = create_citizen()
    version = procedure_version()
    spec = next(s for s in version.fields if s.get("required") and s["type"] not in ("table", "address"))
    data = _filing(version)
    data[spec["key"]] = ""
    before = row_counts(Dossier, DossierFile)
    answer = client.submit(_file_url(citizen), data, content_type="multipart/form-data")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Hồ sơ chưa ghi nhận được" in page and spec["label"] in page
    assert row_counts(Dossier, DossierFile) == before


def test_only_the_desk_files_paper_dossiers_and_only_its_own_agencys(client):
    citizen = create_citizen()
    login(client, citizen)
    assert client.get("/officials/desk/").status_code == 403
    assert (
        client.submit(
            _file_url(citizen), _filing(procedure_version()), content_type="multipart/form-data"
        ).status_code
        == 403
    )
    as_(client, create_official("specialist"))
    assert client.get("/officials/desk/").status_code == 403
    online = create_dossier(create_citizen(), submitted=True)
    assert client.submit(f"/officials/desk/dossiers/{online.id}/checklist", {}).status_code == 403
    # A commune's desk neither sees the provincial centre's dossier nor checks it.
    as_(client, create_official("reception", agency=LONG_XUYEN))
    assert client.submit(f"/officials/desk/dossiers/{online.id}/checklist", {}).status_code == 404
    # Nor receives a provincial procedure on paper.
    answer = client.submit(
        _file_url(citizen), _filing(procedure_version()), content_type="multipart/form-data"
    )
    assert answer.status_code == 400 and "Thủ tục này thuộc cấp tỉnh" in answer.get_data(as_text=True)
    # An official's account is not an applicant.
    assert client.get(_file_url(create_official("leader"))).status_code == 404


def test_a_scan_is_checked_as_a_citizens_upload_is(client):
    _desk(client)
    citizen = create_citizen()
    version = procedure_version()
    first = next(d for d in version.documents if d.get("required"))
    data = _filing(version)
    data[f"scan-{first['key']}"] = (io.BytesIO(b"MZ\x90\x00 not a scan"), "scan.pdf")
    before = row_counts(Dossier, DossierFile)
    answer = client.submit(_file_url(citizen), data, content_type="multipart/form-data")
    assert answer.status_code == 400
    assert "Nội dung tệp không phải định dạng được chấp nhận" in answer.get_data(as_text=True)
    assert row_counts(Dossier, DossierFile) == before


def test_an_organisation_is_recorded_by_its_tax_code(client):
    _desk(client)
    missing_name = client.submit(
        "/officials/desk/applicants", {"number": "1601234567", "full_name": "Võ Văn Đại Diện"}
    )
    assert missing_name.status_code == 400 and "Vui lòng nhập tên tổ chức." in missing_name.get_data(
        as_text=True
    )
    created = client.submit(
        "/officials/desk/applicants",
        {"number": "1601234567", "full_name": "Võ Văn Đại Diện", "organisation_name": "Trường Trung cấp Mẫu"},
    )
    assert created.status_code == 302
    organisation = db.session.scalar(db.select(User).where(User.tax_code == "1601234567"))
    assert organisation.role == "organisation" and organisation.display_name == "Trường Trung cấp Mẫu"
    assert (
        applicant_named(client.submit("/officials/desk/", {"number": "1601234567"}).location) == organisation
    )
