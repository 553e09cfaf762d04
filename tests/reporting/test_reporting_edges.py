"""Hostile and unlucky cases in periodic reporting: odd numbers and periods, broken or oversized
workbooks, a colleague's draft, a draft after a return, reminders over several rounds."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook

from service.extensions import db
from service.reporting import operations, templates
from service.reporting.models import ReportRound, ReportSubmission
from tests.factories import create_official, create_school, create_school_user, login, row_counts
from tests.support.reporting import fill, open_round


def upload(client, report_round, data: bytes, action="draft"):
    return client.submit(
        f"/school/reports/{report_round.id}",
        {"action": action, "file": (io.BytesIO(data), "bc.xlsx")},
        content_type="multipart/form-data",
    )


def submissions() -> list[tuple]:
    db.session.expire_all()
    return [(s.id, s.status, s.data, s.version) for s in db.session.scalars(db.select(ReportSubmission))]


def book_bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_double_minus_integer_is_a_400_not_a_500(client):
    report_round = open_round()
    login(client, create_school_user(create_school(), "school_admin"))
    response = fill(client, report_round, "draft", **{"row-0-enrolled": "--5"})
    assert response.status_code in (302, 400)
    saved = db.session.scalars(db.select(ReportSubmission)).one_or_none()
    assert saved is None or saved.data["rows"][0]["enrolled"] in (None, "")  # never read as -5 or 5


def test_a_decimal_in_excel_is_refused_not_read_as_ten_times_more(client):
    report_round = open_round()
    school = create_school("TRD")
    login(client, create_school_user(school, "school_admin"))
    book = load_workbook(io.BytesIO(client.get(f"/school/reports/{report_round.id}/template.xlsx").data))
    book["Thông tin"]["B4"], book["Thông tin"]["B5"] = 2.5, "Người lập"
    book["Bảng"].append(["Công nghệ thông tin", "Cao đẳng", 12.5, 10])
    upload(client, report_round, book_bytes(book))
    saved = db.session.scalars(db.select(ReportSubmission)).one_or_none()
    assert saved is None or saved.data["fields"]["enrolment_target"] in (None,)  # 2.5 must not become 25
    assert saved is None or saved.data["rows"][0]["enrolled"] is None  # 12.5 must not become 125


def test_a_date_formatted_huge_number_is_a_400_not_a_500(client):
    report_round = open_round()
    school = create_school("TRE")
    login(client, create_school_user(school, "school_admin"))
    book = load_workbook(io.BytesIO(client.get(f"/school/reports/{report_round.id}/template.xlsx").data))
    book["Bảng"].cell(row=2, column=3)
    book["Bảng"].append(["Công nghệ thông tin", "Cao đẳng", 1, 10])
    book["Bảng"]["C2"] = 1e12
    book["Bảng"]["C2"].number_format = "dd/mm/yyyy"
    response = upload(client, report_round, book_bytes(book))
    assert response.status_code == 400 and "Traceback" not in response.get_data(as_text=True)
    assert 'data-testid="report-problems"' in response.get_data(as_text=True)  # what to fix, listed
    assert all(status == "draft" for _, status, _, _ in submissions())  # nothing was submitted


def test_a_broken_sheet_xml_is_a_400_not_a_500(client):
    report_round = open_round()
    school = create_school("TRF")
    login(client, create_school_user(school, "school_admin"))
    good = client.get(f"/school/reports/{report_round.id}/template.xlsx").data
    source = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # truncated XML
            target.writestr(item, data)
    response = upload(client, report_round, out.getvalue())
    assert response.status_code == 400 and "Traceback" not in response.get_data(as_text=True)
    assert 'data-testid="report-problems"' in response.get_data(as_text=True)  # what to fix, listed
    assert all(status == "draft" for _, status, _, _ in submissions())  # nothing was submitted


def test_a_period_label_at_the_end_of_time_is_refused_not_500(client):
    login(client, create_official("leader"))
    response = client.submit("/officials/reports", {"template_code": "NGCSVC", "period": "9999"})
    assert response.status_code in (302, 400)
    assert row_counts(ReportRound) == (0,)


def test_the_same_period_cannot_be_opened_twice_under_another_spelling(client):
    login(client, create_official("leader"))
    for label in ("2026", "+2026", "02026", "2_026"):
        client.submit("/officials/reports", {"template_code": "NGCSVC", "period": label})
    assert db.session.scalar(db.select(db.func.count()).select_from(ReportRound)) == 1


def test_a_stale_page_without_version_does_not_overwrite_a_colleagues_draft(client, other_client):
    report_round = open_round()
    school = create_school()
    login(client, create_school_user(school, "school_admin"))
    login(other_client, create_school_user(school, "accountant"))
    # both opened the empty form (hidden version = ''), colleague saves first
    fill(other_client, report_round, "draft", version="", **{"field-reporter": "Người A"})
    fill(client, report_round, "draft", version="", **{"field-reporter": "Người B"})
    saved = db.session.scalars(db.select(ReportSubmission)).one()
    assert saved.data["fields"]["reporter"] == "Người A", "colleague's draft silently overwritten"


def test_an_official_does_not_read_the_schools_draft_after_a_return(client, other_client):
    report_round = open_round()
    school = create_school()
    login(client, create_school_user(school, "school_admin"))
    fill(client, report_round, "submit")
    submission = db.session.scalars(db.select(ReportSubmission)).one()
    login(other_client, create_official("leader"))
    other_client.submit(
        f"/officials/reports/submissions/{submission.id}", {"decision": "return", "comment": "Sửa lại"}
    )
    # the school starts editing again and saves a half-done draft
    fill(
        client,
        report_round,
        "draft",
        version=str(submission.version),
        **{"field-reporter": "BẢN NHÁP CHƯA XONG"},
    )
    page = other_client.get(f"/officials/reports/submissions/{submission.id}")
    assert "BẢN NHÁP CHƯA XONG" not in page.get_data(as_text=True)


def test_a_too_large_upload_says_so(client, app):
    report_round = open_round()
    school = create_school("TRG")
    login(client, create_school_user(school, "school_admin"))
    data = b"PK\x03\x04" + b"\0" * (app.config["STUDENT_IMPORT_MAX_BYTES"] + 10)
    page = upload(client, report_round, data).get_data(as_text=True)
    assert "quá lớn" in page


def test_a_wide_sheet(client):
    report_round = open_round()
    school = create_school("TRH")
    login(client, create_school_user(school, "school_admin"))
    book = load_workbook(io.BytesIO(client.get(f"/school/reports/{report_round.id}/template.xlsx").data))
    book["Thông tin"]["B4"], book["Thông tin"]["B5"] = 1, "Người lập"
    sheet = book["Bảng"]
    sheet.merge_cells("A2:B2")
    sheet["A2"] = "Nghề"
    sheet.append([None, None, None, None])
    sheet.cell(row=5, column=3, value=True)
    sheet.cell(row=1, column=6, value=None)
    import datetime

    sheet.cell(row=6, column=1, value=datetime.datetime(2026, 1, 1))
    sheet.cell(row=6, column=2, value="Cao đẳng")
    response = upload(client, report_round, book_bytes(book))
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert 'data-testid="report-problems"' in response.get_data(as_text=True)
    assert all(status == "draft" for _, status, _, _ in submissions())  # nothing was submitted


def test_reminders_are_idempotent_with_several_rounds(app):
    _r1, r2 = open_round(), open_round(period="2026-H2")
    for _ in range(3):
        create_school_user(create_school(), "school_admin")
    with app.test_request_context():
        first = operations.remind(r2.deadline)
        again = operations.remind(r2.deadline)
    assert (first.schools, again.schools, again.skipped) == (6, 0, 6)


def test_a_sheet_full_of_stray_cells_is_refused_before_it_is_parsed():
    """500 rows × 1000 stray columns: many megabytes of XML that would take seconds to parse."""
    from openpyxl import Workbook

    template = templates.templates()["TSTN"]
    book = Workbook(write_only=True)
    info = book.create_sheet("Thông tin")
    for row in (["Mã đợt báo cáo", "TSTN-2026-H1"], ["Mã cơ sở", "TRX"], ["Nội dung", "Giá trị"]):
        info.append(row)
    sheet = book.create_sheet("Bảng")
    sheet.append([c.label for c in template.columns])
    for _ in range(500):
        sheet.append(["x", "Cao đẳng", 1, 1] + [1] * 1000)
    fields, rows, problems = templates.read_excel(template, book_bytes(book), "TSTN-2026-H1", "TRX")
    assert rows == [] and "quá lớn" in problems[0].message
