"""Resource limits (issue 12, item 7): spreadsheets refused before they are parsed, per-account storage
quotas for drafts, bounded storage of unsigned gateway notifications, request bodies."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from service import spreadsheets
from service.extensions import db
from service.reporting import operations as reporting
from service.schools import imports
from service.schools.models import StudentImport
from tests.factories import create_class, create_school, create_school_user, login

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
        ("SPREADSHEET_MAX_CELLS", 1_000, {"xl/sharedStrings.xml": b"<sst " + MAIN + b">" + b"<si><t>x</t></si>" * 1_001 + b"</sst>"}, "quá nhiều ô"),
        ("SPREADSHEET_MAX_STYLES", 100, {"xl/styles.xml": b"<styleSheet " + MAIN + b"><cellXfs>" + b"<xf/>" * 101 + b"</cellXfs></styleSheet>"}, "quá nhiều định dạng"),
        ("SPREADSHEET_MAX_MEMBERS", 10, {f"xl/media/image{n}.png": b"x" for n in range(10)}, "quá nhiều thành phần"),
    ],
)  # fmt: skip
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
        f"/school/reports/{report_round.id}", {"action": "draft", "file": (io.BytesIO(bomb()), "bc.xlsx")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert page.status_code == 400 and "Tệp Excel quá lớn khi giải nén" in page.get_data(as_text=True)
