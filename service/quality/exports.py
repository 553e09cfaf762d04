"""The quality figures as files: the indicators and the statistics table in Excel, and the month's report
(PDF, Decree 30/2020 layout) as plain data for its template."""

from __future__ import annotations

from flask import Response, current_app

from service.documents.issuing import place_date
from service.money import format_number as number
from service.quality.scoring import ScoreCard, Scored
from service.quality.statistics import StatsRow, StatsTable
from service.schools.reports import xlsx_response
from service.timeutil import local_today


def report_data(period, table: StatsTable, card: ScoreCard) -> dict:
    config = current_app.config
    rows = [_row_data(r) for r in table.rows] + [_row_data(table.total)]
    return {
        "doc": {
            "issuer": {
                "parent": config["DOCUMENT_ISSUER_PARENT"],
                "name": config["DOCUMENT_ISSUER_NAME"],
                "abbreviation": config["DOCUMENT_ISSUER_ABBREVIATION"],
            },
            "title": "Báo cáo",
            "summary": f"Tình hình giải quyết thủ tục hành chính từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y}",
            "number": None,
            "place_date": place_date(local_today()),
            "verification": None,
            "draft": False,
            "signer": {"capacity": "", "position": "GIÁM ĐỐC", "name": ""},
            "recipients": ["- Lưu: VT, GDNN."],
        },
        "rows": rows,
        "indicators": [
            {
                "name": r.name,
                "value": value(r),
                "score": score_text(r),
                "formula": r.indicator.formula if r.indicator else r.definition.reason,
            }
            for g in card.groups
            for r in g.rows
        ],
        "total": total_text(card),
    }


def _row_data(row: StatsRow) -> dict:
    return {
        "code": row.code,
        "name": row.name,
        "received": row.received,
        "carried": row.carried,
        "total": row.total,
        "late": row.in_progress_late,
        "nearly": row.in_progress_nearly_late,
        "not_due": row.in_progress_not_due,
        "completed_late": row.completed_late,
        "completed_on_time": row.completed_on_time,
        "stopped": row.stopped,
        "late_rate": "" if row.late_rate is None else f"{row.late_rate * 100:.1f}%".replace(".", ","),
    }


def value(row: Scored) -> str:
    indicator = row.indicator
    if indicator is None:
        return "—"
    if indicator.unit != "%":
        return "—" if not indicator.denominator else f"{number(indicator.numerator)} {indicator.unit}"
    if indicator.ratio is None:
        return "—"
    return f"{number(indicator.ratio * 100)}% ({indicator.numerator:g}/{indicator.denominator:g})"


def score_text(row: Scored) -> str:
    if row.score is None:
        return row.status
    return f"{number(row.score)}/{number(row.definition.points)}"


def total_text(card: ScoreCard) -> str:
    return (
        f"Tổng điểm: {number(card.score)}/{number(card.scheme.total_points)} "
        f"(tối đa đạt được trên hệ thống này: {number(card.attainable)} điểm; "
        f"{number(card.not_measurable)} điểm thuộc chỉ số không đo được trên hệ thống này; "
        f"{number(card.nothing_to_count)} điểm thuộc chỉ số không phát sinh trong kỳ)"
    )


def indicators_xlsx(card: ScoreCard, period) -> Response:
    rows = [
        [
            g.name,
            r.name,
            *_counts(r),
            r.definition.points,
            r.score,
            r.status or None,
            "chưa xác nhận" if r.definition.unconfirmed else None,
            r.indicator.formula if r.indicator else r.definition.reason,
        ]
        for g in card.groups
        for r in g.rows
    ]
    rows.append(
        [
            "Tổng cộng",
            card.scheme.short_name,
            None,
            None,
            None,
            card.scheme.total_points,
            card.score,
            f"tối đa đạt được trên hệ thống: {number(card.attainable)}",
            None,
            None,
        ]
    )
    return xlsx_response(
        f"chi-so-{period.start:%Y%m%d}-{period.end:%Y%m%d}",
        "Chỉ số",
        [
            "Nhóm",
            "Chỉ số",
            "Tử số",
            "Mẫu số",
            "Tỷ lệ / giá trị",
            "Điểm tối đa",
            "Điểm",
            "Tình trạng",
            "Điểm tối đa chưa xác nhận",
            "Cách tính",
        ],
        rows,
    )


def _counts(row: Scored) -> list:
    indicator = row.indicator
    if indicator is None:
        return [None, None, None]
    shown = (
        indicator.ratio if indicator.unit == "%" else (indicator.numerator if indicator.denominator else None)
    )
    return [indicator.numerator, indicator.denominator, shown]


def statistics_xlsx(table: StatsTable, period) -> Response:
    header = [
        "Mã thủ tục",
        "Tên thủ tục",
        "Tiếp nhận trong kỳ",
        "Kỳ trước chuyển qua",
        "Tổng số phải giải quyết",
        "Đang giải quyết quá hạn",
        "Đang giải quyết sắp đến hạn",
        "Đang giải quyết chưa đến hạn",
        "Đã giải quyết quá hạn",
        "Đã giải quyết trước hạn, đúng hạn",
        "Rút, dừng, đóng",
        "Tỷ lệ trễ hạn",
    ]
    rows = [
        [
            r.code,
            r.name,
            r.received,
            r.carried,
            r.total,
            r.in_progress_late,
            r.in_progress_nearly_late,
            r.in_progress_not_due,
            r.completed_late,
            r.completed_on_time,
            r.stopped,
            r.late_rate,
        ]
        for r in [*table.rows, table.total]
    ]
    return xlsx_response(f"thong-ke-{period.start:%Y%m%d}-{period.end:%Y%m%d}", "Thống kê", header, rows)
