"""Reconciliation of a school's settled payments against the gateways' and the bank's records.

Statements come as CSV files (what VNPAY's and MoMo's merchant portals and internet banking export):
one line per transaction with its id, our reference (or a description holding it), the amount and
the date. For a date range, every settled payment of ours and every statement line is then one of:
matched, only on our side, only on theirs, or amount differs. Bank-feed credits that matched nothing
(the review queue) count as only theirs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from service.database import insert_once, write
from service.extensions import db
from service.payments.models import PaymentAttempt, PaymentIncident, PaymentOrder
from service.schools.imports import parse_date, read_csv_text
from service.schools.models import StatementLine
from service.schools.reports import Period
from service.text import fold

SOURCES = {"vnpay": "Sao kê VNPAY", "momo": "Sao kê MoMo", "bank": "Sao kê ngân hàng (chuyển khoản VietQR)"}
# What each entry of the reconciliation came from, as the accountant reads it.
SOURCE_LABELS = {
    "vnpay": "VNPAY",
    "momo": "Ví MoMo",
    "bank": "Ngân hàng (VietQR)",
    "bankfeed": "Tiền đến tài khoản chưa khớp khoản nào",
}
SOURCE_OF_GATEWAY = {"vnpay": "vnpay", "momo": "momo", "vietqr": "bank"}
COLUMNS = {
    "ma giao dich": "external_id",
    "so giao dich": "external_id",
    "transaction id": "external_id",
    "id": "external_id",
    "ma tham chieu": "reference",
    "vnp_txnref": "reference",
    "orderid": "reference",
    "reference": "reference",
    "noi dung": "reference",
    "mo ta": "reference",
    "description": "reference",
    "so tien": "amount",
    "amount": "amount",
    "so tien ghi co": "amount",
    "ngay": "date",
    "ngay giao dich": "date",
    "date": "date",
}
REFERENCE = re.compile(r"(?:TT|LP)[A-Z2-9]{10}")
MAX_LINES = 50_000
CHUNK = 1_000  # lines per transaction: the write lock is not held for a whole large statement


class StatementError(ValueError):
    pass


@dataclass
class Imported:
    """Every line of a statement file accounted for."""

    added: int = 0
    duplicates: int = 0  # the same transaction id earlier in this file or in an earlier statement
    foreign: int = 0  # our reference, but another collector's order (a shared account's statement)

    def message(self) -> str:
        parts = [f"Đã nhập {self.added} dòng sao kê"]
        if self.duplicates:
            parts.append(f"{self.duplicates} dòng trùng mã giao dịch đã nhập (bỏ qua)")
        if self.foreign:
            parts.append(f"{self.foreign} dòng là khoản thu của đơn vị khác (không nhập)")
        return "; ".join(parts) + "."


def import_csv(school_id: int, source: str, data: bytes, user_id: int) -> Imported:
    """Store the statement's lines; every other line is counted with why it was not stored."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StatementError("Tệp sao kê phải là CSV mã UTF-8.") from None
    rows = read_csv_text(text, StatementError, MAX_LINES)
    if not rows:
        raise StatementError("Tệp sao kê không có dữ liệu.")
    fields = [COLUMNS.get(fold(cell).strip(" *")) for cell in rows[0]]
    missing = [
        name
        for name, key in (("Mã giao dịch", "external_id"), ("Số tiền", "amount"), ("Ngày", "date"))
        if key not in fields
    ]
    if missing:
        raise StatementError("Tệp sao kê thiếu cột: " + ", ".join(missing) + ".")
    lines, problems = [], []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        values = {key: cells[i].strip() for i, key in enumerate(fields) if key and i < len(cells)}
        amount = re.sub(r"[.,]00$", "", values.get("amount", "").strip())  # "3000000.00": đồng have no cents
        amount = re.sub(r"[.,\s]", "", amount)
        day = parse_date(values.get("date", "")[:10])
        if not values.get("external_id") or not re.fullmatch(r"[0-9]{1,15}", amount) or day is None:
            problems.append(number)
            continue
        said = " ".join((values.get("reference") or "").split())
        found = REFERENCE.search(said.upper())
        # A reference we do not know is kept as the statement gave it: the accountant looks it up.
        lines.append(
            {
                "external_id": values["external_id"][:64],
                "reference": found.group() if found else (said[:34] or None),
                "amount": int(amount),
                "occurred_on": day,
            }
        )
    if problems:
        shown = ", ".join(str(n) for n in problems[:20])
        raise StatementError(
            f"Dòng sai định dạng (mã giao dịch, số tiền hoặc ngày): {shown}. Chưa nhập dòng nào."
        )
    report = Imported()
    foreign = _foreign_references(school_id, {line["reference"] for line in lines if line["reference"]})
    kept = [line for line in lines if line["reference"] not in foreign]  # another school's (or the agency's)
    report.foreign = len(lines) - len(kept)
    for start in range(0, len(kept), CHUNK):
        with write():
            for line in kept[start : start + CHUNK]:
                if insert_once(
                    StatementLine(school_id=school_id, source=source, imported_by_id=user_id, **line)
                ):
                    report.added += 1
                else:  # the same transaction id, earlier in this file or in an earlier statement
                    report.duplicates += 1
    return report


def _foreign_references(school_id: int, references: set[str]) -> set[str]:
    """References in a shared statement that belong to someone else's orders."""
    if not references:
        return set()
    by_attempt = db.session.execute(
        db.select(PaymentAttempt.reference, PaymentOrder.school_id)
        .join(PaymentOrder, PaymentOrder.id == PaymentAttempt.order_id)
        .where(PaymentAttempt.reference.in_(references))
    ).all()
    by_order = db.session.execute(
        db.select(PaymentOrder.reference, PaymentOrder.school_id).where(
            PaymentOrder.reference.in_(references)
        )
    ).all()
    return {reference for reference, owner in [*by_attempt, *by_order] if owner != school_id}


@dataclass
class Entry:
    source: str
    reference: str | None
    ours: int | None
    theirs: int | None
    day: date | None
    external_id: str | None = None


@dataclass
class Result:
    matched: list[Entry] = field(default_factory=list)
    only_ours: list[Entry] = field(default_factory=list)
    only_theirs: list[Entry] = field(default_factory=list)
    amount_differs: list[Entry] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.only_ours or self.only_theirs or self.amount_differs)


def reconcile(school_id: int, period: Period) -> Result:
    from service.timeutil import to_local

    start, end = period.bounds_utc()
    ours = {}
    for reference, order_reference, gateway, amount, paid_at in db.session.execute(
        db.select(
            PaymentAttempt.reference,
            PaymentOrder.reference,
            PaymentAttempt.gateway,
            PaymentAttempt.amount,
            PaymentAttempt.finished_at,
        )
        .join(PaymentOrder, PaymentOrder.id == PaymentAttempt.order_id)
        .where(PaymentOrder.school_id == school_id, PaymentAttempt.status == "succeeded")
        .where(PaymentAttempt.gateway.in_(tuple(SOURCE_OF_GATEWAY)))
        .where(PaymentAttempt.finished_at >= start, PaymentAttempt.finished_at < end)
    ):
        ours[reference] = (SOURCE_OF_GATEWAY[gateway], amount, to_local(paid_at).date(), order_reference)
    by_order = {v[3]: k for k, v in ours.items()}
    result = Result()
    seen = set()
    for line in db.session.scalars(
        db.select(StatementLine).where(
            StatementLine.school_id == school_id,
            StatementLine.occurred_on >= period.start,
            StatementLine.occurred_on <= period.end,
        )
    ):
        reference = line.reference if line.reference in ours else by_order.get(line.reference, line.reference)
        if reference in ours and reference not in seen and ours[reference][0] == line.source:
            seen.add(reference)
            source, amount, day, _ = ours[reference]
            entry = Entry(line.source, reference, amount, line.amount, line.occurred_on, line.external_id)
            (result.matched if amount == line.amount else result.amount_differs).append(entry)
        else:
            result.only_theirs.append(
                Entry(line.source, line.reference, None, line.amount, line.occurred_on, line.external_id)
            )
    for incident in db.session.scalars(
        db.select(PaymentIncident).where(
            PaymentIncident.school_id == school_id,
            PaymentIncident.kind == "unmatched_credit",
            PaymentIncident.created_at >= start,
            PaymentIncident.created_at < end,
        )
    ):
        result.only_theirs.append(
            Entry("bankfeed", None, None, incident.amount, to_local(incident.created_at).date())
        )
    for reference, (source, amount, day, _) in sorted(ours.items(), key=lambda item: item[1][2]):
        if reference not in seen:
            result.only_ours.append(Entry(source, reference, amount, None, day))
    return result
