"""Orders, attempts and settlement: exactly once, whatever the gateway replays.

Notifications are checked in the gateway's documented order, under a row lock on the attempt and its
order, so duplicated, concurrent and out-of-order notifications settle an order once; a failure that
arrives after a success never un-pays; a second success for a paid order is an incident to review.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask import current_app
from statemachine.exceptions import TransitionNotAllowed

from service import audit
from service.database import for_update, write
from service.extensions import db
from service.identifiers import is_email
from service.payments import events, unverified
from service.payments.gateways import vnpay
from service.payments.models import (
    PaymentAttempt,
    PaymentIncident,
    PaymentNotification,
    PaymentOrder,
    new_reference,
)
from service.payments.refunds import refunded_total
from service.timeutil import utcnow
from workflows.payment_attempt import PaymentAttemptMachine


def open_order(
    amount: int,
    description: str,
    purpose: str,
    *,
    payer_id: int | None = None,
    payer_name: str | None = None,
    payer_email: str | None = None,
    dossier_id: int | None = None,
    invoice_id: int | None = None,
    school_id: int | None = None,
    expires_at=None,
) -> PaymentOrder:
    """A new unpaid order for a client's payable, in the caller's transaction (the client's step and its
    order commit together). The description is what the payer and the receipt read."""
    order = PaymentOrder(
        reference=new_reference("LP"),
        purpose=purpose,
        description=" ".join(description.split())[:255],
        amount=amount,
        payer_id=payer_id,
        payer_name=payer_name,
        payer_email=payer_email,
        dossier_id=dossier_id,
        invoice_id=invoice_id,
        school_id=school_id,
        expires_at=expires_at,
    )
    db.session.add(order)
    db.session.flush()
    return order


def unpaid_orders(*, dossier_id: int | None = None, invoice_id: int | None = None) -> list[PaymentOrder]:
    """A payable's open orders, locked (in the caller's transaction)."""
    statement = db.select(PaymentOrder).where(PaymentOrder.status == "unpaid")
    if dossier_id is not None:
        statement = statement.where(PaymentOrder.dossier_id == dossier_id)
    if invoice_id is not None:
        statement = statement.where(PaymentOrder.invoice_id == invoice_id)
    if dossier_id is None and invoice_id is None:
        raise ValueError("a payable is needed")
    return list(db.session.scalars(for_update(statement.order_by(PaymentOrder.id))))


def cancel_unpaid(order: PaymentOrder, reason: str) -> None:
    """An open order no longer payable (its dossier withdrawn, its bill replaced), in the caller's
    transaction; the caller holds the order's lock (`unpaid_orders`)."""
    if order.status == "unpaid":
        order.status, order.cancelled_at, order.cancel_reason = "cancelled", utcnow(), reason[:1000]


def has_pending_attempt(order_id: int) -> bool:
    """A payer is at a gateway with this order now (its result may still arrive)."""
    return bool(
        db.session.scalar(
            db.select(db.func.count())
            .select_from(PaymentAttempt)
            .where(PaymentAttempt.order_id == order_id, PaymentAttempt.status == "pending")
        )
    )


def move_paid_orders(*, from_invoice: int, to_invoice: int) -> None:
    """Money received for a bill that is replaced counts for its replacement (caller's transaction)."""
    for order in db.session.scalars(
        for_update(
            db.select(PaymentOrder).where(
                PaymentOrder.invoice_id == from_invoice, PaymentOrder.status == "paid"
            )
        )
    ):
        order.invoice_id = to_invoice


def record_payment(order: PaymentOrder, transaction: str, gateway: str = "manual") -> PaymentAttempt:
    """Money received without an attempt of ours (at a school's counter, with its voucher's reference),
    settled like a gateway's success: the order paid, the receipt and the events as for any payment. In
    the caller's transaction, holding the order's lock."""
    now = utcnow()
    attempt = PaymentAttempt(
        order_id=order.id,
        gateway=gateway,
        reference=new_reference("TT"),
        amount=order.amount,
        created_at=now,
        expires_at=now,
    )
    db.session.add(attempt)
    db.session.flush()
    PaymentAttemptMachine(model=attempt, state_field="status").send("start")
    settle(order, attempt, True, "manual" if gateway == "manual" else "00", transaction[:64])
    return attempt


def fee_order(dossier_id: int) -> PaymentOrder | None:
    return db.session.scalar(
        db.select(PaymentOrder).where(
            PaymentOrder.dossier_id == dossier_id, PaymentOrder.purpose == "dossier_fee"
        )
    )


def fee_standing(order: PaymentOrder | None) -> tuple[int, bool]:
    """(refunded so far, still paid in full): what the payer paid and was not given back decides."""
    if order is None or order.status != "paid" or order.paid_attempt_id is None:
        return 0, False
    refunded = refunded_total(order.id)
    attempt = db.session.get(PaymentAttempt, order.paid_attempt_id)
    paid = attempt.amount if attempt is not None else order.amount
    return refunded, paid - refunded >= order.amount


def fee_still_paid(order: PaymentOrder | None) -> bool:
    """Paid and not refunded below the fee: a refunded fee no longer lets the desk receive the dossier."""
    return fee_standing(order)[1]


def create_order(
    amount: int,
    description: str,
    purpose: str = "other",
    payer_name: str | None = None,
    payer_email: str | None = None,
    expires_at=None,
) -> PaymentOrder:
    """An order not tied to a dossier (an operator's, later a school invoice's). Commits."""
    if not isinstance(amount, int) or amount <= 0:
        raise ValueError("Số tiền phải là số nguyên dương (đồng).")
    description = " ".join((description or "").split())
    if not description:
        raise ValueError("Vui lòng ghi nội dung khoản phải nộp.")
    if len(description) > 255:
        raise ValueError("Nội dung khoản phải nộp tối đa 255 ký tự.")
    payer_name = " ".join((payer_name or "").split()) or None
    if payer_name and len(payer_name) > 200:
        raise ValueError("Tên người nộp tối đa 200 ký tự.")
    payer_email = (payer_email or "").strip() or None
    if payer_email and not is_email(payer_email):
        raise ValueError("Email người nộp không hợp lệ.")
    with write():
        return open_order(
            amount,
            description,
            purpose,
            payer_name=payer_name,
            payer_email=payer_email,
            expires_at=expires_at,
        )


def payable_problem(order: PaymentOrder, gateway: str | None = None) -> str | None:
    """Why this order cannot be paid now (by this gateway), in words for the payer; None if it can."""
    from service.payments.adapters import ADAPTERS

    if order.status == "paid":
        return "Khoản này đã được thanh toán."
    if order.status == "cancelled":
        return "Khoản phải nộp này đã bị hủy nên không thể thanh toán."
    if order.expires_at is not None and order.expires_at <= utcnow():
        return "Khoản phải nộp này đã hết hạn thanh toán."
    if order.amount <= 0:
        return "Số tiền phải nộp không hợp lệ."
    if gateway is not None:
        if gateway not in ADAPTERS or not ADAPTERS[gateway].enabled():
            return "Cách thanh toán này không được hỗ trợ."
        return ADAPTERS[gateway].check_amount(order.amount)
    return None


REUSE_MARGIN = timedelta(minutes=30)  # a transfer reference shown again keeps at least this long


def start_attempt(order_id: int, gateway: str) -> PaymentAttempt:
    """A new attempt on a payable order; ValueError (with the payer's message) otherwise. For a gateway
    whose attempt the payer carries out by hand (VietQR), the order's pending attempt is given again
    while it stays valid long enough to make the transfer."""
    from service.payments.adapters import ADAPTERS

    with write():
        order = db.session.scalar(for_update(db.select(PaymentOrder).where(PaymentOrder.id == order_id)))
        problem = payable_problem(order, gateway)
        if problem:
            raise ValueError(problem)
        now = utcnow()
        if ADAPTERS[gateway].reuses_attempt:
            current = valid_attempt(order.id, gateway, now + REUSE_MARGIN)
            if current is not None and current.amount == order.amount:
                return current
        expires = now + timedelta(minutes=ADAPTERS[gateway].attempt_minutes())
        if order.expires_at is not None:
            expires = min(expires, order.expires_at)
        attempt = PaymentAttempt(
            order_id=order.id,
            gateway=gateway,
            reference=new_reference("TT"),
            amount=order.amount,
            created_at=now,
            expires_at=expires,
        )
        db.session.add(attempt)
        PaymentAttemptMachine(model=attempt, state_field="status").send("start")
    return attempt


def valid_attempt(order_id: int, gateway: str, until: datetime | None = None) -> PaymentAttempt | None:
    """The order's newest attempt by this gateway that is still waiting and valid (until `until`)."""
    return db.session.scalar(
        db.select(PaymentAttempt)
        .where(
            PaymentAttempt.order_id == order_id,
            PaymentAttempt.gateway == gateway,
            PaymentAttempt.status == "pending",
            PaymentAttempt.expires_at > (until or utcnow()),
        )
        .order_by(PaymentAttempt.id.desc())
        .limit(1)
    )


def cancel_order(order_id: int, reason: str) -> bool:
    """An unpaid order is cancelled (an operator's decision). Commits."""
    with write():
        order = db.session.scalar(for_update(db.select(PaymentOrder).where(PaymentOrder.id == order_id)))
        if order is None or order.status != "unpaid":
            return False  # nothing was changed
        cancel_unpaid(order, reason)
    return True


def find_order(reference: str) -> PaymentOrder | None:
    """By the order's reference or by any of its attempts' (what the payer and the gateway see)."""
    reference = (reference or "").strip().upper()[:34]
    order = db.session.scalar(db.select(PaymentOrder).where(PaymentOrder.reference == reference))
    if order is None:
        attempt = db.session.scalar(db.select(PaymentAttempt).where(PaymentAttempt.reference == reference))
        order = attempt.order if attempt else None
    return order


def record_notification(gateway: str, method: str, payload: dict, raw: str) -> int:
    """A signed notification kept as received, without an outcome, in its own transaction: what is left
    of one whose settlement failed, for an accountant to see. (Unsigned ones go to `unverified.keep`,
    which bounds what anyone can make us store.)"""
    note = _notification(gateway, method, payload, raw)
    with write():
        db.session.add(note)
        db.session.flush()
        return note.id


def _notification(gateway: str, method: str, payload: dict, raw: str) -> PaymentNotification:
    return PaymentNotification(
        gateway=gateway,
        method=method,
        payload=payload,
        raw=raw[:20000],
        verified=True,
        reference=_reference(payload),
    )


@contextmanager
def _settling(gateway: str, method: str, payload: dict, raw: str) -> Iterator[PaymentNotification]:
    """One transaction for a signed notification: the settlement, then the notification itself with its
    outcome (set by the caller), inserted in the same commit. A settlement that fails rolls back whole,
    and the notification is then kept as received, without an outcome, in a transaction of its own
    before the error goes on: nothing is lost, and a gateway's call costs one commit when all is well."""
    note = _notification(gateway, method, payload, raw)
    try:
        with write():
            yield note
            db.session.add(note)
    except Exception:
        record_notification(gateway, method, payload, raw)
        raise


def _reference(payload: dict) -> str | None:
    return str(payload.get("vnp_TxnRef") or payload.get("orderId") or "")[:34] or None


def settle_vnpay(params: dict[str, str], method: str = "GET") -> tuple[str, str]:
    """VNPAY's IPN, checked in its documented order: signature 97, order 01, amount 04, already 02.

    The answer is decided and recorded in the settlement's transaction; once that has committed
    nothing else runs here, so a settled notification is never answered 99 (which VNPAY retries)."""
    raw = json.dumps(params, ensure_ascii=False)
    if not vnpay.verify(params, current_app.config["VNPAY_HASH_SECRET"]):
        unverified.keep("vnpay", method, dict(params), raw, _reference(params), "97 Invalid signature")
        return "97", "Invalid signature"
    with _settling("vnpay", method, dict(params), raw) as note:
        code, message = _vnpay_outcome(params)
        note.outcome = f"{code} {message}"
    return code, message


def _vnpay_outcome(params: dict[str, str]) -> tuple[str, str]:
    found = _locked_attempt(params.get("vnp_TxnRef", ""), "vnpay")
    if found is None:
        return "01", "Order not found"
    attempt, order = found
    if params.get("vnp_Amount") != str(attempt.amount * 100):
        return "04", "Invalid amount"
    success = vnpay.is_success(params)
    if not still_open(attempt, success):
        return "02", "Order already confirmed"
    settle(order, attempt, success, params.get("vnp_ResponseCode", ""), params.get("vnp_TransactionNo"))
    return "00", "Confirm Success"


def _locked_attempt(reference: str, gateway: str) -> tuple[PaymentAttempt, PaymentOrder] | None:
    """The attempt a notification names, if it was made with that gateway, and its order: both rows
    locked by one query (FOR UPDATE covers both tables of the join)."""
    row = db.session.execute(
        for_update(
            db.select(PaymentAttempt, PaymentOrder)
            .join(PaymentOrder, PaymentOrder.id == PaymentAttempt.order_id)
            .where(PaymentAttempt.reference == reference, PaymentAttempt.gateway == gateway)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


def still_open(attempt: PaymentAttempt, success: bool) -> bool:
    """Pending, or expired by us while the payer was in fact paying (a late success still counts)."""
    return attempt.status == "pending" or (attempt.status == "expired" and success)


def settle(
    order: PaymentOrder, attempt: PaymentAttempt, success: bool, code: str, transaction: str | None
) -> None:
    """The one way an attempt ends and an order is paid, for every gateway and for recorded payments.

    Called in the notification's transaction with the attempt and its order locked, after the caller
    checked that the attempt is still open. A success pays the order once and sends `order_paid` (the
    receipt, the school's bill); a second success or one for a cancelled order is an incident for an
    accountant, counted once."""
    machine = PaymentAttemptMachine(model=attempt, state_field="status")
    if success:
        event = "succeed_late" if attempt.status == "expired" else "succeed"
    else:
        event = "cancel" if code == "24" else ("expire" if code == "11" else "fail")
    try:
        machine.send(event)
    except TransitionNotAllowed:  # pragma: no cover - guarded by the pending check above
        return
    attempt.result_code, attempt.gateway_transaction, attempt.finished_at = code, transaction, utcnow()
    if not success:
        return
    audit.record(
        "payment.settled",
        order,
        details={"attempt": attempt.reference, "gateway": attempt.gateway, "amount": attempt.amount},
    )
    if order.status == "paid":
        # Paid twice: counted once, flagged for an accountant (a refund may be due).
        db.session.add(
            PaymentIncident(
                order_id=order.id,
                attempt_id=attempt.id,
                kind="second_success",
                school_id=order.school_id,
                detail=f"Khoản {order.reference} đã được thanh toán; giao dịch {attempt.reference} thành công thêm một lần.",
            )
        )
        events.order_paid_again.send(order, attempt=attempt)
        return
    if order.status == "cancelled":
        # Money taken for an order cancelled while the payer was at the gateway: it is owed back.
        db.session.add(
            PaymentIncident(
                order_id=order.id,
                attempt_id=attempt.id,
                kind="paid_cancelled",
                school_id=order.school_id,
                detail=f"Khoản {order.reference} đã bị hủy nhưng giao dịch {attempt.reference} vẫn thành công; cần hoàn tiền.",
            )
        )
        return
    order.status, order.paid_at, order.paid_attempt_id = "paid", utcnow(), attempt.id
    db.session.flush()
    # Subscribers add their rows to this transaction: the receipt's job (documents), an overpaid
    # school bill's incident (schools).
    events.order_paid.send(order, attempt=attempt)


def record_incident(
    order: PaymentOrder, attempt: PaymentAttempt, kind: str, detail: str, amount: int
) -> None:
    """An incident a client found about a settled payment (a school bill paid twice over)."""
    db.session.add(
        PaymentIncident(
            order_id=order.id,
            attempt_id=attempt.id,
            kind=kind,
            school_id=order.school_id,
            amount=amount,
            detail=detail,
        )
    )


def settle_momo(body: dict) -> str:
    """MoMo's IPN: signature, order, amount, still pending; then the result. Returns the outcome."""
    from service.payments.gateways import momo

    config = current_app.config
    raw = json.dumps(body, ensure_ascii=False)
    values = {**body, "accessKey": config["MOMO_ACCESS_KEY"]}
    if not momo.verify(values, momo.IPN_FIELDS, config["MOMO_SECRET_KEY"]):
        unverified.keep("momo", "POST", dict(body), raw, _reference(body), "invalid signature")
        return "invalid"
    with _settling("momo", "POST", dict(body), raw) as note:
        outcome, detail = _momo_outcome(body)
        note.outcome = f"{outcome} {detail}"
    return outcome


def _momo_outcome(body: dict) -> tuple[str, str]:
    from service.payments.gateways import momo

    found = _locked_attempt(str(body.get("orderId", "")), "momo")
    if found is None:
        return "unknown", "order"
    attempt, order = found
    if str(body.get("amount")) != str(attempt.amount):
        return "amount", "mismatch"
    success = momo.is_success(body)
    if not still_open(attempt, success):
        return "already", "confirmed"
    code = str(body.get("resultCode"))
    settle(order, attempt, success, "24" if code == "1006" else code, str(body.get("transId") or ""))
    return "settled", "ok"


def resolve_incident(incident_id: int, actor_id: int, note: str) -> bool:
    with write():
        incident = db.session.scalar(
            for_update(db.select(PaymentIncident).where(PaymentIncident.id == incident_id))
        )
        if incident is None or incident.resolved_at is not None:
            return False  # nothing was changed
        incident.resolved_at, incident.resolved_by_id, incident.resolution = utcnow(), actor_id, note
    return True
