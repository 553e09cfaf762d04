"""Reconciliation of a school's settled payments against the gateways' and the bank's records.

Statements come as CSV files (what VNPAY's and MoMo's merchant portals and internet banking export):
one line per transaction with its id, our reference (or a description holding it), the amount and
the date. For a date range, every settled payment of ours and every statement line is then one of:
matched, only on our side, only on theirs, or amount differs. Bank-feed credits that matched nothing
(the review queue) count as only theirs.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import String, any_, bindparam, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import ARRAY

from service.database import write
from service.extensions import db
from service.payments.models import PaymentAttempt, PaymentIncident, PaymentOrder
from service.schools.imports import iter_csv_text, parse_date
from service.schools.models import StatementLine
from service.schools.reports import Period
from service.text import fold
from service.timeutil import utcnow

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
CENTS, SEPARATORS, DONG = re.compile(r"[.,]00$"), re.compile(r"[.,\s]"), re.compile(r"[0-9]{1,15}")
MAX_LINES = 200_000  # a bank's month of transfers for a large school, with room
SHOWN_ROWS = 500  # rows per table on the reconciliation page; the summary counts them all
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
    """Store the statement's lines; every other line is counted with why it was not stored.

    The file is read as a stream of rows (never a list of every row's cells), each valid line kept as
    a small tuple; only when every line is valid are they written, CHUNK at a time, each chunk one
    INSERT … ON CONFLICT DO NOTHING batch. A bank's month of 100,000 transfers imports in seconds."""
    if len(data) > current_app.config["STATEMENT_MAX_BYTES"]:
        megabytes = current_app.config["STATEMENT_MAX_BYTES"] // (1024 * 1024)
        raise StatementError(
            f"Tệp sao kê quá lớn (tối đa {megabytes} MB). Hãy tách theo tháng hoặc theo tuần."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StatementError("Tệp sao kê phải là CSV mã UTF-8.") from None
    rows = iter_csv_text(text, StatementError, MAX_LINES)
    header = next(rows, None)
    if header is None:
        raise StatementError("Tệp sao kê không có dữ liệu.")
    fields = [COLUMNS.get(fold(cell).strip(" *")) for cell in header]
    missing = [
        name
        for name, key in (("Mã giao dịch", "external_id"), ("Số tiền", "amount"), ("Ngày", "date"))
        if key not in fields
    ]
    if missing:
        raise StatementError("Tệp sao kê thiếu cột: " + ", ".join(missing) + ".")
    lines, problems = _read_lines(rows, fields)
    if problems:
        shown = ", ".join(str(n) for n in problems[:20])
        raise StatementError(
            f"Dòng sai định dạng (mã giao dịch, số tiền hoặc ngày): {shown}. Chưa nhập dòng nào."
        )
    report = Imported()
    foreign = _foreign_references(school_id, {line[1] for line in lines if line[1]})
    kept = [line for line in lines if line[1] not in foreign]  # another school's (or the agency's)
    report.foreign = len(lines) - len(kept)
    for start in range(0, len(kept), CHUNK):
        chunk = kept[start : start + CHUNK]
        with write():
            added = _insert_new(school_id, source, user_id, chunk)
        report.added += added
        # the same transaction id, earlier in this file or in an earlier statement
        report.duplicates += len(chunk) - added
    return report


# A statement holds a month's few dozen dates a hundred thousand times: each is parsed once.
_day = functools.lru_cache(maxsize=1024)(parse_date)

Line = tuple[str, str | None, int, date]  # external id, reference, amount, day


def _read_lines(rows, fields: list[str | None]) -> tuple[list[Line], list[int]]:
    lines: list[Line] = []
    problems: list[int] = []
    for number, cells in enumerate(rows, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        values = {key: cells[i].strip() for i, key in enumerate(fields) if key and i < len(cells)}
        amount = CENTS.sub("", values.get("amount", "").strip())  # "3000000.00": đồng have no cents
        amount = SEPARATORS.sub("", amount)
        day = _day(values.get("date", "")[:10])
        if not values.get("external_id") or not DONG.fullmatch(amount) or day is None:
            problems.append(number)
            continue
        said = " ".join((values.get("reference") or "").split())
        found = REFERENCE.search(said.upper())
        # A reference we do not know is kept as the statement gave it: the accountant looks it up.
        reference = found.group() if found else (said[:34] or None)
        lines.append((values["external_id"][:64], reference, int(amount), day))
    return lines, problems


def _insert_new(school_id: int, source: str, user_id: int, chunk: list[Line]) -> int:
    """The chunk's lines in one statement; a transaction id stored already (by an earlier statement, or
    earlier in this one) is left alone. Returns how many were new."""
    common = {"school_id": school_id, "source": source, "imported_by_id": user_id, "imported_at": utcnow()}
    if db.engine.dialect.name == "postgresql":
        # One array per column: psycopg would otherwise rewrite a statement of thousands of placeholders
        # on every chunk, which cost more than the insert itself.
        ids, references, amounts, days = (list(column) for column in zip(*chunk, strict=True))
        values = {**common, "ids": ids, "refs": references, "amounts": amounts, "days": days}
        return len(db.session.execute(UNNEST_INSERT, values).all())
    table = StatementLine.__table__  # Core, not the ORM's bulk path: nothing here needs objects back
    statement = (
        sqlite.insert(table)
        .on_conflict_do_nothing(index_elements=["school_id", "source", "external_id"])
        .returning(table.c.id)
    )
    rows = [
        {**common, "external_id": external_id, "reference": reference, "amount": amount, "occurred_on": day}
        for external_id, reference, amount, day in chunk
    ]
    return len(db.session.execute(statement, rows).all())


UNNEST_INSERT = text(
    "INSERT INTO statement_lines (school_id, source, imported_by_id, imported_at, external_id, reference, "
    "amount, occurred_on) SELECT :school_id, :source, :imported_by_id, :imported_at, e, r, a, d "
    "FROM unnest(CAST(:ids AS varchar[]), CAST(:refs AS varchar[]), CAST(:amounts AS bigint[]), "
    "CAST(:days AS date[])) AS t(e, r, a, d) "
    "ON CONFLICT (school_id, source, external_id) DO NOTHING RETURNING id"
)


def _foreign_references(school_id: int, references: set[str]) -> set[str]:
    """References in a shared statement that belong to someone else's orders."""
    found: set[str] = set()
    wanted = sorted(references)
    for start in range(0, len(wanted), CHUNK):  # a bound list of parameters per query
        some = wanted[start : start + CHUNK]
        by_attempt = db.session.execute(
            db.select(PaymentAttempt.reference, PaymentOrder.school_id)
            .join(PaymentOrder, PaymentOrder.id == PaymentAttempt.order_id)
            .where(_among(PaymentAttempt.reference, some))
        ).all()
        by_order = db.session.execute(
            db.select(PaymentOrder.reference, PaymentOrder.school_id).where(
                _among(PaymentOrder.reference, some)
            )
        ).all()
        found |= {reference for reference, owner in [*by_attempt, *by_order] if owner != school_id}
    return found


def _among(column, values: list[str]):
    """`column IN values`; on PostgreSQL as `= ANY(array)`, one parameter instead of a thousand."""
    if db.engine.dialect.name == "postgresql":
        return column == any_(bindparam("among", values, type_=ARRAY(String)))
    return column.in_(values)


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
