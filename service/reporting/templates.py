"""Report templates are data (`catalogue/reports/*.toml`): scalar fields and at most one table with
typed columns. This module reads them, validates a submission's values field by field and cell by
cell, reads and writes the Excel form of a report, and aggregates accepted reports."""

from __future__ import annotations

import io
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from config import BASE_DIR
from service import spreadsheets

REPORTS_DIR = BASE_DIR / "catalogue" / "reports"
PERIODS = {"half_year": "6 tháng", "year": "năm"}
MAX_TABLE_ROWS = 500
MAX_UNPACKED_BYTES = 8 * 1024 * 1024
# Rows a sheet of an uploaded report may hold before it is refused unread; up to this, rows past the
# table's MAX_TABLE_ROWS are reported as such ("tối đa 500 dòng").
MAX_SHEET_ROWS = 4 * MAX_TABLE_ROWS
INFO_SHEET, TABLE_SHEET = "Thông tin", "Bảng"


class TemplateError(ValueError):
    pass


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    type: str  # integer, text, choice, date
    min: int | None = None
    max: int | None = None
    max_length: int = 255
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Template:
    code: str
    name: str
    period: str
    deadline_days: int
    fields: tuple[Column, ...]
    table_label: str | None
    columns: tuple[Column, ...]
    key_columns: tuple[str, ...]


def _column(spec: dict) -> Column:
    if spec.get("type") not in ("integer", "text", "choice", "date"):
        raise TemplateError(f"unknown type {spec.get('type')!r} for {spec.get('key')!r}")
    return Column(
        spec["key"],
        spec["label"],
        spec["type"],
        spec.get("min"),
        spec.get("max"),
        spec.get("max_length", 255),
        tuple(spec.get("choices", ())),
    )


def load(path: Path) -> Template:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    if data.get("period") not in PERIODS:
        raise TemplateError(f"{path.name}: period must be one of {', '.join(PERIODS)}")
    table = data.get("table") or {}
    return Template(
        data["code"],
        data["name"],
        data["period"],
        int(data.get("deadline_days", 15)),
        tuple(_column(f) for f in data.get("fields", [])),
        table.get("label"),
        tuple(_column(c) for c in table.get("columns", [])),
        tuple(table.get("key_columns", [])),
    )


@cache
def templates() -> dict[str, Template]:
    return {t.code: t for t in (load(p) for p in sorted(REPORTS_DIR.glob("*.toml")))}


def period_bounds(kind: str, label: str) -> tuple[date, date]:
    """ "2026-H1" → 1/1–30/6/2026; "2026-H2"; "2026" → the year (one spelling only, 2000–2099)."""
    pattern = r"(20[0-9]{2})-H([12])" if kind == "half_year" else r"(20[0-9]{2})"
    found = re.fullmatch(pattern, label or "")
    if not found:
        raise TemplateError("Kỳ báo cáo: 2026-H1, 2026-H2 (6 tháng) hoặc 2026 (năm).")
    year = int(found.group(1))
    if kind == "half_year":
        return (
            (date(year, 1, 1), date(year, 6, 30))
            if found.group(2) == "1"
            else (date(year, 7, 1), date(year, 12, 31))
        )
    return date(year, 1, 1), date(year, 12, 31)


# ---------------------------------------------------------------- validation


@dataclass
class Problem:
    where: str  # "Trường …" or "Bảng, dòng 3, cột …"
    message: str


def check_value(column: Column, raw: Any) -> tuple[Any, str | None]:
    """(value, problem) for one cell or field; empty is allowed and stays None."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if isinstance(raw, Formula) or (isinstance(raw, str) and raw.strip().startswith("=")):
        return None, "ô chứa công thức; hãy nhập giá trị"
    if column.type == "integer":
        if isinstance(raw, bool):
            return None, "phải là số nguyên"
        if isinstance(raw, float):
            if not raw.is_integer():
                return None, "phải là số nguyên"
            raw = int(raw)
        text = str(raw).strip().replace(" ", "")
        # Digits, optionally grouped by dots in thousands (1.250): never a decimal read as more.
        if not re.fullmatch(r"-?[0-9]{1,12}|-?[0-9]{1,3}(\.[0-9]{3}){1,3}", text):
            return None, "phải là số nguyên"
        value = int(text.replace(".", ""))
        if column.min is not None and value < column.min:
            return None, f"không được nhỏ hơn {column.min}"
        if column.max is not None and value > column.max:
            return None, f"không được lớn hơn {column.max}"
        return value, None
    if column.type == "date":
        if isinstance(raw, datetime):
            return raw.date().isoformat(), None
        try:
            return datetime.strptime(str(raw).strip(), "%d/%m/%Y").date().isoformat(), None
        except ValueError:
            return None, "ngày theo dạng dd/mm/yyyy"
    text = " ".join(str(raw).split())
    if not text.isprintable():
        return None, "có ký tự không hợp lệ"
    if column.type == "choice" and text not in column.choices:
        return None, "chọn một trong: " + ", ".join(column.choices)
    if len(text) > column.max_length:
        return None, f"tối đa {column.max_length} ký tự"
    return text, None


def validate(
    template: Template, fields: dict[str, Any], rows: list[dict[str, Any]], final: bool
) -> tuple[dict, list[Problem]]:
    """Clean values and the problems found. A draft may be incomplete; a submission (final) may not."""
    problems: list[Problem] = []
    clean_fields = {}
    for column in template.fields:
        value, problem = check_value(column, fields.get(column.key))
        if problem:
            problems.append(Problem(column.label, problem))
        elif value is None and final:
            problems.append(Problem(column.label, "chưa nhập"))
        clean_fields[column.key] = value
    clean_rows, seen = [], {}
    if len(rows) > MAX_TABLE_ROWS:
        problems.append(Problem(template.table_label or "Bảng", f"tối đa {MAX_TABLE_ROWS} dòng"))
        rows = rows[:MAX_TABLE_ROWS]
    for number, raw in enumerate(rows, start=1):
        if all(v in (None, "") for v in raw.values()):
            continue
        row = {}
        for column in template.columns:
            value, problem = check_value(column, raw.get(column.key))
            where = f"Bảng, dòng {number}, cột “{column.label}”"
            if problem:
                problems.append(Problem(where, problem))
            elif value is None and final:
                problems.append(Problem(where, "chưa nhập"))
            row[column.key] = value
        key = tuple(row.get(k) for k in template.key_columns)
        if template.key_columns and all(v is not None for v in key):
            if key in seen:
                problems.append(Problem(f"Bảng, dòng {number}", f"trùng với dòng {seen[key]}"))
            seen.setdefault(key, number)
        clean_rows.append(row)
    return {"fields": clean_fields, "rows": clean_rows}, problems


# ---------------------------------------------------------------- Excel


class Formula(str):
    pass


def excel_template(template: Template, round_code: str, school_code: str, data: dict | None = None) -> bytes:
    """The report as a workbook: sheet "Thông tin" (the round, the institution, the fields) and, when
    the template has a table, sheet "Bảng" with its header."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    info = book.active
    info.title = INFO_SHEET
    info.append(["Mã đợt báo cáo", round_code])
    info.append(["Mã cơ sở", school_code])
    info.append(["Nội dung", "Giá trị"])
    for column in template.fields:
        info.append([column.label, (data or {}).get("fields", {}).get(column.key)])
    info.column_dimensions["A"].width = 60
    info.column_dimensions["B"].width = 30
    for cell in info[3]:
        cell.font = Font(bold=True)
    if template.columns:
        sheet = book.create_sheet(TABLE_SHEET)
        sheet.append([c.label for c in template.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in (data or {}).get("rows", []):
            sheet.append([row.get(c.key) for c in template.columns])
        for index, _ in enumerate(template.columns):
            sheet.column_dimensions[chr(ord("A") + index)].width = 28
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_excel(
    template: Template, data: bytes, round_code: str, school_code: str
) -> tuple[dict, list[dict], list[Problem]]:
    """Fields and rows from an uploaded workbook, refusing another round's or institution's file."""
    from openpyxl import load_workbook

    if not data.startswith(b"PK\x03\x04"):
        return {}, [], [Problem("Tệp", "không phải tệp Excel .xlsx (hãy dùng tệp mẫu tải về)")]
    try:
        # A report of 500 rows is well under a megabyte of XML; far more is stray cells to parse.
        spreadsheets.check_xlsx(data, spreadsheets.limits(MAX_SHEET_ROWS, MAX_UNPACKED_BYTES))
    except spreadsheets.SpreadsheetRefused as refused:
        return {}, [], [Problem("Tệp", str(refused))]
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001  a broken workbook raises many kinds
        return {}, [], [Problem("Tệp", "tệp Excel bị hỏng")]
    try:
        return _read_book(book, template, round_code, school_code)
    except Exception:  # noqa: BLE001  read-only sheets are parsed lazily: a broken one fails here
        return {}, [], [Problem("Tệp", "tệp Excel bị hỏng")]
    finally:
        book.close()


def _read_book(
    book, template: Template, round_code: str, school_code: str
) -> tuple[dict, list[dict], list[Problem]]:
    names = book.sheetnames
    missing = [n for n in ([INFO_SHEET] + ([TABLE_SHEET] if template.columns else [])) if n not in names]
    if missing:
        return {}, [], [Problem("Tệp", "thiếu trang tính: " + ", ".join(missing))]
    info = [[_cell(c) for c in row] for row in book[INFO_SHEET].iter_rows(max_row=200, max_col=2)]
    problems = []
    if len(info) < 2 or str(info[0][1] if len(info[0]) > 1 else "") != round_code:
        problems.append(Problem("Trang “Thông tin”, ô B1", f"tệp không phải của đợt báo cáo {round_code}"))
    if len(info) < 2 or str(info[1][1] if len(info[1]) > 1 else "") != school_code:
        problems.append(Problem("Trang “Thông tin”, ô B2", f"tệp không phải của cơ sở {school_code}"))
    if problems:
        return {}, [], problems
    by_label = {str(row[0]).strip(): (row[1] if len(row) > 1 else None) for row in info[3:] if row and row[0]}
    fields = {c.key: by_label.get(c.label) for c in template.fields}
    rows = []
    if template.columns:
        table = [
            [_cell(c) for c in row]
            for row in book[TABLE_SHEET].iter_rows(max_row=MAX_TABLE_ROWS + 2, max_col=len(template.columns))
        ]
        header = [str(v or "").strip() for v in (table[0] if table else [])]
        expected = [c.label for c in template.columns]
        if header[: len(expected)] != expected:
            return fields, [], [Problem("Trang “Bảng”, dòng 1", "tiêu đề cột khác tệp mẫu")]
        for values in table[1:]:
            rows.append(
                {c.key: values[i] if i < len(values) else None for i, c in enumerate(template.columns)}
            )
    return fields, rows, []


def _cell(cell):
    value = cell.value
    if getattr(cell, "data_type", None) == "f":
        return Formula(str(value))
    return value


# ---------------------------------------------------------------- aggregation


def aggregate(template: Template, datas: list[dict]) -> tuple[dict, list[dict]]:
    """Sum integer fields; sum the table's integer columns by its key columns."""
    totals = {c.key: 0 for c in template.fields if c.type == "integer"}
    table: dict[tuple, dict] = {}
    for data in datas:
        for key in totals:
            totals[key] += data["fields"].get(key) or 0
        for row in data.get("rows", []):
            key = tuple(row.get(k) for k in template.key_columns)
            target = table.setdefault(
                key,
                {k: row.get(k) for k in template.key_columns}
                | {c.key: 0 for c in template.columns if c.type == "integer"},
            )
            for column in template.columns:
                if column.type == "integer":
                    target[column.key] += row.get(column.key) or 0
    return totals, sorted(
        table.values(), key=lambda r: tuple(str(r.get(k) or "") for k in template.key_columns)
    )
