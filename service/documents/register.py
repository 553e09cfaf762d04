"""Form 07, the tracking register (sổ theo dõi hồ sơ): every dossier received in a period, as a PDF
in the state format or as an Excel workbook."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy.orm import selectinload

from service.documents.renderer import renderer
from service.dossiers.models import Dossier
from service.extensions import db
from service.timeutil import LOCAL_TZ, format_date, to_local

COLUMNS = [
    ("STT", 6), ("Mã hồ sơ", 22), ("Tên thủ tục hành chính", 50), ("Số lượng hồ sơ", 10), ("Tên người nộp", 28),
    ("Địa chỉ, số điện thoại", 30), ("Cơ quan chủ trì giải quyết", 28), ("Nhận hồ sơ", 14), ("Hẹn trả kết quả", 14),
    ("Chuyển hồ sơ", 14), ("Trả kết quả", 14), ("Ghi chú", 30),
]  # fmt: skip
MAX_DAYS = 366


def _utc(day: date) -> datetime:
    return datetime.combine(day, time.min, LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def rows(start: date, end: date) -> list[dict[str, str]]:
    dossiers = db.session.scalars(
        db.select(Dossier)
        .where(Dossier.received_at >= _utc(start), Dossier.received_at < _utc(end + timedelta(days=1)))
        .options(
            selectinload(Dossier.procedure_version), selectinload(Dossier.events), selectinload(Dossier.owner)
        )
        .order_by(Dossier.received_at)
    ).all()
    agency = current_app.config["DOCUMENT_ISSUER_NAME"]
    return [_row(dossier, agency) for dossier in dossiers]


def _row(dossier: Dossier, agency: str) -> dict[str, str]:
    transferred = next((e.at for e in dossier.events if e.event == "assign"), None)
    return {
        "code": dossier.code,
        "procedure": dossier.procedure_version.name,
        "sets": "1",
        "applicant": dossier.applicant_name or "",
        "contact": dossier.lookup_phone or "",
        "agency": agency,
        "received": format_date(to_local(dossier.received_at)) if dossier.received_at else "",
        "due": format_date(dossier.due_date),
        "transferred": format_date(to_local(transferred)) if transferred else "",
        "returned": format_date(to_local(dossier.returned_at)) if dossier.returned_at else "",
        "note": "" if dossier.completed_on_time is not False else "Trễ hạn",
    }


def pdf(start: date, end: date) -> bytes:
    config = current_app.config
    data = {
        "doc": {
            "issuer": {"parent": config["DOCUMENT_ISSUER_PARENT"], "name": config["DOCUMENT_ISSUER_NAME"]}
        },
        "period": {"start": format_date(start), "end": format_date(end)},
        "rows": rows(start, end),
    }
    return renderer(config["DOCUMENT_FONT_DIR"]).render("register_07.html", data)


def _as_text(value: str) -> str:
    """Text a spreadsheet will not run: a leading = + - @ (or tab, CR) would make a formula of it."""
    return "'" + value if value and value[0] in "=+-@\t\r" else value


def xlsx(start: date, end: date) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "So theo doi ho so"
    sheet.append([f"SỔ THEO DÕI HỒ SƠ từ ngày {format_date(start)} đến ngày {format_date(end)}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([title for title, _ in COLUMNS])
    for index, (_, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=2, column=index)
        cell.font, cell.alignment = Font(bold=True), Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[cell.column_letter].width = width
    for number, row in enumerate(rows(start, end), start=1):
        sheet.append([number, *(_as_text(value) for value in row.values())])
    sheet.freeze_panes = "A3"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
