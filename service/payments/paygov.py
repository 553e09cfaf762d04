"""Bill presentment for the national payment platform (PayGov, Nền tảng thanh toán trực tuyến quốc gia).

No public technical specification exists (shared/PAYMENTS.md). Its model is known: the platform asks
the portal for a bill by dossier code, collects the money through a licensed intermediary into a
State Treasury account, then notifies the portal, which confirms and issues the receipt. This module
is that model as an interface (`BillPresentment`), implemented over our payment orders (settled like
any other payment: once, under a row lock, with a receipt), and a JSON binding over HTTP in
`views.py` (`/payments/paygov/...`, authenticated by `PAYGOV_API_KEY`, absent while it is unset)
whose field names are ours until the platform publishes its own: an integration replaces the
binding, not the settlement.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Protocol

from service.database import for_update, insert_once, write
from service.extensions import db
from service.payments import registry
from service.payments.models import PaymentIncident, PaymentNotification, PaymentOrder
from service.payments.settlement import payable_problem, record_payment


@dataclass(frozen=True)
class Bill:
    reference: str
    dossier_code: str
    description: str
    amount: int  # VND
    payer_name: str
    status: str  # unpaid, paid, cancelled


@dataclass(frozen=True)
class Confirmation:
    code: str  # 00 accepted, 01 unknown bill, 02 already paid, 04 wrong amount, 05 not payable
    message: str
    receipt_reference: str | None = None


class BillPresentment(Protocol):
    def lookup(self, dossier_code: str) -> Bill | None: ...

    def confirm(self, bill_reference: str, amount: int, transaction_id: str, raw: dict) -> Confirmation: ...


class OrderBills:
    """Bills are payment orders; which order a bill code names is the business of the feature that owns
    the code (a dossier's fee: `service/dossiers/subscribers.py`), registered with `registry`."""

    def lookup(self, dossier_code: str) -> Bill | None:
        return registry.find_bill(dossier_code.strip().upper()[:30])

    def confirm(self, bill_reference: str, amount: int, transaction_id: str, raw: dict) -> Confirmation:
        """Settle once: the platform's transaction id is recorded first, so a repeat changes nothing."""
        note_id = _record_once(bill_reference, transaction_id, raw).id
        with write():
            # Locked, so that two copies arriving together settle once: the second sees the outcome.
            note = db.session.scalar(
                for_update(db.select(PaymentNotification).where(PaymentNotification.id == note_id))
            )
            if note.outcome is not None:
                return _replay(note)
            confirmation = _settle(note_id, bill_reference, amount, transaction_id[:64])
            _conclude(note_id, confirmation)
        return confirmation


def _record_once(bill_reference: str, transaction_id: str, raw: dict) -> PaymentNotification:
    """The notification, kept in its own transaction; an earlier one if the platform sent it before
    (still without an outcome if the first call died midway: it is settled now)."""
    note = PaymentNotification(
        gateway="paygov",
        method="POST",
        payload=raw,
        raw=json.dumps(raw, ensure_ascii=False)[:20000],
        external_id=transaction_id[:64],
        reference=bill_reference[:34],
        verified=True,  # its API key was checked
    )
    with write():
        if insert_once(note):
            return note
    return _earlier(transaction_id[:64])


def _settle(note_id: int, bill_reference: str, amount: int, transaction_id: str) -> Confirmation:
    """Under the order's lock: the platform's answer codes, and the payment applied when all is well."""
    order = db.session.scalar(
        for_update(db.select(PaymentOrder).where(PaymentOrder.reference == bill_reference[:20]))
    )
    if order is None:
        return Confirmation("01", "Không tìm thấy khoản phải nộp.")
    if amount != order.amount:
        return Confirmation("04", "Số tiền không khớp khoản phải nộp.")
    if order.status == "paid":
        _incident(
            order,
            note_id,
            amount,
            "second_success",
            f"Nền tảng thanh toán quốc gia báo thu thêm khoản {order.reference} đã được thanh toán.",
        )
        return Confirmation("02", "Khoản này đã được thanh toán.")
    problem = payable_problem(order)
    if problem:
        _incident(
            order,
            note_id,
            amount,
            "paid_cancelled",
            f"Nền tảng thanh toán quốc gia báo đã thu khoản {order.reference}: {problem}",
        )
        return Confirmation("05", problem)
    record_payment(order, transaction_id, gateway="paygov")
    return Confirmation("00", "Đã xác nhận thanh toán.", order.reference)


def _incident(order: PaymentOrder, note_id: int, amount: int, kind: str, detail: str) -> None:
    db.session.add(
        PaymentIncident(order_id=order.id, kind=kind, notification_id=note_id, amount=amount, detail=detail)
    )


def _earlier(transaction_id: str) -> PaymentNotification:
    return db.session.scalar(
        db.select(PaymentNotification).where(
            PaymentNotification.gateway == "paygov", PaymentNotification.external_id == transaction_id
        )
    )


def _replay(earlier: PaymentNotification) -> Confirmation:
    """The same notification again: the first answer stands (a confirmation becomes "already")."""
    code, _, message = (earlier.outcome or "").partition(" ")
    if code in ("00", "02") or not code:
        return Confirmation("02", "Giao dịch này đã được xác nhận.", earlier.reference)
    return Confirmation(code, message)


def _conclude(notification_id: int, confirmation: Confirmation) -> None:
    note = db.session.get_one(PaymentNotification, notification_id)
    note.verified, note.outcome = True, f"{confirmation.code} {confirmation.message}"[:60]


BILLS: BillPresentment = OrderBills()


def bill_json(bill: Bill) -> dict:
    return asdict(bill)
