"""VietQR transfers settled by a bank-feed webhook in SePay's format.

A credit is matched on our attempt reference (found in the `code` the feed extracted, or in the
transfer description) and the amount. Unmatched, under-paid and over-paid credits go to the review
queue for an accountant; a repeated webhook (same feed `id`) is recognised and changes nothing.
"""

from __future__ import annotations

import json
import re

from service.database import for_update, insert_once, write
from service.extensions import db
from service.money import bounded_amount
from service.payments import registry
from service.payments.adapters import collecting_account, our_accounts
from service.payments.models import PaymentAttempt, PaymentIncident, PaymentNotification, PaymentOrder
from service.payments.settlement import settle, still_open

# Our attempt reference (in the QR's purpose field) or, typed by hand, the order's.
REFERENCE = re.compile(r"(?:TT|LP)[A-Z2-9]{10}")


def settle_sepay(payload: dict, raw: str) -> str:
    """Returns what happened: duplicate, ignored, settled, or the review kind.

    A repeat of a credit already concluded is a duplicate; a repeat of one whose settlement never
    committed (the process died after keeping it) is settled now, so no transfer is lost."""
    notification_id = _record_once(payload, raw)
    with write():
        note = db.session.scalar(
            for_update(db.select(PaymentNotification).where(PaymentNotification.id == notification_id))
        )
        if note.outcome is not None:
            return "duplicate"
        outcome = _settle(notification_id, payload)
        _conclude(notification_id, outcome)
    return outcome


def _settle(notification_id: int, payload: dict) -> str:
    """Match the credit to an attempt (locked with its order) and settle it, or file it for review."""
    if payload.get("transferType") != "in":
        return "ignored"
    credited = str(payload.get("accountNumber") or "")
    if credited not in our_accounts():
        return "unknown_account"  # not our account: nothing of ours to settle
    amount = bounded_amount(payload.get("transferAmount"))
    found = REFERENCE.search(f"{payload.get('code') or ''} {payload.get('content') or ''}".upper())
    attempt = _attempt_for(found.group()) if found else None
    if attempt is None or attempt.gateway != "vietqr" or amount is None:
        detail = "Khoản tiền đến không khớp với khoản phải nộp nào."
        return _review(notification_id, None, None, "unmatched_credit", detail=detail, amount=amount)
    order = db.session.scalar(for_update(db.select(PaymentOrder).where(PaymentOrder.id == attempt.order_id)))
    problem = _mismatch(order, attempt, credited, amount)
    if problem:
        kind, detail = problem
        return _review(notification_id, order, attempt, kind, detail=detail, amount=amount)
    settle(order, attempt, True, "00", str(payload.get("referenceCode") or payload.get("id")))
    return "settled"


def _mismatch(
    order: PaymentOrder, attempt: PaymentAttempt, credited: str, amount: int
) -> tuple[str, str] | None:
    """Why a matched credit cannot settle its attempt: (review kind, detail for the accountant)."""
    account = collecting_account(order)
    if account is None or account.number != credited:
        return "unmatched_credit", f"Tiền cho khoản {order.reference} lại vào tài khoản {credited}."
    if not still_open(attempt, True) or order.status == "paid":
        return "overpaid", f"Khoản {order.reference} đã được thanh toán trước đó."
    if amount < attempt.amount:
        return "underpaid", f"Chuyển thiếu: cần {attempt.amount}, nhận {amount}."
    if amount > attempt.amount:
        return "overpaid", f"Chuyển thừa: cần {attempt.amount}, nhận {amount}."
    return None


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


def _record_once(payload: dict, raw: str) -> int:
    """Kept first, in its own transaction; the earlier copy if the feed sent this transaction before.
    Only a request carrying the feed's API key gets here (views.bankfeed_sepay)."""
    external_id = str(payload.get("id", ""))[:64] or None
    note = PaymentNotification(
        gateway="bankfeed",
        method="POST",
        payload=payload,
        raw=raw[:20000],
        external_id=external_id,
        reference=None,
        verified=True,  # the feed's API key was checked before anything was stored
    )
    with write():
        if insert_once(note):
            return note.id
        return db.session.scalar(
            db.select(PaymentNotification.id).where(
                PaymentNotification.gateway == "bankfeed", PaymentNotification.external_id == external_id
            )
        )


def _review(notification_id, order, attempt, kind: str, *, detail: str, amount: int | None) -> str:
    db.session.add(
        PaymentIncident(
            order_id=order.id if order else None,
            attempt_id=attempt.id if attempt else None,
            kind=kind,
            school_id=order.school_id if order else _school_of_account(notification_id),
            notification_id=notification_id,
            amount=amount,
            detail=detail,
        )
    )
    return kind


def _school_of_account(notification_id: int) -> int | None:
    """An unmatched credit belongs to whoever owns the account it landed in."""
    note = db.session.get_one(PaymentNotification, notification_id)
    return registry.owner_of_account(str(note.payload.get("accountNumber") or ""))


def _conclude(notification_id: int, outcome: str) -> None:
    note = db.session.get_one(PaymentNotification, notification_id)
    note.verified, note.outcome = True, outcome


def sepay_body(reference: str, amount: int, transaction_id: int, account: str) -> dict:
    """A credit as SePay posts it (used by the local bank simulator and the tests)."""
    return {
        "id": transaction_id,
        "gateway": "Vietcombank",
        "transactionDate": "2026-11-28 10:00:00",
        "accountNumber": account,
        "code": None,
        "content": f"{reference} chuyen tien",
        "transferType": "in",
        "transferAmount": amount,
        "accumulated": amount,
        "subAccount": None,
        "referenceCode": f"FT{transaction_id}",
        "description": f"{reference} chuyen tien",
    }


def dumps(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False)
