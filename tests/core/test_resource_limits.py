"""Resource limits (issue 12, item 7): spreadsheets refused before they are parsed, per-account storage
quotas for drafts, bounded storage of unsigned gateway notifications, request bodies."""

from __future__ import annotations

import io
import json
import time
import tracemalloc
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import current_app
from openpyxl import Workbook
from werkzeug.datastructures import FileStorage

from service import spreadsheets, tasks, uploads
from service.accounts.models import User
from service.audit.models import AuditEntry
from service.database import write
from service.dossiers import operations as dossiers
from service.dossiers.cleanup import Cleanup, clean_abandoned_drafts
from service.dossiers.models import Dossier, DossierFile
from service.extensions import db
from service.payments import settlement
from service.payments.gateways import momo, vnpay
from service.payments.models import PaymentNotification, UnverifiedNotificationDay
from service.reporting import operations as reporting
from service.schools import imports
from service.schools.models import StudentImport
from service.timeutil import format_date, utcnow
from tests.factories import (
    PERSON_PROCEDURE,
    create_citizen,
    create_class,
    create_dossier,
    create_school,
    create_school_user,
    last_email,
    login,
)
from tests.support.threads import run_together

MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
PARTS = {
    "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    b'"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    b'worksheet+xml"/></Types>',
    "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    b'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" '
    b'sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    b'2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


def workbook(rows, head: bytes = b"", extra: dict[str, bytes] | None = None) -> bytes:
    """An .xlsx written part by part, its sheet streamed from `rows` (bytes of <row> elements), so that
    a sheet of hundreds of megabytes never sits in the test's memory either."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, body in {**PARTS, **(extra or {})}.items():
            archive.writestr(name, body)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet ' + MAIN + b">" + head + b"<sheetData>")
            for row in rows:
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def bomb() -> bytes:
    """20,000 rows of 1,000 empty cells: 80 MB of XML that packs into about a hundred kilobytes."""
    row = b"<row>" + b"<c/>" * 1000 + b"</row>"
    return workbook(row for _ in range(20_000))


@pytest.fixture
def no_openpyxl(monkeypatch):
    """openpyxl must not be reached: a refusal happens on the zip's directory and a streamed count."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("openpyxl was called")

    monkeypatch.setattr("openpyxl.load_workbook", refuse)


def school_staff(client):
    school = create_school("TRX")
    create_class(school, "CD-CNTT-K26")
    login(client, create_school_user(school, "school_admin"))
    return school


def upload_students(client, data: bytes, name: str = "ds.xlsx"):
    return client.submit(
        "/school/students/import", {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


# ---------------------------------------------------------------- spreadsheets


def test_a_zip_bomb_is_refused_quickly_from_its_directory_without_parsing(client, no_openpyxl):
    data = bomb()
    assert len(data) < 150 * 1024  # under the upload limit: only what it unpacks to gives it away
    started = time.monotonic()
    tracemalloc.start()
    with pytest.raises(
        imports.ImportFileError, match="Tệp Excel quá lớn khi giải nén: 76,5 MB, tối đa 20 MB"
    ):
        imports.read_rows(data, "ds.xlsx")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert time.monotonic() - started < 2 and peak < 10 * 1024 * 1024

    school_staff(client)
    page = upload_students(client, data)
    assert page.status_code == 400 and "Tệp Excel quá lớn khi giải nén" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(StudentImport)) == 0


def test_a_part_packed_beyond_the_ratio_is_refused_even_under_the_size_limit(app, no_openpyxl):
    row = b"<row>" + b"<c/>" * 1000 + b"</row>"
    data = workbook(row for _ in range(1_000))  # 4 MB of XML, packed about 700 to 1
    with app.test_request_context():
        bounds = spreadsheets.limits(20_000)
        with pytest.raises(
            spreadsheets.SpreadsheetRefused, match=r"nén bất thường \(tỷ lệ \d+:1, tối đa 100:1\)"
        ):
            spreadsheets.check_xlsx(data, bounds)


def test_rows_past_the_limit_are_refused_by_count_and_by_declared_dimension(app, monkeypatch, no_openpyxl):
    monkeypatch.setitem(app.config, "STUDENT_IMPORT_MAX_ROWS", 100)
    numbered = (
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (n, n) for n in range(1, 103)
    )
    with pytest.raises(imports.ImportFileError, match="Trang tính có hơn 100 dòng"):
        imports.read_rows(workbook(numbered), "ds.xlsx")
    declared = workbook([b"<row><c/></row>"], head=b'<dimension ref="A1:I5000"/>')
    with pytest.raises(imports.ImportFileError, match="Trang tính có hơn 100 dòng"):
        imports.read_rows(declared, "ds.xlsx")


def test_a_cell_far_to_the_right_does_not_widen_every_row_in_memory(app):
    """Each row's one cell in column XFD: openpyxl made every row 16,384 cells wide (1.8 GB from a
    260 KB file); rows are now read 50 columns wide."""
    far = workbook(b'<row r="%d"><c r="XFD%d"/></row>' % (n, n) for n in range(1, 3_001))
    tracemalloc.start()
    with pytest.raises(imports.ImportFileError, match="Thiếu cột"):
        imports.read_rows(far, "ds.xlsx")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 40 * 1024 * 1024


@pytest.mark.parametrize(
    ("setting", "value", "extra", "message"),
    [
        (
            "SPREADSHEET_MAX_CELLS",
            1_000,
            {"xl/sharedStrings.xml": b"<sst " + MAIN + b">" + b"<si><t>x</t></si>" * 1_001 + b"</sst>"},
            "quá nhiều ô",
        ),
        (
            "SPREADSHEET_MAX_STYLES",
            100,
            {
                "xl/styles.xml": b"<styleSheet "
                + MAIN
                + b"><cellXfs>"
                + b"<xf/>" * 101
                + b"</cellXfs></styleSheet>"
            },
            "quá nhiều định dạng",
        ),
        (
            "SPREADSHEET_MAX_MEMBERS",
            10,
            {f"xl/media/image{n}.png": b"x" for n in range(10)},
            "quá nhiều thành phần",
        ),
    ],
)
def test_shared_strings_styles_and_parts_are_counted_too(
    app, monkeypatch, no_openpyxl, setting, value, extra, message
):
    monkeypatch.setitem(app.config, setting, value)
    with pytest.raises(imports.ImportFileError, match=message):
        imports.read_rows(workbook([b"<row><c/></row>"], extra=extra), "ds.xlsx")


def test_a_broken_zip_is_refused_as_broken(app, no_openpyxl):
    data = bytearray(workbook([b"<row><c/></row>"]))
    start = data.index(b"xl/worksheets/sheet1.xml") + 30  # inside the sheet's compressed bytes
    data[start : start + 8] = b"\xff" * 8
    with pytest.raises(imports.ImportFileError, match="bị hỏng"):
        imports.read_rows(bytes(data), "ds.xlsx")
    with pytest.raises(imports.ImportFileError, match="bị hỏng"):
        imports.read_rows(b"PK\x03\x04" + b"\x00" * 200, "ds.xlsx")


def test_a_csv_longer_than_the_limit_is_refused_without_reading_it_all(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "STUDENT_IMPORT_MAX_ROWS", 100)
    school_staff(client)
    header = "Mã sinh viên,Họ và tên,Ngày sinh,Mã lớp\n"
    page = upload_students(client, (header + "\n" * 30_000).encode(), "ds.csv")  # blank lines count too
    assert page.status_code == 400 and "Tệp có hơn 100 dòng" in page.get_data(as_text=True)


def test_an_import_whose_file_became_too_long_fails_at_once_with_the_reason(client, app, monkeypatch):
    school = school_staff(client)
    book = Workbook()
    book.active.append(["Mã sinh viên", "Họ và tên", "Ngày sinh", "Mã lớp"])
    for n in range(5):
        book.active.append([f"SV{n}", "Nguyễn Văn An", "01/01/2007", "CD-CNTT-K26"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = upload_students(client, buffer.getvalue())
    monkeypatch.setitem(app.config, "STUDENT_IMPORT_MAX_ROWS", 3)  # lowered before the job runs
    batch = db.session.scalars(db.select(StudentImport).where(StudentImport.school_id == school.id)).one()
    page = client.submit(f"/school/imports/{batch.id}/confirm", follow_redirects=True).get_data(as_text=True)
    db.session.refresh(batch)
    assert report.status_code == 302 and (batch.status, batch.attempts) == ("failed", 1)
    assert "Trang tính có hơn 3 dòng" in page and "Nhập tiếp" not in page


def test_a_report_upload_that_would_unpack_too_far_is_a_400_with_the_reason(client, no_openpyxl):
    report_round = reporting.open_round("TSTN", "2026-H1", None)
    school_staff(client)
    page = client.submit(
        f"/school/reports/{report_round.id}",
        {"action": "draft", "file": (io.BytesIO(bomb()), "bc.xlsx")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 400 and "Tệp Excel quá lớn khi giải nén" in page.get_data(as_text=True)


# ---------------------------------------------------------------- drafts


def padded_pdf(kilobytes: int) -> bytes:
    return b"%PDF-1.4\n" + b"0" * (kilobytes * 1024 - 9)


def attach(dossier_id: int, owner, data: bytes, key: str = "enrolment_confirmation"):
    return dossiers.add_file(dossier_id, owner, key, FileStorage(io.BytesIO(data), filename="chung-tu.pdf"))


def stored_files() -> list[Path]:
    return [p for p in Path(current_app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()]


def test_an_applicant_keeps_at_most_so_many_drafts_and_is_told_how_to_make_room(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_OPEN_DRAFTS", 2)
    citizen = create_citizen()
    first, second = create_dossier(citizen), create_dossier(citizen, files=False)
    login(client, citizen)

    def start():
        return client.submit(f"/dossiers/new/{PERSON_PROCEDURE}", follow_redirects=True).get_data(
            as_text=True
        )

    refused = start()
    assert "Tài khoản đang có 2 hồ sơ nháp, đã đạt giới hạn 2 hồ sơ nháp" in refused
    assert "xóa bớt hồ sơ nháp" in refused
    assert (
        db.session.scalar(db.select(db.func.count()).select_from(Dossier)) == 2
    )  # nothing lost, nothing new
    assert "Hồ sơ nháp: 2/2" in client.get("/dossiers").get_data(as_text=True)

    dossiers.submit(first.id, citizen)  # a submitted dossier no longer counts
    assert "Lưu nháp" in start() and "đã đạt giới hạn" in start()
    client.submit(f"/dossiers/{second.id}/delete")  # nor does a deleted draft
    assert "Lưu nháp" in start()


def test_the_files_of_an_accounts_drafts_share_one_quota(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_DRAFT_BYTES_PER_ACCOUNT", 300 * 1024)
    citizen = create_citizen()
    first, second = create_dossier(citizen, files=False), create_dossier(citizen, files=False)
    attach(first.id, citizen, padded_pdf(150))
    attach(second.id, citizen, padded_pdf(100))
    login(client, citizen)
    page = client.submit(
        f"/dossiers/{first.id}/attachments/birth_certificate",
        {"file": (io.BytesIO(padded_pdf(60)), "them.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "đã dùng 0,2 MB / 0,3 MB cho phép" in page and "vượt quá phần còn lại (0 MB)" in page
    assert "xóa bớt hồ sơ nháp" in page and "vẫn được giữ nguyên" in page
    assert len(db.session.get(Dossier, first.id).files) == 1 and len(stored_files()) == 2
    assert "Tệp đính kèm của các hồ sơ nháp: 0,2 MB / 0,3 MB" in client.get("/dossiers").get_data(
        as_text=True
    )

    dossiers.submit(create_dossier(citizen).id, citizen)  # submitted dossiers' files do not count
    attach(second.id, citizen, padded_pdf(40), key="birth_certificate")


def test_one_dossier_says_how_much_it_holds_when_full(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_DOSSIER_BYTES", 250 * 1024)
    citizen = create_citizen()
    draft = create_dossier(citizen, files=False)
    attach(draft.id, citizen, padded_pdf(150))
    with pytest.raises(
        dossiers.DossierError, match="vượt quá 0,2 MB: hồ sơ đã có 0,1 MB tệp, tệp này 0,1 MB"
    ):
        attach(draft.id, citizen, padded_pdf(150), key="birth_certificate")


def test_two_uploads_at_once_cannot_both_slip_under_the_quota(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_DRAFT_BYTES_PER_ACCOUNT", 300 * 1024)
    citizen = create_citizen()
    ids, citizen_id = [create_dossier(citizen, files=False).id for _ in range(2)], citizen.id
    store = uploads.store

    def slow_store(data, file_type):  # between the count and the commit: where a race would slip in
        time.sleep(0.3)
        return store(data, file_type)

    monkeypatch.setattr(uploads, "store", slow_store)

    def upload(i):
        try:
            attach(ids[i], db.session.get(User, citizen_id), padded_pdf(180))
        except dossiers.DossierError:
            return False
        return True

    assert sorted(run_together(app, 2, upload)) == [False, True]
    assert db.session.scalar(db.select(db.func.count()).select_from(DossierFile)) == 1


def test_a_draft_too_large_to_be_a_form_is_not_saved_and_the_saved_one_stays(app, monkeypatch):
    monkeypatch.setitem(app.config, "DRAFT_FORM_MAX_BYTES", 1024)
    citizen = create_citizen()
    draft = create_dossier(citizen, files=False)
    before = db.session.get(Dossier, draft.id).form_data
    with pytest.raises(dossiers.DossierError, match="quá lớn"):
        dossiers.save_form(draft.id, citizen, [("ghi_chu", "x" * 2000)], None)
    assert db.session.get(Dossier, draft.id).form_data == before


def age(dossier_id: int, days: int) -> None:
    with write():
        db.session.execute(
            db.update(Dossier)
            .where(Dossier.id == dossier_id)
            .values(updated_at=utcnow() - timedelta(days=days))
        )


def test_an_abandoned_draft_is_announced_then_deleted_unless_saved_meanwhile(app):
    citizen = create_citizen()
    abandoned, kept = create_dossier(citizen), create_dossier(citizen)
    submitted = create_dossier(citizen, submitted=True)
    for dossier_id in (abandoned.id, kept.id, submitted.id):
        age(dossier_id, 91)
    files_before = len(stored_files())

    assert clean_abandoned_drafts() == Cleanup(warned=2, deleted=0)
    message = last_email(citizen.email)
    deletion = format_date(utcnow() + timedelta(days=14))
    assert (
        f"sẽ bị xóa sau ngày {deletion}" in message.subject
        and message.body_text.count("Thực hiện chính sách nội trú") == 2
    )
    assert clean_abandoned_drafts() == Cleanup(warned=0, deleted=0)  # announced once

    dossiers.save_form(kept.id, citizen, [("ghi_chu", "vẫn cần")], None)  # the owner keeps this one
    later = utcnow() + timedelta(days=15)
    assert clean_abandoned_drafts(later) == Cleanup(warned=0, deleted=1)
    assert db.session.get(Dossier, abandoned.id) is None and db.session.get(Dossier, kept.id) is not None
    assert db.session.get(Dossier, submitted.id).status == "submitted"
    assert len(stored_files()) == files_before - len(abandoned.files)
    entry = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.event == "dossier.abandoned_draft_deleted" and entry.details["owner"] == citizen.email


def test_no_draft_is_ever_deleted_when_the_cleanup_is_off(app, monkeypatch):
    monkeypatch.setitem(app.config, "DRAFT_ABANDONED_DAYS", 0)
    draft = create_dossier(create_citizen())
    age(draft.id, 1000)
    assert clean_abandoned_drafts(utcnow() + timedelta(days=1000)) == Cleanup()
    assert db.session.get(Dossier, draft.id) is not None


# ---------------------------------------------------------------- unsigned gateway notifications


def vnpay_params(**extra) -> dict[str, str]:
    return {
        "vnp_TmnCode": "GDNNDEMO",
        "vnp_TxnRef": "TTNOSUCHREF00",
        "vnp_Amount": "1000000",
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
        **extra,
    }


def signed(params: dict[str, str]) -> dict[str, str]:
    return {**params, "vnp_SecureHash": vnpay.sign(params, current_app.config["VNPAY_HASH_SECRET"])}


def vnpay_ipn(client, params: dict, address: str = "192.0.2.10") -> str:
    return client.get("/payments/vnpay/ipn", query_string=params, environ_base={"REMOTE_ADDR": address}).json[
        "RspCode"
    ]


def notes(verified: bool | None = None) -> list[PaymentNotification]:
    query = db.select(PaymentNotification).order_by(PaymentNotification.id)
    if verified is not None:
        query = query.where(PaymentNotification.verified.is_(verified))
    return db.session.scalars(query).all()


def test_an_unsigned_notification_is_kept_cut_to_a_few_kilobytes_and_a_signed_one_whole(client):
    padding = {f"vnp_Extra{n}": "v" * 100 for n in range(100)}
    forged = vnpay_params(vnp_OrderInfo="x" * 20_000, **padding, vnp_SecureHash="0" * 128)
    assert vnpay_ipn(client, forged) == "97"
    [kept] = notes()
    assert not kept.verified and kept.outcome == "97 Invalid signature" and kept.reference == "TTNOSUCHREF00"
    assert (
        len(kept.raw.encode()) <= 4096 and len(json.dumps(kept.payload, ensure_ascii=False).encode()) <= 4096
    )
    assert kept.payload["vnp_OrderInfo"] == "x" * 256 and kept.payload["_truncated"] > 0

    genuine = signed(vnpay_params(vnp_OrderInfo="y" * 6_000))
    assert vnpay_ipn(client, genuine) == "01"  # signed, for no order of ours: answered as before
    [whole] = notes(verified=True)
    assert whole.outcome == "01 Order not found" and whole.payload["vnp_OrderInfo"] == "y" * 6_000


def test_unsigned_notifications_are_throttled_per_address_and_signed_ones_never(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "UNVERIFIED_NOTIFICATION_RATE_LIMIT", "3 per hour")
    forged = vnpay_params(vnp_SecureHash="0" * 128)
    assert [vnpay_ipn(client, forged) for _ in range(5)] == ["97"] * 5  # the protocol's answer, always
    assert len(notes()) == 3
    assert vnpay_ipn(client, forged, address="192.0.2.20") == "97" and len(notes()) == 4
    assert vnpay_ipn(client, signed(vnpay_params())) == "01"  # the throttled address, signing now
    assert len(notes(verified=True)) == 1


def momo_body(**extra) -> dict:
    return {
        "partnerCode": "MOMOGDNN",
        "orderId": "TTNOSUCHREF00",
        "requestId": "r1",
        "amount": 10000,
        "orderInfo": "x",
        "orderType": "momo_wallet",
        "transId": 1,
        "resultCode": 0,
        "message": "ok",
        "payType": "qr",
        "responseTime": 1,
        "extraData": "",
        **extra,
    }


def test_past_the_daily_cap_unsigned_notifications_are_only_counted(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "UNVERIFIED_NOTIFICATIONS_PER_DAY", 2)
    for n in range(4):
        forged = momo_body(signature="bad", requestId=f"r{n}")
        reply = client.post("/payments/momo/ipn", json=forged, environ_base={"REMOTE_ADDR": f"192.0.2.{n}"})
        assert reply.status_code == 400
    assert len(notes()) == 2
    assert db.session.get(UnverifiedNotificationDay, ("momo", utcnow().date())).received == 4
    body = momo_body()
    body["signature"] = momo.sign(
        {**body, "accessKey": app.config["MOMO_ACCESS_KEY"]}, momo.IPN_FIELDS, app.config["MOMO_SECRET_KEY"]
    )
    assert client.post("/payments/momo/ipn", json=body).status_code == 204
    assert [n.outcome for n in notes(verified=True)] == ["unknown order"]


def test_the_daily_cap_holds_under_concurrent_notifications(app, monkeypatch):
    monkeypatch.setitem(app.config, "UNVERIFIED_NOTIFICATIONS_PER_DAY", 3)

    def forge(i):
        with app.test_request_context(environ_base={"REMOTE_ADDR": f"198.51.100.{i}"}):
            return settlement.settle_vnpay(vnpay_params(vnp_SecureHash=f"{i:0128d}"))[0]

    assert run_together(app, 8, forge) == ["97"] * 8
    assert len(notes()) == 3


def test_old_unsigned_notifications_are_pruned_and_signed_ones_kept(app):
    old = utcnow() - timedelta(days=91)

    def note(verified: bool, outcome: str | None, at) -> PaymentNotification:
        return PaymentNotification(
            gateway="vnpay",
            method="GET",
            payload={},
            raw="",
            verified=verified,
            outcome=outcome,
            received_at=at,
        )

    with write():
        db.session.add_all(
            [
                note(False, "97 Invalid signature", old),
                note(True, "00 Confirm Success", old),
                note(False, None, old),  # kept before its settlement died: not known to be forged
                note(False, "97 Invalid signature", utcnow() - timedelta(days=89)),
                UnverifiedNotificationDay(gateway="vnpay", day=old.date(), received=5),
            ]
        )
    tasks.prune_unverified_notifications()
    left = [(n.verified, n.outcome) for n in notes()]
    assert left == [(True, "00 Confirm Success"), (False, None), (False, "97 Invalid signature")]
    assert db.session.scalar(db.select(db.func.count()).select_from(UnverifiedNotificationDay)) == 0


# ---------------------------------------------------------------- request bodies


def test_a_body_without_a_file_is_refused_past_its_own_smaller_limit(client, app, monkeypatch):
    assert app.config["MAX_CONTENT_LENGTH"] and app.config["MAX_FORM_BODY_BYTES"] <= 1024 * 1024
    monkeypatch.setitem(app.config, "MAX_FORM_BODY_BYTES", 16 * 1024)
    form = client.submit("/lookup", {"code": "x" * 20_000, "secret": "y"})
    assert form.status_code == 413 and "vượt quá dung lượng cho phép" in form.get_data(as_text=True)
    posted = client.post("/payments/momo/ipn", json=momo_body(orderInfo="x" * 20_000, signature="bad"))
    assert posted.status_code == 413 and notes() == []  # refused before anything parsed or stored
    api = client.post("/api/v1/procedures", json={"code": "x" * 20_000})
    assert api.status_code == 413 and api.json["error"]["title"] == "Tệp quá lớn"

    citizen = create_citizen()  # a file, in a multipart body, still goes up to MAX_CONTENT_LENGTH
    draft = create_dossier(citizen, files=False)
    login(client, citizen)
    upload = client.submit(
        f"/dossiers/{draft.id}/attachments/enrolment_confirmation",
        {"file": (io.BytesIO(padded_pdf(100)), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302 and len(db.session.get(Dossier, draft.id).files) == 1


def test_a_body_over_max_content_length_gets_the_vietnamese_413_page(client, app):
    too_big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    page = client.post("/lookup", data=too_big, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 413 and "Tệp quá lớn" in page.get_data(as_text=True)


def test_the_cleanups_run_daily_and_from_the_command_line(app):
    at = datetime(2026, 12, 1, 2, 0)  # UTC: 09:00 in An Giang
    assert tasks.clean_abandoned_drafts.task_class().validate_datetime(at)
    assert tasks.prune_unverified_notifications.task_class().validate_datetime(at.replace(hour=20, minute=15))
    runner = app.test_cli_runner()
    assert "0 drafts announced to their owners, 0 deleted." in runner.invoke(args=["clean-drafts"]).output
    assert (
        "0 unsigned notifications deleted." in runner.invoke(args=["payments", "prune-notifications"]).output
    )
