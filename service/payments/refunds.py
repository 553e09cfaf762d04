"""Refunds, full or partial, by an authorised official with a reason, through the gateway's refund API
where it has one, tracked to their final state, never more than the attempt brought in.

The official's form carries the amount they saw as still refundable (GOV.UK Pay's guard): if another
refund got there first, theirs is refused with the new figure instead of over-refunding. It also
carries an idempotency key, so a double click or a resubmitted form makes one refund, not two.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import BigInteger

from service import audit
from service.accounts.models import User
from service.database import for_update, write
from service.extensions import db
from service.money import format_money
from service.payments import events
from service.payments.adapters import ADAPTERS, RefundOutcome
from service.payments.models import PaymentAttempt, PaymentOrder, PaymentRefund, new_reference
from service.timeutil import utcnow
from workflows.refund import RefundMachine

COUNTED = ("requested", "pending", "succeeded")  # what is no longer refundable


class RefundError(ValueError):
    """A refund that cannot be made, with the official's message."""


def refunded(attempt_id: int, statuses: tuple[str, ...] = COUNTED) -> int:
    return db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(PaymentRefund.amount), 0).cast(BigInteger)).where(
            PaymentRefund.attempt_id == attempt_id, PaymentRefund.status.in_(statuses)
        )
    )


def refundable(attempt: PaymentAttempt) -> int:
    if attempt.status != "succeeded":
        return 0
    return attempt.amount - refunded(attempt.id)


def refunded_total(order_id: int) -> int:
    return db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(PaymentRefund.amount), 0).cast(BigInteger)).where(
            PaymentRefund.order_id == order_id, PaymentRefund.status == "succeeded"
        )
    )


def request_refund(
    attempt_id: int,
    amount: int,
    reason: str,
    actor: User,
    idempotency_key: str,
    expected_refundable: int | None = None,
) -> PaymentRefund:
    """Record the refund, then ask the gateway; returns it in whatever state the gateway left it."""
    reason = " ".join((reason or "").split())[:1000]
    key = (idempotency_key or "").strip()[:64]
    if not key:
        raise RefundError("Biểu mẫu hoàn tiền không hợp lệ; vui lòng tải lại trang.")
    if not reason:
        raise RefundError("Vui lòng ghi lý do hoàn tiền.")
    if not isinstance(amount, int) or amount <= 0:
        raise RefundError("Số tiền hoàn phải là số nguyên dương (đồng).")
    with write():
        refund, recorded = _record_request(attempt_id, amount, reason, actor, key, expected_refundable)
    if not recorded:
        return refund  # the same request again: the first answer stands
    # The gateway is asked after the commit, holding no lock: the refund exists whatever it answers.
    outcome = ADAPTERS[refund.attempt.gateway].refund(refund, actor.display_name)
    return record_outcome(refund.id, outcome)


def _record_request(
    attempt_id: int, amount: int, reason: str, actor: User, key: str, expected_refundable: int | None
) -> tuple[PaymentRefund, bool]:
    """Under the locks of the attempt and its order: the new refund (True), or the one this same form
    made before (False)."""
    attempt = db.session.scalar(for_update(db.select(PaymentAttempt).where(PaymentAttempt.id == attempt_id)))
    if attempt is None:
        raise LookupError(attempt_id)
    db.session.scalar(for_update(db.select(PaymentOrder).where(PaymentOrder.id == attempt.order_id)))
    existing = db.session.scalar(db.select(PaymentRefund).where(PaymentRefund.idempotency_key == key))
    if existing is not None:
        if existing.attempt_id != attempt.id or existing.amount != amount:
            raise RefundError("Yêu cầu hoàn tiền này đã được gửi với nội dung khác; vui lòng tải lại trang.")
        return existing, False
    _check_refundable(attempt, amount, expected_refundable)
    refund = PaymentRefund(
        order_id=attempt.order_id,
        attempt_id=attempt.id,
        reference=new_reference("HT"),
        amount=amount,
        reason=reason,
        idempotency_key=key,
        requested_by_id=actor.id,
    )
    db.session.add(refund)
    audit.record(
        "refund.requested",
        refund,
        actor=actor,
        details={"attempt": attempt.reference, "amount": amount, "reason": reason},
    )
    return refund, True


def _check_refundable(attempt: PaymentAttempt, amount: int, expected_refundable: int | None) -> None:
    if attempt.status != "succeeded":
        raise RefundError("Chỉ hoàn tiền cho giao dịch đã thanh toán thành công.")
    left = refundable(attempt)
    if expected_refundable is not None and expected_refundable != left:
        raise RefundError(
            f"Số tiền còn có thể hoàn vừa thay đổi (nay còn {format_money(left)}); vui lòng xem lại trước khi hoàn."
        )
    if amount > left:
        raise RefundError(f"Không thể hoàn nhiều hơn số tiền còn có thể hoàn ({format_money(left)}).")


def record_outcome(refund_id: int, outcome: RefundOutcome, actor: User | None = None) -> PaymentRefund:
    """Move the refund to what the gateway (or the accountant) says, once; email the payer on success."""
    with write():
        refund = db.session.scalar(for_update(db.select(PaymentRefund).where(PaymentRefund.id == refund_id)))
        if refund.status not in ("succeeded", "failed"):
            _move(refund, outcome, actor)
    return refund


def _move(refund: PaymentRefund, outcome: RefundOutcome, actor: User | None) -> None:
    machine = RefundMachine(model=refund, state_field="status")
    if refund.status == "requested" and outcome.state != "failed":
        machine.send("submit")
    if outcome.state == "succeeded":
        machine.send("succeed")
    elif outcome.state == "failed":
        machine.send("fail")
    refund.result_code = outcome.code[:10] or refund.result_code
    refund.message = outcome.message[:255]
    transaction = outcome.transaction or refund.gateway_transaction
    refund.gateway_transaction = str(transaction)[:64] if transaction else None
    if actor is not None:
        refund.confirmed_by_id = actor.id
    if refund.status in ("succeeded", "failed"):
        refund.finished_at = utcnow()
        audit.record(
            f"refund.{refund.status}", refund, details={"amount": refund.amount, "refund": refund.reference}
        )
    if refund.status == "succeeded":
        _tell_payer(refund)  # queued in this transaction: the payer hears of a refund that happened
        events.order_refunded.send(refund.order, refund=refund)


def confirm_manual(refund_id: int, actor: User, bank_reference: str, succeeded: bool = True) -> PaymentRefund:
    """What the accountant did or found: a transfer back (VietQR, PayGov have no refund API), or, for a
    refund a gateway left without a final answer, the outcome its merchant portal shows."""
    bank_reference = " ".join((bank_reference or "").split())[:64]
    refund = db.session.get(PaymentRefund, refund_id)
    if refund is None:
        raise LookupError(refund_id)
    if succeeded and not bank_reference:
        raise RefundError("Vui lòng ghi số tham chiếu giao dịch chuyển khoản hoàn tiền của ngân hàng.")
    if refund.status not in ("requested", "pending"):
        raise RefundError("Khoản hoàn này đã có kết quả.")
    if succeeded:
        outcome = RefundOutcome("succeeded", "manual", "Kế toán đã chuyển khoản hoàn tiền.", bank_reference)
    else:
        outcome = RefundOutcome("failed", "manual", "Kế toán hủy yêu cầu hoàn tiền (chưa chuyển tiền).")
    return record_outcome(refund_id, outcome, actor)


def follow_up(refund: PaymentRefund) -> None:
    """Ask the gateway about a refund left without a final answer (`payments reconcile`)."""
    outcome = ADAPTERS[refund.attempt.gateway].refund_status(refund)
    if outcome is not None:
        record_outcome(refund.id, outcome)  # a refund still "requested" moves on to "pending" at least


def _tell_payer(refund: PaymentRefund) -> None:
    from service.notifications.email import queue_email

    order = refund.order
    recipient = order.payer_email or (
        db.session.get_one(User, order.payer_id).email if order.payer_id else None
    )
    if recipient:
        queue_email(
            recipient, "refund", order=order, refund=refund, base_url=current_app.config["APP_BASE_URL"]
        )
