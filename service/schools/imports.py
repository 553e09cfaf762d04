"""Students imported from CSV or Excel: the whole file is validated first, with a row-by-row report;
nothing is written until the file is clean or the accountant confirms the valid rows; importing again
updates students by their code instead of duplicating them. Writes are bulk statements in chunks, so
10,000 rows take seconds; each chunk commits with the import's progress, so an import whose runner died
is resumed after its last chunk (service.schools.runs) and the page that watches it shows how far it is."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app

from service import identifiers, spreadsheets, uploads
from service.database import for_update, write
from service.extensions import db
from service.schools import runs
from service.schools.models import LEVELS, School, SchoolClass, Student, StudentImport
from service.text import fold
from service.timeutil import local_today, utcnow

# Header (folded) -> field. The template's headers first; common variants after.
HEADERS = {
    "ma sinh vien": "code",
    "ma hoc sinh": "code",
    "ma nguoi hoc": "code",
    "ma sv": "code",
    "ho va ten": "full_name",
    "ho ten": "full_name",
    "ngay sinh": "date_of_birth",
    "so dinh danh": "personal_id",
    "so dinh danh ca nhan": "personal_id",
    "cccd": "personal_id",
    "ma lop": "class_code",
    "lop": "class_code",
    "nganh/nghe": "programme",
    "nganh nghe": "programme",
    "nganh": "programme",
    "nghe": "programme",
    "trinh do": "level",
    "dien thoai": "phone",
    "so dien thoai": "phone",
    "email": "email",
}
TEMPLATE_HEADERS = [
    "Mã sinh viên",
    "Họ và tên",
    "Ngày sinh",
    "Số định danh",
    "Mã lớp",
    "Ngành/nghề",
    "Trình độ",
    "Điện thoại",
    "Email",
]
REQUIRED = ("code", "full_name", "date_of_birth", "class_code")
LABELS = dict(
    zip(
        (
            "code",
            "full_name",
            "date_of_birth",
            "personal_id",
            "class_code",
            "programme",
            "level",
            "phone",
            "email",
        ),
        TEMPLATE_HEADERS,
        strict=True,
    )
)
MAX_ERRORS_KEPT = 500
CHUNK = 1_000
CODE = re.compile(r"^[A-Za-z0-9._-]{1,30}$")
LEVEL_BY_NAME = {fold(label): key for key, label in LEVELS.items()} | {key: key for key in LEVELS}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (its message is for the accountant)."""


@dataclass
class Row:
    number: int  # as the spreadsheet shows it (the header is row 1)
    values: dict


def read_rows(data: bytes, filename: str) -> list[Row]:
    """The data rows of a CSV or XLSX file, by content; ImportFileError for what cannot be a table.
    Every limit (bytes, rows, and for a workbook what it unpacks to) is checked before the file is
    parsed, and reading stops at the row limit."""
    limit = current_app.config["STUDENT_IMPORT_MAX_BYTES"]
    if len(data) > limit:
        raise ImportFileError(f"Tệp quá lớn (tối đa {limit // (1024 * 1024)} MB).")
    max_rows = current_app.config["STUDENT_IMPORT_MAX_ROWS"]
    if data.startswith(b"PK\x03\x04"):
        table = _xlsx(data, max_rows)
    elif filename.lower().endswith((".xls", ".xlsx")) or b"\x00" in data[:2048]:
        raise ImportFileError("Chỉ nhận tệp Excel .xlsx hoặc CSV (UTF-8).")
    else:
        table = _csv(data, max_rows)
    if not table:
        raise ImportFileError("Tệp không có dữ liệu.")
    header, body = table[0], table[1:]
    fields = [HEADERS.get(fold(str(cell or "")).rstrip(" *")) for cell in header]
    missing = [LABELS[f] for f in REQUIRED if f not in fields]
    if missing:
        raise ImportFileError(
            "Thiếu cột: " + ", ".join(missing) + ". Dòng đầu tiên phải là tiêu đề cột như tệp mẫu."
        )
    if len(body) > max_rows:
        raise ImportFileError(too_many_rows(max_rows))
    rows = []
    for index, cells in enumerate(body, start=2):
        if all(cell in (None, "") for cell in cells):
            continue
        values = {field: cells[i] if i < len(cells) else None for i, field in enumerate(fields) if field}
        rows.append(Row(index, values))
    return rows


def too_many_rows(max_rows: int) -> str:
    return (
        f"Tệp có hơn {spreadsheets.number(max_rows)} dòng, vượt quá giới hạn cho một lần nhập. "
        "Hãy chia danh sách thành nhiều tệp."
    )


def _csv(data: bytes, max_rows: int) -> list[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("Tệp CSV phải lưu bằng mã UTF-8 (Excel: Lưu thành → CSV UTF-8).") from None
    return read_csv_text(text, ImportFileError, max_rows)


def read_csv_text(text: str, error: type[Exception], max_rows: int) -> list[list[str]]:
    """Rows of a CSV text (comma, semicolon or tab; any line ending); `error` for what is not a table
    and for more than `max_rows` rows after the header (blank lines count: a file of blank lines would
    otherwise become millions of empty rows in memory)."""
    return list(iter_csv_text(text, error, max_rows))


def iter_csv_text(text: str, error: type[Exception], max_rows: int) -> Iterator[list[str]]:
    """The same rows, one at a time: a long statement is read without holding every row's cells."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for count, row in enumerate(reader):
            if count > max_rows:
                raise error(too_many_rows(max_rows))
            yield row
    except csv.Error:
        raise error("Tệp CSV không đúng định dạng (ô quá dài hoặc dấu ngoặc kép không đóng).") from None


# Columns read from a workbook: the template has nine; a stray cell far to the right (column XFD) must
# not make every row 16,384 cells wide in memory.
MAX_COLUMNS = 50


def _xlsx(data: bytes, max_rows: int) -> list[list]:
    from openpyxl import load_workbook

    try:
        spreadsheets.check_xlsx(data, spreadsheets.limits(max_rows))
    except spreadsheets.SpreadsheetRefused as refused:
        raise ImportFileError(str(refused)) from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001  openpyxl raises many kinds for a broken file
        raise ImportFileError("Tệp Excel bị hỏng hoặc không phải .xlsx.") from None
    try:
        # One row past the limit is read, so that a longer file is refused rather than cut.
        return [_values(row) for row in spreadsheets.rows(book.worksheets[0], max_rows + 1, MAX_COLUMNS)]
    except Exception:  # noqa: BLE001  read-only sheets are parsed lazily: a broken one fails here
        raise ImportFileError("Tệp Excel bị hỏng hoặc không phải .xlsx.") from None
    finally:
        book.close()


def _values(row) -> list:
    cells = []
    for cell in row:
        value = cell.value
        if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
            value = FormulaCell(str(value))
        cells.append(value)
    return cells


class FormulaCell(str):
    """A cell holding a formula: refused, since its value is whatever the spreadsheet computed."""


@dataclass
class Checked:
    rows: list[dict]  # the valid rows, ready to write
    errors: list[dict]
    total: int


def validate(rows: list[Row], school_id: int) -> Checked:
    classes = {
        c.code.upper(): c
        for c in db.session.scalars(db.select(SchoolClass).where(SchoolClass.school_id == school_id))
    }
    errors: list[dict] = []
    valid: list[dict] = []
    seen: dict[str, int] = {}
    today = local_today()
    for row in rows:
        problems = []

        def problem(field: str, message: str, row=row, problems=problems) -> None:
            problems.append({"row": row.number, "column": LABELS[field], "message": message})

        values = {}
        for field, raw in row.values.items():
            if isinstance(raw, FormulaCell) or (isinstance(raw, str) and raw.strip().startswith("=")):
                problem(field, "Ô chứa công thức; hãy dán giá trị (Paste Values).")
                continue
            values[field] = raw.strip() if isinstance(raw, str) else raw
        for field in REQUIRED:
            if (
                values.get(field) in (None, "")
                and field in row.values
                and not any(p["column"] == LABELS[field] for p in problems)
            ):
                problem(field, "Không được để trống.")
        code = str(values.get("code") or "").upper()
        if code and not CODE.match(code):
            problem("code", "Mã chỉ gồm chữ không dấu, số, dấu chấm, gạch (tối đa 30 ký tự).")
        elif code:
            first = seen.setdefault(code.upper(), row.number)
            if first != row.number:
                problem("code", f"Trùng mã sinh viên với dòng {first}.")
        name = " ".join(str(values.get("full_name") or "").split())
        if len(name) > 200:
            problem("full_name", "Họ và tên quá dài (tối đa 200 ký tự).")
        elif not name.isprintable():
            problem("full_name", "Họ và tên có ký tự điều khiển không hợp lệ.")
        birth = None
        if values.get("date_of_birth") not in (None, ""):
            birth = parse_date(values["date_of_birth"])
            if birth is None:
                problem("date_of_birth", "Ngày sinh không hợp lệ (dd/mm/yyyy).")
            elif birth >= today or birth.year < 1930:
                problem("date_of_birth", "Ngày sinh không hợp lý.")
                birth = None
        personal_id = str(values.get("personal_id") or "").strip()
        if personal_id.endswith(".0"):
            personal_id = personal_id[:-2]  # a number cell
        if personal_id and not identifiers.is_personal_id(personal_id):
            problem("personal_id", identifiers.PERSONAL_ID_MESSAGE)
        school_class = None
        class_code = str(values.get("class_code") or "").upper()
        if class_code:
            school_class = classes.get(class_code)
            if school_class is None:
                problem("class_code", f"Không có lớp mã {class_code} trong trường; hãy tạo lớp trước.")
        level = values.get("level")
        level_key = LEVEL_BY_NAME.get(fold(str(level))) if level not in (None, "") else None
        if level not in (None, "") and level_key is None:
            problem("level", "Trình độ là Cao đẳng, Trung cấp, Sơ cấp hoặc Đào tạo khác.")
        phone = str(values.get("phone") or "").strip()
        if phone.endswith(".0"):
            phone = phone[:-2]
        phone = identifiers.normalise_phone(phone) or ""
        if len(phone) in (9, 10) and phone.isdigit() and not phone.startswith("0"):
            phone = "0" + phone  # Excel drops the leading zero of a number cell
        if phone and not identifiers.is_phone(phone):
            problem("phone", identifiers.PHONE_MESSAGE)
        email = str(values.get("email") or "").strip()
        if email and not identifiers.is_email(email):
            problem("email", identifiers.EMAIL_MESSAGE)
        programme = "".join(
            ch for ch in " ".join(str(values.get("programme") or "").split()) if ch.isprintable()
        )[:200]
        if problems:
            errors.extend(problems)
            continue
        valid.append(
            {
                "code": code,
                "full_name": name,
                "date_of_birth": birth,
                "personal_id": personal_id or None,
                "class_id": school_class.id,
                "programme": programme or school_class.programme,
                "level": level_key or school_class.level,
                "phone": phone or None,
                "email": email or None,
            }
        )
    return Checked(valid, errors, len(rows))


def parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def stage(data: bytes, filename: str, school_id: int, user_id: int) -> StudentImport:
    """Read and validate the whole file; keep it (outside the web root) with its report. Commits."""
    rows = read_rows(data, filename)
    checked = validate(rows, school_id)
    stored_name, _ = uploads.store(data, "xlsx" if data.startswith(b"PK") else "csv")
    with write():
        batch = StudentImport(
            school_id=school_id,
            uploaded_by_id=user_id,
            filename=uploads.clean_filename(filename),
            stored_name=stored_name,
            total_rows=checked.total,
            valid_rows=len(checked.rows),
            errors=checked.errors[:MAX_ERRORS_KEPT],
            error_count=len(checked.errors),
        )
        db.session.add(batch)
    return batch


class ImportRefused(ValueError):
    """The batch cannot be confirmed (its message is for the accountant)."""


def confirm(batch_id: int, accept_valid: bool) -> StudentImport:
    """The accountant's go-ahead: the batch waits for a runner (the caller hands it to the job engine
    after this commits; the periodic sweep finds it if that hand-off is lost)."""
    with write():
        batch = db.session.scalar(for_update(db.select(StudentImport).where(StudentImport.id == batch_id)))
        if batch.status != "validated":
            raise ImportRefused("Tệp này đã được nhập.")
        if batch.valid_rows == 0:
            raise ImportRefused("Không có dòng hợp lệ nào để nhập.")
        if batch.error_count and not accept_valid:
            raise ImportRefused(
                "Tệp còn dòng lỗi: sửa tệp rồi tải lên lại, hoặc xác nhận chỉ nhập các dòng hợp lệ."
            )
        batch.status = StudentImport.QUEUED
    return batch


def retry(batch_id: int) -> bool:
    """A failed import sent round again: it continues after the rows already written."""
    return runs.retry(StudentImport, batch_id)


def run(batch_id: int) -> StudentImport:
    """Write the valid rows: new codes inserted, known codes updated, a chunk per transaction with the
    progress. A run killed half-way is resumed after its last chunk (service.schools.runs); since rows
    are matched by code, writing a chunk again could never duplicate a student either. A batch still
    `validated` (the demo, the bench: callers without a confirmation page) is confirmed first."""
    if db.session.get(StudentImport, batch_id).status == "validated":
        confirm(batch_id, accept_valid=True)
    return runs.drive(StudentImport, batch_id, lambda attempt: _write(batch_id, attempt))


def resume_due() -> int:
    """Confirmed imports nobody ran, and imports whose runner died: run them here (the sweep)."""
    return runs.resume_due(StudentImport, run)


def _write(batch_id: int, attempt: int) -> None:
    batch = db.session.get(StudentImport, batch_id)
    school_id = batch.school_id
    data = uploads.read(batch.stored_name)
    try:
        read = read_rows(data, batch.filename)  # checked again: the limits may have been lowered since
    except ImportFileError as error:
        raise runs.Refused(str(error)) from None
    rows = validate(read, school_id).rows  # the classes may have changed
    while _write_chunk(batch_id, attempt, school_id, rows):
        pass


def _write_chunk(batch_id: int, attempt: int, school_id: int, rows: list[dict]) -> bool:
    """The chunk after the batch's progress, written with it; False when every row is written. The
    school's row lock keeps two imports of one school from inserting the same new code at once."""
    with write():
        db.session.scalar(for_update(db.select(School).where(School.id == school_id)))
        batch = runs.hold(StudentImport, batch_id, attempt)
        chunk = rows[batch.processed_rows : batch.processed_rows + CHUNK]
        if not chunk:
            return False
        created, updated = _upsert(school_id, chunk)
        batch.processed_rows += len(chunk)
        batch.created_count += created
        batch.updated_count += updated
    return True


def _upsert(school_id: int, chunk: list[dict]) -> tuple[int, int]:
    """Insert the new codes, update the known ones, in two bulk statements: (created, updated)."""
    now = utcnow()
    existing = dict(
        db.session.execute(
            db.select(Student.code, Student.id).where(
                Student.school_id == school_id, Student.code.in_([r["code"] for r in chunk])
            )
        ).all()
    )
    inserts = [
        {**r, "school_id": school_id, "created_at": now, "updated_at": now}
        for r in chunk
        if r["code"] not in existing
    ]
    updates = [{**r, "id": existing[r["code"]], "updated_at": now} for r in chunk if r["code"] in existing]
    if inserts:
        db.session.execute(db.insert(Student), inserts)
    if updates:
        db.session.execute(db.update(Student), updates)
    return len(inserts), len(updates)


def template_csv() -> bytes:
    sample = [
        TEMPLATE_HEADERS,
        [
            "SV2026001",
            "Nguyễn Văn An",
            "15/03/2007",
            "089207001234",
            "CD-CNTT-K26",
            "Công nghệ thông tin",
            "Cao đẳng",
            "0912345678",
            "an.nv@example.vn",
        ],
    ]
    out = io.StringIO()
    csv.writer(out).writerows(sample)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
