"""Students imported from CSV or Excel: validated as a whole first, row-by-row errors, nothing written
until clean or confirmed, re-import updates by student code, 10,000 rows in bulk."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook

from service.extensions import db
from service.schools import imports
from service.schools.models import Student, StudentImport
from tests.factories import create_class, create_school, create_school_user, login
from tests.support.school_imports import HEADER, csv_file, students_of, upload


def school_with_class(client):
    school = create_school()
    create_class(school, "CD-CNTT-K26")
    login(client, create_school_user(school))
    return school


def test_a_clean_file_is_imported_after_confirmation_and_reimport_updates(client):
    school = school_with_class(client)
    data = csv_file(
        "SV001,Nguyễn Văn An,15/03/2007,089207001234,CD-CNTT-K26,,,0912345678,an@example.vn",
        "SV002,Trần Thị Bình,2007-01-02,,cd-cntt-k26,,Cao đẳng,912345679,",
    )
    report = client.get(upload(client, data).location).get_data(as_text=True)
    assert "Nhập 2 người học" in report and students_of(school) == {}  # nothing yet
    batch = db.session.scalars(db.select(StudentImport)).one()
    done = client.submit(f"/school/imports/{batch.id}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "2 người học mới, 0 người học được cập nhật" in done
    found = students_of(school)
    assert found["SV001"].date_of_birth == date(2007, 3, 15) and found["SV002"].phone == "0912345679"
    assert found["SV001"].programme == "Công nghệ thông tin" and found["SV002"].level == "cao_dang"

    again = csv_file("SV001,Nguyễn Văn An,15/03/2007,089207001234,CD-CNTT-K26,,,0987654321,an@example.vn")
    client.get(upload(client, again).location)
    second = db.session.scalars(db.select(StudentImport).order_by(StudentImport.id.desc())).first()
    client.submit(f"/school/imports/{second.id}/confirm")
    found = students_of(school)
    assert len(found) == 2 and found["SV001"].phone == "0987654321"  # updated, not duplicated


def test_a_faulty_file_is_reported_row_by_row_and_nothing_is_imported(client):
    school = school_with_class(client)
    data = csv_file(
        "SV001,Nguyễn Văn An,31/02/2007,,CD-CNTT-K26,,,,",
        "SV002,Trần Thị Bình,01/01/2007,12345,KHONG-CO,,,,",
        "SV003,Lê Văn Cường,01/01/2007,,CD-CNTT-K26,,,,khong-phai-email",
        "SV003,Lê Văn Cường,01/01/2007,,CD-CNTT-K26,,,,",
        "SV004,,01/01/2099,,CD-CNTT-K26,,Tiến sĩ,,",
        "SV005,Phạm Thu Hà,01/01/2007,,CD-CNTT-K26,,,,",
    )
    report = client.get(upload(client, data).location).get_data(as_text=True)
    for expected in (
        "Ngày sinh không hợp lệ",
        "Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số",
        "Không có lớp mã KHONG-CO",
        "Địa chỉ email không hợp lệ",
        "Trùng mã sinh viên với dòng 4",
        "Không được để trống",
        "Ngày sinh không hợp lý",
        "Trình độ là Cao đẳng",
    ):
        assert expected in report, expected
    assert students_of(school) == {}
    batch = db.session.scalars(db.select(StudentImport)).one()
    assert batch.valid_rows == 1 and batch.error_count == 8  # only SV005 is clean
    refused = client.submit(f"/school/imports/{batch.id}/confirm", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Tệp còn dòng lỗi" in refused and students_of(school) == {}
    client.submit(f"/school/imports/{batch.id}/confirm", {"accept_valid": "yes"})
    assert set(students_of(school)) == {"SV005"}


def test_an_excel_file_with_formulas_is_refused_cell_by_cell(client):
    school = school_with_class(client)
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(
        [
            "SV001",
            "Nguyễn Văn An",
            date(2007, 3, 15),
            "089207001234",
            "CD-CNTT-K26",
            None,
            None,
            912345678,
            None,
        ]
    )
    sheet.append(["SV002", '=HYPERLINK("http://x")', date(2007, 3, 15), None, "CD-CNTT-K26"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = client.get(upload(client, buffer.getvalue(), "ds.xlsx").location).get_data(as_text=True)
    assert "Ô chứa công thức" in report
    batch = db.session.scalars(db.select(StudentImport)).one()
    assert batch.valid_rows == 1 and batch.errors[0]["row"] == 3
    client.submit(f"/school/imports/{batch.id}/confirm", {"accept_valid": "yes"})
    assert students_of(school)["SV001"].phone == "0912345678"  # the number cell lost its leading zero


def test_files_that_cannot_be_a_student_list_are_refused_with_a_reason(client):
    school_with_class(client)
    huge = upload(client, csv_file(*["SV001,A,01/01/2007,,CD-CNTT-K26,,,,"] * 5000))
    assert huge.status_code in (400, 413)
    missing = upload(client, "Họ và tên\nAn\n".encode())
    assert missing.status_code == 400 and "Thiếu cột: Mã sinh viên" in missing.get_data(as_text=True)
    binary = upload(client, b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "ds.xls")
    assert binary.status_code == 400 and "Chỉ nhận tệp Excel .xlsx hoặc CSV" in binary.get_data(as_text=True)
    latin = upload(client, HEADER.encode("utf-8") + "\nSV1,Nguy\xe1n".encode("latin-1"))
    assert latin.status_code == 400 and "UTF-8" in latin.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(StudentImport)) == 0


def test_ten_thousand_rows_are_written_in_bulk(app, monkeypatch):
    monkeypatch.setitem(app.config, "STUDENT_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
    school = create_school()
    create_class(school, "CD-CNTT-K26")
    user = create_school_user(school)
    rows = [f"SV{n:05d},Người Học {n},01/01/2007,,CD-CNTT-K26,,,," for n in range(10_000)]
    batch = imports.stage(csv_file(*rows), "ds.csv", school.id, user.id)
    assert batch.valid_rows == 10_000 and batch.error_count == 0
    statements = []
    from sqlalchemy import event

    engine = db.engine
    listener = lambda *args: statements.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        done = imports.run(batch.id)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert (done.status, done.created_count, done.processed_rows) == ("done", 10_000, 10_000)
    assert len(statements) < 200  # chunks of a thousand, not a statement per row
    assert db.session.scalar(db.select(db.func.count()).select_from(Student)) == 10_000
