"""Fee schedules, exemptions and invoices of a school.

A schedule prices one fee item for one term over a scope (the whole school, a programme, a level or a
class); two schedules of the same item and term may not cover the same class. Exemptions and
reductions apply to tuition items, at the rate the rule set in force on the term's first day gives the
student's best category (service.schools.exemption_rules), and are shown as lines of the invoice. Bulk invoicing (one invoice per student and
term, a resumable run) is service.schools.invoicing; an issued invoice is never edited: a correction
replaces it with a new invoice and a cancellation records its reason.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger

from service import audit, uploads
from service.database import for_update, write
from service.extensions import db
from service.money import format_money
from service.payments import settlement
from service.payments.models import PaymentOrder
from service.schools import exemption_rules
from service.schools.models import (
    LEVELS,
    Exemption,
    FeeItem,
    FeeSchedule,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    ManualPayment,
    School,
    SchoolClass,
    Student,
    Term,
)
from service.schools.reports import net_paid_amount
from service.text import fold
from service.timeutil import local_today, utcnow


class FeeError(ValueError):
    """Refused, with the accountant's message."""


# ---------------------------------------------------------------- schedules


def classes_in_scope(school_id: int, scope: str, value: str) -> set[int]:
    statement = db.select(SchoolClass.id).where(SchoolClass.school_id == school_id)
    if scope == "programme":
        wanted = fold(value)
        return {
            c.id
            for c in db.session.scalars(db.select(SchoolClass).where(SchoolClass.school_id == school_id))
            if fold(c.programme) == wanted
        }
    if scope == "level":
        key = next((k for k, label in LEVELS.items() if fold(label) == fold(value) or k == value), None)
        if key is None:
            raise FeeError("Trình độ là Cao đẳng, Trung cấp, Sơ cấp hoặc Đào tạo khác.")
        statement = statement.where(SchoolClass.level == key)
    elif scope == "class":
        statement = statement.where(SchoolClass.code == value.upper())
    return set(db.session.scalars(statement))


def add_schedule(school_id: int, user_id: int, **fields) -> FeeSchedule:
    term = db.session.get(Term, fields["term_id"])
    item = db.session.get(FeeItem, fields["fee_item_id"])
    if term is None or item is None or term.school_id != school_id or item.school_id != school_id:
        raise FeeError("Học kỳ hoặc khoản thu không thuộc trường.")
    if item.kind == "tuition_credit" and not fields.get("credits"):
        raise FeeError("Học phí theo tín chỉ cần số tín chỉ của học kỳ.")
    if item.kind != "tuition_credit":
        fields["credits"] = None
    scope, value = (
        fields["scope"],
        (fields.get("scope_value") or "").strip() if fields["scope"] != "school" else "",
    )
    covered = classes_in_scope(school_id, scope, value)
    if not covered:
        raise FeeError("Không có lớp nào thuộc phạm vi áp dụng này.")
    with write():
        db.session.scalar(
            for_update(db.select(Term).where(Term.id == term.id))
        )  # one change per term at a time
        _refuse_overlap(school_id, term.id, item.id, covered)
        schedule = FeeSchedule(
            school_id=school_id,
            term_id=term.id,
            fee_item_id=item.id,
            scope=scope,
            scope_value=value,
            unit_amount=fields["unit_amount"],
            credits=fields.get("credits"),
            due_on=fields["due_on"],
            created_by_id=user_id,
        )
        db.session.add(schedule)
    return schedule


def _refuse_overlap(school_id: int, term_id: int, item_id: int, covered: set[int]) -> None:
    for other in db.session.scalars(
        db.select(FeeSchedule).where(FeeSchedule.term_id == term_id, FeeSchedule.fee_item_id == item_id)
    ):
        overlap = covered & classes_in_scope(school_id, other.scope, other.scope_value)
        if overlap:
            names = ", ".join(
                sorted(db.session.scalars(db.select(SchoolClass.code).where(SchoolClass.id.in_(overlap))))
            )
            raise FeeError(
                f"Trùng với mức thu đã có của khoản này trong học kỳ ({_scope_text(other)}) ở các lớp: {names}."
            )


def _scope_text(schedule: FeeSchedule) -> str:
    if schedule.scope == "school":
        return "toàn trường"
    return f"{schedule.scope_value}"


# ---------------------------------------------------------------- exemptions


def add_exemption(
    school_id: int, student: Student, user_id: int | None, evidence: tuple[str, bytes] | None, **fields
) -> Exemption:
    """Grant an exemption of a category of the rule sets in force over its period, with its evidence."""
    if evidence is None or not evidence[1]:
        raise FeeError("Vui lòng đính kèm minh chứng (quyết định, giấy xác nhận).")
    name, data = evidence
    file_type = uploads.sniff(data[:16], data)
    if file_type not in ("pdf", "jpeg", "png"):
        raise FeeError("Minh chứng phải là tệp PDF, JPEG hoặc PNG.")
    percent = granted_rate(
        student, fields["category"], fields.get("percent"), fields["valid_from"], fields["valid_to"]
    )
    stored, _ = uploads.store(data, file_type)
    with write():
        exemption = Exemption(
            school_id=school_id,
            student_id=student.id,
            category=fields["category"],
            percent=percent,
            basis=fields["basis"],
            evidence_name=uploads.clean_filename(name),
            evidence_stored=stored,
            valid_from=fields["valid_from"],
            valid_to=fields["valid_to"],
            created_by_id=user_id,
        )
        db.session.add(exemption)
        db.session.flush()
        audit.record(
            "school.exemption_added",
            exemption,
            details={"code": exemption.category, "percent": percent, "basis": exemption.basis},
        )
    return exemption


def granted_rate(student: Student, code: str, percent: int | None, start: date, end: date) -> int:
    """The rate of the category under the latest rule set in force over [start, end]; for "khác" the
    rate the school's decision states."""
    if end < start:
        raise FeeError("Ngày kết thúc phải từ ngày bắt đầu trở đi.")
    found = exemption_rules.category_for(code, start, end)
    if found is None:
        raise FeeError("Đối tượng miễn, giảm này không có trong quy định áp dụng cho thời gian đã chọn.")
    _, category = found
    if student.level not in category.levels:
        allowed = ", ".join(LEVELS[level] for level in category.levels)
        raise FeeError(f"Đối tượng này chỉ áp dụng cho trình độ {allowed}.")
    if category.rate is None:
        if not isinstance(percent, int) or not 1 <= percent <= 100:
            raise FeeError("Tỷ lệ miễn, giảm từ 1% đến 100%.")
        return percent
    if percent is not None and percent != category.rate:
        raise FeeError(f"Đối tượng này được miễn, giảm {category.rate}% theo quy định.")
    return category.rate


def revoke_exemption(exemption_id: int, user_id: int, reason: str) -> Exemption:
    """End an exemption (it no longer applies to a term not yet invoiced); issued invoices stay as they
    are: a correction is a replacement invoice."""
    with write():
        exemption = db.session.scalar(for_update(db.select(Exemption).where(Exemption.id == exemption_id)))
        if exemption.revoked_at is not None:
            raise FeeError("Miễn, giảm này đã được thu hồi.")
        exemption.revoked_at, exemption.revoked_by_id, exemption.revoke_reason = utcnow(), user_id, reason
        audit.record(
            "school.exemption_revoked", exemption, details={"code": exemption.category, "reason": reason}
        )
    return exemption


def reduction(base: int, percent: int) -> int:
    """The reduction of a tuition amount in whole đồng, rounded down (the student pays the odd đồng), and
    never more than the amount."""
    return min(base, base * percent // 100)


# ---------------------------------------------------------------- invoices


def invoice_counter(school_id: int, year: int) -> InvoiceCounter:
    """The school's invoice counter of the year, locked until commit (created on the year's first)."""
    # The school's row is the lock: the year's counter row may not exist yet (nothing to lock).
    db.session.scalar(for_update(db.select(School).where(School.id == school_id)))
    counter = db.session.scalar(
        for_update(
            db.select(InvoiceCounter).where(
                InvoiceCounter.school_id == school_id, InvoiceCounter.year == year
            )
        )
    )
    if counter is None:
        counter = InvoiceCounter(school_id=school_id, year=year, last_number=0)
        db.session.add(counter)
    return counter


def invoice_number(year: int, number: int) -> str:
    return f"HD{year}-{number:06d}"


def _issue(
    school: School,
    student: Student,
    term: Term,
    lines: list[dict],
    due_on: date,
    user_id: int,
    replaces: Invoice | None = None,
    reason: str | None = None,
) -> Invoice:
    """In the caller's transaction."""
    year = local_today().year
    counter = invoice_counter(school.id, year)
    counter.last_number += 1
    invoice = build_invoice(
        school.id,
        student,
        term,
        lines,
        due_on,
        user_id,
        invoice_number(year, counter.last_number),
        replaces=replaces,
        reason=reason,
    )
    db.session.add(invoice)
    db.session.flush()
    return invoice


def build_invoice(
    school_id, student, term, lines, due_on, user_id, number, run_key=None, replaces=None, reason=None
) -> Invoice:
    return Invoice(
        school_id=school_id,
        student_id=student.id,
        term_id=term.id,
        number=number,
        run_key=run_key,
        total=max(sum(line["amount"] for line in lines), 0),
        due_on=due_on,
        issued_by_id=user_id,
        replaces_id=replaces.id if replaces else None,
        reason=reason,
        lines=[InvoiceLine(**line) for line in lines],
    )


def cancel_invoice(invoice_id: int, user_id: int, reason: str) -> Invoice:
    with write():
        invoice = _issued(invoice_id, "Thông báo thu này đã bị hủy hoặc đã được thay thế.")
        if paid_amount(invoice.id):
            raise FeeError(
                "Thông báo thu đã có tiền nộp: hãy điều chỉnh (lập thông báo thu thay thế) hoặc hoàn tiền trước."
            )
        invoice.status, invoice.cancelled_at, invoice.cancelled_by_id = "cancelled", utcnow(), user_id
        invoice.reason = reason
        _cancel_open_orders(invoice.id, f"Thông báo thu {invoice.number} bị hủy: {reason}")
    return invoice


def _issued(invoice_id: int, refusal: str) -> Invoice:
    """The invoice, locked, if it is still issued; FeeError(refusal) if it was cancelled or replaced."""
    invoice = db.session.scalar(for_update(db.select(Invoice).where(Invoice.id == invoice_id)))
    if invoice.status != "issued":
        raise FeeError(refusal)
    return invoice


def replace_invoice(invoice_id: int, user_id: int, reason: str, lines: list[dict]) -> Invoice:
    """A correction: a new invoice with the given lines replaces this one (what was paid carries over)."""
    if not lines or any(not isinstance(line.get("amount"), int) for line in lines):
        raise FeeError("Thông báo thu điều chỉnh cần ít nhất một khoản với số tiền là số nguyên.")
    with write():
        invoice = _issued(invoice_id, "Thông báo thu này đã bị hủy hoặc đã được thay thế.")
        paid = paid_amount(invoice.id)
        if sum(line["amount"] for line in lines) < paid:
            raise FeeError(
                f"Tổng thông báo thu mới không được nhỏ hơn số đã nộp ({format_money(paid)}); hãy hoàn tiền trước."
            )
        invoice.status = "replaced"
        _cancel_open_orders(invoice.id, f"Thông báo thu {invoice.number} được điều chỉnh: {reason}")
        items = {line.description: line.fee_item_id for line in invoice.lines}
        lines = [
            {**line, "fee_item_id": line.get("fee_item_id") or items.get(line["description"])}
            for line in lines
        ]
        school = db.session.get(School, invoice.school_id)
        new = _issue(
            school,
            invoice.student,
            invoice.term,
            lines,
            invoice.due_on,
            user_id,
            replaces=invoice,
            reason=reason,
        )
        _carry_payments(invoice.id, new.id)
    return new


def _carry_payments(old_id: int, new_id: int) -> None:
    """Money already received for the old invoice counts for the new one."""
    settlement.move_paid_orders(from_invoice=old_id, to_invoice=new_id)
    for entry in db.session.scalars(db.select(ManualPayment).where(ManualPayment.invoice_id == old_id)):
        entry.invoice_id = new_id


def _cancel_open_orders(invoice_id: int, reason: str) -> None:
    for order in settlement.unpaid_orders(invoice_id=invoice_id):
        settlement.cancel_unpaid(order, reason)


def paid_amount(invoice_id: int) -> int:
    return db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(net_paid_amount()), 0).cast(BigInteger)).where(
            PaymentOrder.invoice_id == invoice_id, PaymentOrder.status == "paid"
        )
    )


def outstanding(invoice: Invoice) -> int:
    return max(invoice.total - paid_amount(invoice.id), 0) if invoice.status == "issued" else 0


def order_for_payment(invoice_id: int, amount: int | None = None) -> PaymentOrder:
    """The payment order a payer pays now: the whole outstanding amount, or (where the school allows
    it) a part of it. An open order of the same amount is reused; another is cancelled."""
    with write():
        invoice = _issued(
            invoice_id,
            "Thông báo thu này đã bị hủy hoặc được thay thế; vui lòng dùng liên kết của thông báo thu mới.",
        )
        amount = _payable(invoice, amount)
        open_orders = settlement.unpaid_orders(invoice_id=invoice.id)
        same = next((o for o in open_orders if o.amount == amount), None)
        if same is not None:  # another attempt on the same order: a second success is flagged, not lost
            return same
        for order in open_orders:
            if not settlement.has_pending_attempt(order.id):
                settlement.cancel_unpaid(order, "Người nộp chọn số tiền khác.")
        student = invoice.student
        return settlement.open_order(
            amount,
            f"Học phí, khoản thu {invoice.term.name} – {student.code} {student.full_name} (thông báo thu {invoice.number})",
            "invoice",
            school_id=invoice.school_id,
            invoice_id=invoice.id,
            payer_name=student.full_name,
            payer_email=student.email,
        )


def _payable(invoice: Invoice, amount: int | None) -> int:
    """The amount to pay now: what is left, or the part asked where the school allows parts."""
    left = invoice.total - paid_amount(invoice.id)
    if left <= 0:
        raise FeeError("Thông báo thu này đã được nộp đủ.")
    if amount is None or amount == left:
        return left
    if not db.session.get(School, invoice.school_id).allow_partial_payment:
        raise FeeError("Trường không nhận nộp từng phần; vui lòng nộp đủ số tiền.")
    if not 1 <= amount <= left:
        raise FeeError(f"Số tiền nộp phải từ 1 đồng đến {format_money(left)}.")
    return amount
