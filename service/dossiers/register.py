"""Form 07, the tracking register (sổ theo dõi hồ sơ): every dossier received in a period, as a PDF
in the state format or as an Excel workbook.

The columns follow the official form (Circular 03/2025, Appendix I; LAW-2026 §4), with its two-row
header: the four dates under "Ngày, tháng, năm", then how the result is received, the signature of the
person who receives it (left blank, signed on paper) and the remarks, written from the dossier's
history (supplements, extensions, stop, denial, withdrawal, closure, lateness) with their dates."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from sqlalchemy.orm import selectinload

from service.agencies import issuer as agency_issuer
from service.agencies import queries as agency_queries
from service.agencies.models import Agency
from service.documents.renderer import renderer
from service.dossiers.documents import address_of
from service.dossiers.models import Dossier
from service.extensions import db
from service.text import printable
from service.timeutil import LOCAL_TZ, format_date, to_local

MAX_DAYS = 366
DATE_GROUP = "Ngày, tháng, năm"


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int  # Excel characters
    group: str | None = None  # the first header row's label over several columns


COLUMNS = [
    Column("number", "TT", 5),
    Column("code", "Mã hồ sơ", 20),
    Column("procedure", "Tên thủ tục hành chính", 40),
    Column("sets", "Số lượng hồ sơ (bộ)", 9),
    Column("applicant", "Tên cá nhân, tổ chức", 26),
    Column("contact", "Địa chỉ, số điện thoại", 30),
    Column("agency", "Cơ quan chủ trì giải quyết", 22),
    Column("received", "Nhận hồ sơ", 12, DATE_GROUP),
    Column("due", "Hẹn trả kết quả", 12, DATE_GROUP),
    Column("transferred", "Chuyển hồ sơ đến cơ quan giải quyết", 14, DATE_GROUP),
    Column("returned", "Trả kết quả", 12, DATE_GROUP),
    Column("method", "Phương thức nhận kết quả", 16),
    Column("signed", "Ký nhận", 12),
    Column("note", "Ghi chú", 36),
]
DATE_KEYS = frozenset(c.key for c in COLUMNS if c.group == DATE_GROUP)
RECEIVING_METHODS = {"electronic": "Trực tuyến", "post": "Qua dịch vụ bưu chính", "desk": "Trực tiếp"}
# What the remarks say of each step of the history, followed by its date.
REMARKS = {
    "request_supplement": "Yêu cầu bổ sung hồ sơ",
    "supplement": "Đã bổ sung hồ sơ",
    "extend": "Gia hạn",
    "request_stop": "Đề nghị dừng giải quyết",
    "stop": "Dừng giải quyết",
    "refuse": "Từ chối tiếp nhận",
    "deny": "Từ chối giải quyết (trả lời bằng văn bản)",
    "withdraw": "Rút hồ sơ",
    "close": "Đóng hồ sơ do không bổ sung đúng hạn",
    "forward": "Trình Chủ tịch Ủy ban nhân dân tỉnh",
}


def _utc(day: date) -> datetime:
    return datetime.combine(day, time.min, LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def rows(start: date, end: date, agency: Agency | None = None) -> list[dict[str, Any]]:
    """One row per dossier the agency (the provincial centre by default) received in the period, with
    dates as dates and counts as numbers."""
    dossiers = db.session.scalars(
        db.select(Dossier)
        .where(Dossier.received_at >= _utc(start), Dossier.received_at < _utc(end + timedelta(days=1)))
        .where(agency_queries.held_by(agency, Dossier.agency_id), Dossier.school_id.is_(None))
        .options(
            selectinload(Dossier.procedure_version), selectinload(Dossier.events), selectinload(Dossier.owner)
        )
        .order_by(Dossier.received_at, Dossier.id)
    ).all()
    return [
        _row(number, dossier, agency_issuer.deciding_name(dossier))
        for number, dossier in enumerate(dossiers, start=1)
    ]


def _day(moment: datetime | None) -> date | None:
    return to_local(moment).date() if moment else None


def _row(number: int, dossier: Dossier, agency: str) -> dict[str, Any]:
    transferred = next((e.at for e in dossier.events if e.event == "assign"), None)
    contact = ", ".join(
        part for part in (address_of(dossier), dossier.lookup_phone or dossier.owner.phone) if part
    )
    return printable(
        {
            "number": number,
            "code": dossier.code,
            "procedure": dossier.procedure_version.name,
            "sets": 1,
            "applicant": dossier.applicant_name or dossier.owner.display_name,
            "contact": contact,
            "agency": agency,
            "received": _day(dossier.received_at),
            "due": dossier.due_date,
            "transferred": _day(transferred),
            "returned": _day(dossier.returned_at),
            # How the result went, once returned; until then how the applicant asked for it.
            "method": RECEIVING_METHODS.get(dossier.return_method or dossier.delivery_method or "", ""),
            "signed": "",
            "note": remarks(dossier),
        }
    )


def remarks(dossier: Dossier) -> str:
    """The history that matters to the register, oldest first: "Yêu cầu bổ sung hồ sơ ngày 02/12/2026;
    Gia hạn ngày 10/12/2026, hẹn trả ngày 17/12/2026; ...", and "Trễ hạn" for a late result."""
    notes = []
    for event in dossier.events:
        label = REMARKS.get(event.event)
        if label is None:
            continue
        note = f"{label} ngày {format_date(to_local(event.at))}"
        if event.event == "extend" and event.due_date:
            note += f", hẹn trả ngày {format_date(event.due_date)}"
        notes.append(note)
    if dossier.completed_on_time is False:
        notes.append("Trễ hạn")
    return "; ".join(notes)


def _printed(row: dict[str, Any]) -> dict[str, str]:
    return {key: format_date(value) if key in DATE_KEYS else str(value) for key, value in row.items()}


def pdf(start: date, end: date, agency: Agency | None = None) -> bytes:
    """The register the agency keeps (the provincial centre's by default), under its own header."""
    config = current_app.config
    data = {
        "doc": {"issuer": agency_issuer.for_agency(agency)},
        "period": {"start": format_date(start), "end": format_date(end)},
        "columns": [{"title": c.title, "group": c.group} for c in COLUMNS],
        "date_group": DATE_GROUP,
        "rows": [_printed(row) for row in rows(start, end, agency)],
    }
    return renderer(config["DOCUMENT_FONT_DIR"]).render("register_07.html", data)


def _as_text(value: str) -> str:
    """Text a spreadsheet will not run: a leading = + - @ (or tab, CR) would make a formula of it."""
    return "'" + value if value and value[0] in "=+-@\t\r" else value


HEADER_ROWS = (3, 4)  # the title is row 1, the period row 2; data from row 5
DATE_FORMAT = "dd/mm/yyyy"


def xlsx(start: date, end: date, agency: Agency | None = None) -> bytes:
    """The register as a workbook: the two-row header with merged cells, dates as date cells shown
    dd/mm/yyyy, numbers as numbers, text never a formula."""
    book = Workbook()
    sheet = book.active
    sheet.title = "So theo doi ho so"
    last = len(COLUMNS)
    sheet.cell(row=1, column=1, value="SỔ THEO DÕI HỒ SƠ").font = Font(bold=True, size=13)
    sheet.cell(row=2, column=1, value=f"Từ ngày {format_date(start)} đến ngày {format_date(end)}")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    for cell in (sheet["A1"], sheet["A2"]):
        cell.alignment = Alignment(horizontal="center")
    top, bottom = HEADER_ROWS
    thin = Side(style="thin")
    for index, column in enumerate(COLUMNS, start=1):
        if column.group:
            sheet.cell(row=top, column=index, value=column.group)
            sheet.cell(row=bottom, column=index, value=column.title)
        else:
            sheet.cell(row=top, column=index, value=column.title)
            sheet.merge_cells(start_row=top, start_column=index, end_row=bottom, end_column=index)
        sheet.column_dimensions[sheet.cell(row=top, column=index).column_letter].width = column.width
    grouped = [index for index, column in enumerate(COLUMNS, start=1) if column.group]
    sheet.merge_cells(start_row=top, start_column=grouped[0], end_row=top, end_column=grouped[-1])
    for row in sheet.iter_rows(min_row=top, max_row=bottom, max_col=last):
        for cell in row:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for line, row in enumerate(rows(start, end, agency), start=bottom + 1):
        for index, column in enumerate(COLUMNS, start=1):
            value = row[column.key]
            cell = sheet.cell(
                row=line, column=index, value=_as_text(value) if isinstance(value, str) else value
            )
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            if isinstance(value, date):
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = sheet.cell(row=bottom + 1, column=1)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
