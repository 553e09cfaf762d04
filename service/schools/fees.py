"""Fee schedules, exemptions and invoices of a school.

A schedule prices one fee item for one term over a scope (the whole school, a programme, a level or a
class); two schedules of the same item and term may not cover the same class. Exemptions and
reductions (Decree 81/2021) apply to tuition items, at the percentage of the exemption valid on the
term's first day, and are shown as lines of the invoice. Bulk invoicing makes one invoice per student
and term, idempotently (a `run_key` per student and term); an issued invoice is never edited: a
correction replaces it with a new invoice and a cancellation records its reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger

from service.database import begin_write, for_update
from service.dossiers import uploads
from service.extensions import db
from service.money import format_money
from service.payments import settlement
from service.payments.models import PaymentAttempt, PaymentOrder
from service.schools.models import (
    LEVELS,
    Exemption,
    FeeItem,
    FeeSchedule,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
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
        return {c.id for c in db.session.scalars(db.select(SchoolClass).where(SchoolClass.school_id == school_id))
                if fold(c.programme) == wanted}  # fmt: skip
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
    begin_write()
    db.session.scalar(
        for_update(db.select(Term).where(Term.id == term.id))
    )  # one schedule change per term at a time
    for other in db.session.scalars(
        db.select(FeeSchedule).where(FeeSchedule.term_id == term.id, FeeSchedule.fee_item_id == item.id)
    ):
        overlap = covered & classes_in_scope(school_id, other.scope, other.scope_value)
        if overlap:
            db.session.rollback()
            names = ", ".join(
                sorted(db.session.scalars(db.select(SchoolClass.code).where(SchoolClass.id.in_(overlap))))
            )
            raise FeeError(
                f"Trùng với mức thu đã có của khoản này trong học kỳ ({_scope_text(other)}) ở các lớp: {names}."
            )
    schedule = FeeSchedule(
        school_id=school_id, term_id=term.id, fee_item_id=item.id, scope=scope, scope_value=value,
        unit_amount=fields["unit_amount"], credits=fields.get("credits"), due_on=fields["due_on"], created_by_id=user_id,
    )  # fmt: skip
    db.session.add(schedule)
    db.session.commit()
    return schedule


def _scope_text(schedule: FeeSchedule) -> str:
    if schedule.scope == "school":
        return "toàn trường"
    return f"{schedule.scope_value}"


# ---------------------------------------------------------------- exemptions


def add_exemption(
    school_id: int, student: Student, user_id: int, evidence: tuple[str, bytes] | None, **fields
) -> Exemption:
    if evidence is None or not evidence[1]:
        raise FeeError("Vui lòng đính kèm minh chứng (quyết định, giấy xác nhận).")
    name, data = evidence
    file_type = uploads.sniff(data[:16], data)
    if file_type not in ("pdf", "jpeg", "png"):
        raise FeeError("Minh chứng phải là tệp PDF, JPEG hoặc PNG.")
    percent = fields["percent"]
    if not isinstance(percent, int) or not 1 <= percent <= 100:
        raise FeeError("Tỷ lệ miễn, giảm từ 1% đến 100%.")
    stored, _ = uploads.store(data, file_type)
    begin_write()
    exemption = Exemption(
        school_id=school_id, student_id=student.id, category=fields["category"], percent=percent, basis=fields["basis"],
        evidence_name=uploads.clean_filename(name), evidence_stored=stored, valid_from=fields["valid_from"],
        valid_to=fields["valid_to"], created_by_id=user_id,
    )  # fmt: skip
    db.session.add(exemption)
    db.session.commit()
    return exemption


def reduction(base: int, percent: int) -> int:
    """The reduction of a tuition amount, in whole đồng, never more than the amount (rounded down)."""
    return min(base, base * percent // 100)


# ---------------------------------------------------------------- invoices


@dataclass
class RunResult:
    created: int
    existing: int
    without_fees: int


def _next_numbers(school_id: int, year: int, count: int = 1) -> list[str]:
    """`count` consecutive invoice numbers of the school and year, reserved under a row lock."""
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
    first = counter.last_number + 1
    counter.last_number += count
    return [f"HD{year}-{n:06d}" for n in range(first, first + count)]


def lines_for(student: Student, term: Term, schedules_by_class: dict[int, list[FeeSchedule]],
              exemptions: list[Exemption]) -> list[dict]:  # fmt: skip
    lines = []
    exemption = max(
        (e for e in exemptions if e.valid_from <= term.starts_on <= e.valid_to and e.revoked_at is None),
        key=lambda e: e.percent, default=None,
    )  # fmt: skip
    for schedule in schedules_by_class.get(student.class_id, []):
        item = schedule.fee_item
        text = (
            item.name
            if not schedule.credits
            else f"{item.name} ({schedule.credits} tín chỉ × {format_money(schedule.unit_amount)})"
        )
        lines.append({"fee_item_id": item.id, "description": text, "amount": schedule.amount})
        if item.is_tuition and exemption is not None:
            cut = reduction(schedule.amount, exemption.percent)
            if cut:
                lines.append({
                    "fee_item_id": item.id, "exemption_id": exemption.id, "amount": -cut,
                    "description": f"Miễn, giảm {exemption.percent}% {item.name.lower()} – {exemption.basis}",
                })  # fmt: skip
    return lines


def invoice_term(school_id: int, term_id: int, user_id: int) -> RunResult:
    """One invoice per student of the school for the term; running it again creates nothing twice."""
    term = db.session.get(Term, term_id)
    if term is None or term.school_id != school_id:
        raise FeeError("Học kỳ không thuộc trường.")
    schedules = db.session.scalars(db.select(FeeSchedule).where(FeeSchedule.term_id == term.id)).all()
    if not schedules:
        raise FeeError("Học kỳ này chưa có mức thu nào.")
    by_class: dict[int, list[FeeSchedule]] = defaultdict(list)
    for schedule in schedules:
        for class_id in classes_in_scope(school_id, schedule.scope, schedule.scope_value):
            by_class[class_id].append(schedule)
    due = {class_id: max(s.due_on for s in items) for class_id, items in by_class.items()}
    exemptions: dict[int, list[Exemption]] = defaultdict(list)
    for exemption in db.session.scalars(db.select(Exemption).where(Exemption.school_id == school_id)):
        exemptions[exemption.student_id].append(exemption)
    invoiced = set(
        db.session.scalars(
            db.select(Invoice.student_id).where(Invoice.term_id == term.id, Invoice.run_key.is_not(None))
        )
    )
    students = db.session.scalars(
        db.select(Student).where(Student.school_id == school_id).order_by(Student.class_id, Student.code)
    ).all()
    created = without = 0
    school = db.session.get(School, school_id)
    for start in range(0, len(students), 500):
        begin_write()
        db.session.scalar(for_update(db.select(Term).where(Term.id == term.id)))  # one run per term at a time
        done_now = set(
            db.session.scalars(
                db.select(Invoice.student_id).where(Invoice.term_id == term.id, Invoice.run_key.is_not(None))
            )
        )
        todo = []
        for student in students[start : start + 500]:
            if student.id in done_now:
                continue
            lines = lines_for(student, term, by_class, exemptions[student.id])
            if lines:
                todo.append((student, lines))
            else:
                without += 1
        numbers = _next_numbers(school.id, local_today().year, len(todo)) if todo else []
        db.session.add_all(
            _invoice(
                school,
                student,
                term,
                lines,
                due[student.class_id],
                user_id,
                number,
                run_key=f"{term.id}:{student.id}",
            )
            for (student, lines), number in zip(todo, numbers, strict=True)
        )  # one flush for the chunk: the inserts go in batches
        created += len(todo)
        db.session.commit()
    return RunResult(created, len(invoiced), without)


def _issue(school: School, student: Student, term: Term, lines: list[dict], due_on: date, user_id: int,
           run_key: str | None = None, replaces: Invoice | None = None, reason: str | None = None) -> Invoice:  # fmt: skip
    """In the caller's transaction."""
    [number] = _next_numbers(school.id, local_today().year)
    invoice = _invoice(school, student, term, lines, due_on, user_id, number, run_key, replaces, reason)
    db.session.add(invoice)
    db.session.flush()
    return invoice


def _invoice(
    school, student, term, lines, due_on, user_id, number, run_key=None, replaces=None, reason=None
) -> Invoice:
    return Invoice(
        school_id=school.id, student_id=student.id, term_id=term.id, number=number, run_key=run_key,
        total=max(sum(line["amount"] for line in lines), 0), due_on=due_on, issued_by_id=user_id,
        replaces_id=replaces.id if replaces else None, reason=reason, lines=[InvoiceLine(**line) for line in lines],
    )  # fmt: skip


def cancel_invoice(invoice_id: int, user_id: int, reason: str) -> Invoice:
    begin_write()
    invoice = db.session.scalar(for_update(db.select(Invoice).where(Invoice.id == invoice_id)))
    if invoice.status != "issued":
        db.session.rollback()
        raise FeeError("Hóa đơn này đã bị hủy hoặc đã được thay thế.")
    if paid_amount(invoice.id):
        db.session.rollback()
        raise FeeError("Hóa đơn đã có tiền nộp: hãy điều chỉnh (lập hóa đơn thay thế) hoặc hoàn tiền trước.")
    invoice.status, invoice.cancelled_at, invoice.cancelled_by_id, invoice.reason = (
        "cancelled",
        utcnow(),
        user_id,
        reason,
    )
    _cancel_open_orders(invoice.id, f"Hóa đơn {invoice.number} bị hủy: {reason}")
    db.session.commit()
    return invoice


def replace_invoice(invoice_id: int, user_id: int, reason: str, lines: list[dict]) -> Invoice:
    """A correction: a new invoice with the given lines replaces this one (what was paid carries over)."""
    if not lines or any(not isinstance(line.get("amount"), int) for line in lines):
        raise FeeError("Hóa đơn điều chỉnh cần ít nhất một khoản với số tiền là số nguyên.")
    begin_write()
    invoice = db.session.scalar(for_update(db.select(Invoice).where(Invoice.id == invoice_id)))
    if invoice.status != "issued":
        db.session.rollback()
        raise FeeError("Hóa đơn này đã bị hủy hoặc đã được thay thế.")
    paid = paid_amount(invoice.id)
    if sum(line["amount"] for line in lines) < paid:
        db.session.rollback()
        raise FeeError(
            f"Tổng hóa đơn mới không được nhỏ hơn số đã nộp ({format_money(paid)}); hãy hoàn tiền trước."
        )
    invoice.status = "replaced"
    _cancel_open_orders(invoice.id, f"Hóa đơn {invoice.number} được điều chỉnh: {reason}")
    items = {line.description: line.fee_item_id for line in invoice.lines}
    lines = [
        {**line, "fee_item_id": line.get("fee_item_id") or items.get(line["description"])} for line in lines
    ]
    school = db.session.get(School, invoice.school_id)
    new = _issue(
        school, invoice.student, invoice.term, lines, invoice.due_on, user_id, replaces=invoice, reason=reason
    )
    # Money already received for the old invoice counts for the new one.
    for order in db.session.scalars(
        db.select(PaymentOrder).where(PaymentOrder.invoice_id == invoice.id, PaymentOrder.status == "paid")
    ):
        order.invoice_id = new.id
    from service.schools.models import ManualPayment

    for entry in db.session.scalars(db.select(ManualPayment).where(ManualPayment.invoice_id == invoice.id)):
        entry.invoice_id = new.id
    db.session.commit()
    return new


def _cancel_open_orders(invoice_id: int, reason: str) -> None:
    for order in db.session.scalars(
        for_update(
            db.select(PaymentOrder).where(
                PaymentOrder.invoice_id == invoice_id, PaymentOrder.status == "unpaid"
            )
        )
    ):
        order.status, order.cancelled_at, order.cancel_reason = "cancelled", utcnow(), reason[:1000]


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
    begin_write()
    invoice = db.session.scalar(for_update(db.select(Invoice).where(Invoice.id == invoice_id)))
    school = db.session.get(School, invoice.school_id)
    if invoice.status != "issued":
        db.session.rollback()
        raise FeeError("Hóa đơn này đã bị hủy hoặc được thay thế; vui lòng dùng liên kết của hóa đơn mới.")
    left = invoice.total - paid_amount(invoice.id)
    if left <= 0:
        db.session.rollback()
        raise FeeError("Hóa đơn này đã được nộp đủ.")
    if amount is None or amount == left:
        amount = left
    elif not school.allow_partial_payment:
        db.session.rollback()
        raise FeeError("Trường không nhận nộp từng phần; vui lòng nộp đủ số tiền.")
    elif not 1 <= amount <= left:
        db.session.rollback()
        raise FeeError(f"Số tiền nộp phải từ 1 đồng đến {format_money(left)}.")
    open_orders = db.session.scalars(
        for_update(
            db.select(PaymentOrder).where(
                PaymentOrder.invoice_id == invoice.id, PaymentOrder.status == "unpaid"
            )
        )
    ).all()
    for order in open_orders:
        if order.amount == amount:  # another attempt on the same order: a second success is flagged, not lost
            db.session.commit()
            return order
    for order in open_orders:
        if not _has_pending(order.id):
            order.status, order.cancelled_at, order.cancel_reason = (
                "cancelled",
                utcnow(),
                "Người nộp chọn số tiền khác.",
            )
    student = invoice.student
    order = PaymentOrder(
        reference=settlement.new_reference("LP"), purpose="invoice", school_id=school.id, invoice_id=invoice.id,
        description=f"Học phí, khoản thu {invoice.term.name} – {student.code} {student.full_name} (hóa đơn {invoice.number})"[:255], amount=amount, payer_name=student.full_name,
        payer_email=student.email,
    )  # fmt: skip
    db.session.add(order)
    db.session.commit()
    return order


def _has_pending(order_id: int) -> bool:
    return bool(
        db.session.scalar(
            db.select(db.func.count())
            .select_from(PaymentAttempt)
            .where(PaymentAttempt.order_id == order_id, PaymentAttempt.status == "pending")
        )
    )
