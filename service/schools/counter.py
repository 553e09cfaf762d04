"""Cash or counter payments: an exception to cashless collection, recorded by an accountant with the
voucher's reference and a reason, audited, and shown as such everywhere (channel "manual")."""

from __future__ import annotations

from service.accounts.models import User
from service.database import for_update, write
from service.extensions import db
from service.payments import settlement
from service.schools.fees import FeeError, paid_amount
from service.schools.models import Invoice, ManualPayment


def record(invoice_id: int, actor: User, amount: int, reference: str, reason: str) -> ManualPayment:
    with write():
        invoice = db.session.scalar(for_update(db.select(Invoice).where(Invoice.id == invoice_id)))
        if invoice.status != "issued":
            raise FeeError("Thông báo thu này đã bị hủy hoặc được thay thế.")
        left = invoice.total - paid_amount(invoice.id)
        if not 1 <= amount <= left:
            raise FeeError(f"Số tiền phải từ 1 đồng đến số còn phải nộp ({left:,} đồng).".replace(",", "."))
        student = invoice.student
        order = settlement.open_order(
            amount,
            f"Học phí, khoản thu {invoice.term.name} – {student.code} {student.full_name} (thông báo thu {invoice.number}, thu trực tiếp)",
            "invoice",
            school_id=invoice.school_id,
            invoice_id=invoice.id,
            payer_name=student.full_name,
            payer_email=student.email,
        )
        attempt = settlement.record_payment(order, reference)  # the receipt is queued with the payment
        entry = ManualPayment(
            school_id=invoice.school_id,
            invoice_id=invoice.id,
            attempt_id=attempt.id,
            reference=reference[:64],
            reason=reason,
            amount=amount,
            recorded_by_id=actor.id,
        )
        db.session.add(entry)
    return entry
