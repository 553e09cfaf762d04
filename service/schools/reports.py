"""What a school's accountant reads: invoices with what is paid on them, collected against outstanding
by term, class and fee item, payments by day and channel, arrears, and their Excel exports. Every
figure is aggregated in SQL or over one query's rows, never a query per row."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import Response
from sqlalchemy import BigInteger

from service.extensions import db
from service.payments.models import PaymentAttempt, PaymentOrder
from service.requests import database_int
from service.schools.models import FeeItem, Invoice, InvoiceLine, SchoolClass, Student, Term
from service.timeutil import local_today, to_local

CHANNEL_LABELS = {
    "vnpay": "VNPAY",
    "vietqr": "Chuyển khoản VietQR",
    "momo": "Ví MoMo",
    "paygov": "Nền tảng thanh toán quốc gia",
    "manual": "Thu trực tiếp",
}
MAX_PERIOD_DAYS = 366


def terms_of(school_id: int) -> list[Term]:
    return db.session.scalars(
        db.select(Term).where(Term.school_id == school_id).order_by(Term.starts_on.desc())
    ).all()


def classes_of(school_id: int) -> list[SchoolClass]:
    return db.session.scalars(
        db.select(SchoolClass).where(SchoolClass.school_id == school_id).order_by(SchoolClass.code)
    ).all()


def paid_by_invoice():
    """A subquery: invoice_id -> paid (VND), what was received less what was refunded."""
    return (
        db.select(PaymentOrder.invoice_id, db.func.sum(net_paid_amount()).cast(BigInteger).label("paid"))
        .where(PaymentOrder.invoice_id.is_not(None), PaymentOrder.status == "paid")
        .group_by(PaymentOrder.invoice_id)
        .subquery()
    )


def net_paid_amount():
    """An order's amount less its succeeded refunds (a correlated scalar subquery)."""
    from service.payments.models import PaymentRefund

    refunded = (
        db.select(db.func.coalesce(db.func.sum(PaymentRefund.amount), 0))
        .where(PaymentRefund.order_id == PaymentOrder.id, PaymentRefund.status == "succeeded")
        .scalar_subquery()
    )
    return PaymentOrder.amount - refunded


@dataclass
class InvoiceFilters:
    term_id: int | None = None
    class_id: int | None = None
    state: str = ""  # outstanding, paid, cancelled
    q: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> InvoiceFilters:
        state = args.get("state", "")
        return cls(
            term_id=args.get("term_id", type=database_int),
            class_id=args.get("class_id", type=database_int),
            state=state if state in ("outstanding", "paid", "cancelled") else "",
            q=(args.get("q") or "").strip()[:100],
            page=min(max(args.get("page", 1, type=int) or 1, 1), 10_000),
        )

    def args(self, **changes) -> dict:
        values = {
            "term_id": self.term_id,
            "class_id": self.class_id,
            "state": self.state,
            "q": self.q,
            "page": self.page,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


@dataclass
class InvoiceRow:
    invoice: Invoice
    student: Student
    class_code: str
    paid: int

    @property
    def outstanding(self) -> int:
        return max(self.invoice.total - self.paid, 0) if self.invoice.status == "issued" else 0


def invoice_rows(
    school_id: int, filters: InvoiceFilters, page_size: int | None
) -> tuple[list[InvoiceRow], bool]:
    paid = paid_by_invoice()
    paid_value = db.func.coalesce(paid.c.paid, 0)
    statement = (
        db.select(Invoice, Student, SchoolClass.code, paid_value)
        .join(Student, Student.id == Invoice.student_id)
        .join(SchoolClass, SchoolClass.id == Student.class_id)
        .outerjoin(paid, paid.c.invoice_id == Invoice.id)
        .where(Invoice.school_id == school_id)
        .order_by(Invoice.id.desc())
    )
    if filters.term_id:
        statement = statement.where(Invoice.term_id == filters.term_id)
    if filters.class_id:
        statement = statement.where(Student.class_id == filters.class_id)
    if filters.state == "cancelled":
        statement = statement.where(Invoice.status != "issued")
    elif filters.state == "paid":
        statement = statement.where(Invoice.status == "issued", paid_value >= Invoice.total)
    elif filters.state == "outstanding":
        statement = statement.where(Invoice.status == "issued", paid_value < Invoice.total)
    if filters.q:
        like = f"%{filters.q}%"
        statement = statement.where(
            Invoice.number.ilike(like) | Student.code.ilike(like) | Student.full_name.ilike(like)
        )
    if page_size:
        statement = statement.limit(page_size + 1).offset((filters.page - 1) * page_size)
    rows = [InvoiceRow(i, s, c, p) for i, s, c, p in db.session.execute(statement).all()]
    if page_size:
        return rows[:page_size], len(rows) > page_size
    return rows, False


@dataclass
class Tally:
    billed: int = 0
    collected: int = 0

    @property
    def outstanding(self) -> int:
        return max(self.billed - self.collected, 0)

    @property
    def rate(self) -> float:
        return self.collected / self.billed if self.billed else 0.0


@dataclass
class Collection:
    total: Tally
    by_class: dict[str, Tally]
    by_item: dict[str, Tally]
    arrears: list[InvoiceRow] = field(default_factory=list)


def collection(school_id: int, term_id: int) -> Collection:
    """Billed and collected for a term: in total, by class and by fee item (what was paid on an
    invoice is spread over its items in proportion), and the students with arrears."""
    rows, _ = invoice_rows(school_id, InvoiceFilters(term_id=term_id), None)
    live = [r for r in rows if r.invoice.status == "issued"]
    lines = defaultdict(list)
    ids = [r.invoice.id for r in live]
    for start in range(0, len(ids), 5000):
        for invoice_id, item_name, amount in db.session.execute(
            db.select(
                InvoiceLine.invoice_id,
                db.func.coalesce(FeeItem.name, InvoiceLine.description),
                InvoiceLine.amount,
            )
            .outerjoin(FeeItem, FeeItem.id == InvoiceLine.fee_item_id)
            .where(InvoiceLine.invoice_id.in_(ids[start : start + 5000]))
        ):
            lines[invoice_id].append((item_name, amount))
    total, by_class, by_item = Tally(), defaultdict(Tally), defaultdict(Tally)
    for row in live:
        collected = min(row.paid, row.invoice.total)
        for tally in (total, by_class[row.class_code]):
            tally.billed += row.invoice.total
            tally.collected += collected
        share = collected / row.invoice.total if row.invoice.total else 0
        for item_name, amount in lines[row.invoice.id]:
            by_item[item_name].billed += amount
            by_item[item_name].collected += round(amount * share)
    arrears = sorted(
        (r for r in live if r.outstanding > 0 and r.invoice.due_on < local_today()),
        key=lambda r: (r.class_code, r.student.code),
    )
    return Collection(total, dict(sorted(by_class.items())), dict(sorted(by_item.items())), arrears)


@dataclass
class Period:
    start: date
    end: date
    error: str | None = None

    @classmethod
    def from_args(cls, args) -> Period:
        today = local_today()
        default = cls(today - timedelta(days=29), today)
        try:
            start = date.fromisoformat(args.get("from") or default.start.isoformat())
            end = date.fromisoformat(args.get("to") or default.end.isoformat())
        except ValueError:
            return cls(
                default.start, default.end, "Ngày không hợp lệ (yyyy-mm-dd); đang xem 30 ngày gần nhất."
            )
        if not (2000 <= start.year <= 2100 and 2000 <= end.year <= 2100):
            return cls(
                default.start,
                default.end,
                "Ngày phải trong khoảng năm 2000 đến 2100; đang xem 30 ngày gần nhất.",
            )
        if end < start:
            return cls(
                default.start, default.end, "Ngày kết thúc trước ngày bắt đầu; đang xem 30 ngày gần nhất."
            )
        if (end - start).days > MAX_PERIOD_DAYS:
            return cls(
                default.start, default.end, "Khoảng thời gian tối đa một năm; đang xem 30 ngày gần nhất."
            )
        return cls(start, end)

    def bounds_utc(self) -> tuple[datetime, datetime]:
        from zoneinfo import ZoneInfo

        local = ZoneInfo("Asia/Ho_Chi_Minh")
        start = datetime.combine(self.start, time.min, local).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
        end = (
            datetime.combine(self.end + timedelta(days=1), time.min, local)
            .astimezone(ZoneInfo("UTC"))
            .replace(tzinfo=None)
        )
        return start, end

    def args(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


@dataclass
class Payment:
    paid_at: datetime
    channel: str
    amount: int
    reference: str
    gateway_transaction: str | None
    invoice_number: str
    student_code: str
    student_name: str


def payments(school_id: int, period: Period) -> list[Payment]:
    start, end = period.bounds_utc()
    rows = db.session.execute(
        db.select(
            PaymentOrder.paid_at,
            PaymentAttempt.gateway,
            PaymentOrder.amount,
            PaymentAttempt.reference,
            PaymentAttempt.gateway_transaction,
            Invoice.number,
            Student.code,
            Student.full_name,
        )
        .join(PaymentAttempt, PaymentAttempt.id == PaymentOrder.paid_attempt_id)
        .join(Invoice, Invoice.id == PaymentOrder.invoice_id)
        .join(Student, Student.id == Invoice.student_id)
        .where(PaymentOrder.school_id == school_id, PaymentOrder.status == "paid")
        .where(PaymentOrder.paid_at >= start, PaymentOrder.paid_at < end)
        .order_by(PaymentOrder.paid_at)
    ).all()
    return [Payment(*row) for row in rows]


@dataclass
class DayTotals:
    day: date
    by_channel: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())


def payments_by_day(school_id: int, period: Period) -> list[DayTotals]:
    days: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for payment in payments(school_id, period):
        days[to_local(payment.paid_at).date()][payment.channel] += payment.amount
    return [DayTotals(day, dict(channels)) for day, channels in sorted(days.items())]


# ---------------------------------------------------------------- Excel


def xlsx_response(name: str, title: str, header: list[str], rows: list[list]) -> Response:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(v) for v in row])
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(
        buffer.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename={name}-{local_today():%Y%m%d}.xlsx"},
    )


def _safe(value):
    """Text that a spreadsheet would run as a formula is kept as text; control characters go."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value[:1] in ("=", "+", "-", "@"):
            return "'" + value
    return value


def invoices_sheet(rows: list[InvoiceRow]):
    labels = {"issued": "Đã phát hành", "cancelled": "Đã hủy", "replaced": "Đã được thay thế"}
    return (
        "Thông báo thu",
        [
            "Số thông báo thu",
            "Mã người học",
            "Họ và tên",
            "Lớp",
            "Học kỳ",
            "Tổng (đồng)",
            "Đã nộp (đồng)",
            "Còn nợ (đồng)",
            "Hạn nộp",
            "Tình trạng",
        ],
        [
            [
                r.invoice.number,
                r.student.code,
                r.student.full_name,
                r.class_code,
                r.invoice.term.code,
                r.invoice.total,
                r.paid,
                r.outstanding,
                r.invoice.due_on,
                labels[r.invoice.status],
            ]
            for r in rows
        ],
    )


def arrears_sheet(rows: list[InvoiceRow]):
    return (
        "Nợ học phí",
        ["Mã người học", "Họ và tên", "Lớp", "Số thông báo thu", "Còn nợ (đồng)", "Hạn nộp", "Điện thoại"],
        [
            [
                r.student.code,
                r.student.full_name,
                r.class_code,
                r.invoice.number,
                r.outstanding,
                r.invoice.due_on,
                r.student.phone or "",
            ]
            for r in rows
        ],
    )


def payments_sheet(rows: list[Payment]):
    return (
        "Thanh toán",
        [
            "Thời điểm",
            "Kênh",
            "Số tiền (đồng)",
            "Mã giao dịch",
            "Mã của cổng",
            "Số thông báo thu",
            "Mã người học",
            "Họ và tên",
        ],
        [
            [
                to_local(p.paid_at).replace(tzinfo=None),
                CHANNEL_LABELS.get(p.channel, p.channel),
                p.amount,
                p.reference,
                p.gateway_transaction or "",
                p.invoice_number,
                p.student_code,
                p.student_name,
            ]
            for p in rows
        ],
    )
