"""VietQR transfers settled by a bank-feed webhook in SePay's format.

A credit is matched on our attempt reference (found in the `code` the feed extracted, or in the
transfer description) and the amount. Unmatched, under-paid and over-paid credits go to the review
queue for an accountant; a repeated webhook (same feed `id`) is recognised and changes nothing.
"""

from __future__ import annotations

import json
import re

from sqlalchemy.exc import IntegrityError

from service.database import begin_write, for_update
from service.extensions import db
from service.payments.adapters import collecting_account, our_accounts
from service.payments.models import PaymentAttempt, PaymentIncident, PaymentNotification, PaymentOrder
from service.payments.settlement import _apply, still_open

# Our attempt reference (in the QR's purpose field) or, typed by hand, the order's.
REFERENCE = re.compile(r"(?:TT|LP)[A-Z2-9]{10}")


def settle_sepay(payload: dict, raw: str) -> str:
    """Returns what happened: duplicate, ignored, settled, or the review kind."""
    notification_id = _record_once(payload, raw)
    if notification_id is None:
        return "duplicate"
    if payload.get("transferType") != "in":
        return _done(notification_id, "ignored")
    credited = str(payload.get("accountNumber") or "")
    if credited not in our_accounts():
        return _done(notification_id, "unknown_account")  # not our account: nothing of ours to settle
    amount = _amount(payload.get("transferAmount"))
    found = REFERENCE.search(f"{payload.get('code') or ''} {payload.get('content') or ''}".upper())
    begin_write()
    attempt = None
    if found:
        attempt = _attempt_for(found.group())
    if attempt is None or attempt.gateway != "vietqr" or amount is None:
        return _review(
            notification_id,
            None,
            None,
            "unmatched_credit",
            amount,
            "Khoản tiền đến không khớp với khoản phải nộp nào.",
        )
    order = db.session.scalar(for_update(db.select(PaymentOrder).where(PaymentOrder.id == attempt.order_id)))
    if collecting_account(order).number != credited:
        return _review(notification_id, order, attempt, "unmatched_credit", amount,
                       f"Tiền cho khoản {order.reference} lại vào tài khoản {credited}.")  # fmt: skip
    if not still_open(attempt, True) or order.status == "paid":
        return _review(
            notification_id,
            order,
            attempt,
            "overpaid",
            amount,
            f"Khoản {order.reference} đã được thanh toán trước đó.",
        )
    if amount < attempt.amount:
        return _review(
            notification_id,
            order,
            attempt,
            "underpaid",
            amount,
            f"Chuyển thiếu: cần {attempt.amount}, nhận {amount}.",
        )
    if amount > attempt.amount:
        return _review(
            notification_id,
            order,
            attempt,
            "overpaid",
            amount,
            f"Chuyển thừa: cần {attempt.amount}, nhận {amount}.",
        )
    _apply(order, attempt, True, "00", str(payload.get("referenceCode") or payload.get("id")))
    return _done(notification_id, "settled")


def _attempt_for(reference: str) -> PaymentAttempt | None:
    """The attempt a credit names, locked; an order's reference means its latest VietQR attempt."""
    if reference.startswith("LP"):
        order_id = db.session.scalar(db.select(PaymentOrder.id).where(PaymentOrder.reference == reference))
        return db.session.scalar(
            for_update(
                db.select(PaymentAttempt)
                .where(PaymentAttempt.order_id == order_id, PaymentAttempt.gateway == "vietqr")
                .order_by(PaymentAttempt.id.desc())
                .limit(1)
            )
        )
    return db.session.scalar(
        for_update(db.select(PaymentAttempt).where(PaymentAttempt.reference == reference))
    )


def _record_once(payload: dict, raw: str) -> int | None:
    begin_write()
    note = PaymentNotification(
        gateway="bankfeed", method="POST", payload=payload, raw=raw[:20000],
        external_id=str(payload.get("id", ""))[:64] or None, reference=None,
    )  # fmt: skip
    db.session.add(note)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return note.id


def _amount(value) -> int | None:
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return None
    return amount if amount > 0 else None


def _review(notification_id, order, attempt, kind: str, amount: int | None, detail: str) -> str:
    db.session.add(PaymentIncident(
        order_id=order.id if order else None, attempt_id=attempt.id if attempt else None, kind=kind,
        school_id=order.school_id if order else _school_of_account(notification_id),
        notification_id=notification_id, amount=amount, detail=detail,
    ))  # fmt: skip
    return _done(notification_id, kind)


def _school_of_account(notification_id: int) -> int | None:
    """An unmatched credit belongs to whoever owns the account it landed in."""
    from service.schools.models import School

    note = db.session.get(PaymentNotification, notification_id)
    account = str(note.payload.get("accountNumber") or "")
    return db.session.scalar(db.select(School.id).where(School.bank_account_no == account).limit(1))


def _done(notification_id: int, outcome: str) -> str:
    note = db.session.get(PaymentNotification, notification_id)
    note.verified, note.outcome = True, outcome
    db.session.commit()
    return outcome


def sepay_body(reference: str, amount: int, transaction_id: int, account: str) -> dict:
    """A credit as SePay posts it (used by the local bank simulator and the tests)."""
    return {
        "id": transaction_id, "gateway": "Vietcombank", "transactionDate": "2026-11-28 10:00:00",
        "accountNumber": account, "code": None, "content": f"{reference} chuyen tien", "transferType": "in",
        "transferAmount": amount, "accumulated": amount, "subAccount": None, "referenceCode": f"FT{transaction_id}",
        "description": f"{reference} chuyen tien",
    }  # fmt: skip


def dumps(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False)
