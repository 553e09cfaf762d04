"""The national payment platform's confirmation callback: checked, settled once per platform transaction
(`MaGiaoDich`) through `settlement.settle`, answered in the platform's format (INTEGRATION.md §4).

A callback whose check code is wrong is kept with the unverified ones and answered 99; a signed one is
recorded first, under its `MaGiaoDich`, so that a repeat finds the first and gets the first answer
again (00 for a settled one) without a second settlement; an unknown reference or a wrong amount is
answered 99 with the reason, and nothing is settled.
"""

from __future__ import annotations

import json

from flask import current_app

from service.database import for_update, insert_once, write
from service.extensions import db
from service.payments import unverified
from service.payments.gateways import paygov
from service.payments.models import PaymentAttempt, PaymentNotification, PaymentOrder
from service.payments.settlement import settle, still_open
from service.timeutil import utcnow

GATEWAY = "paygov"


def confirm(body: dict) -> dict:
    """The answer to one confirmation (its MaLoi "00" or "99", MoTaLoi the reason)."""
    config = current_app.config
    reference = str(body.get("MaThamChieu") or "")[:34]
    raw = json.dumps(body, ensure_ascii=False)
    if not paygov.verify(body, "CONFIRM", config["PAYGOV_SECRET"], config["PAYGOV_CHECK_ALGORITHM"]):
        unverified.keep(GATEWAY, "POST", dict(body), raw, reference or None, "99 Sai mã xác thực")
        return answer(paygov.OTHER, "Sai mã xác thực (MaXacThuc).", reference)
    transaction = str(body.get("MaGiaoDich") or "")[:64]
    if not transaction or not reference:
        return answer(paygov.OTHER, "Thiếu mã giao dịch hoặc mã tham chiếu.", reference)
    if str(body.get("MaDoiTac")) != config["PAYGOV_PARTNER_CODE"]:
        return answer(paygov.OTHER, "Sai mã đối tác (MaDoiTac).", reference)
    note_id = _record_once(body, raw, transaction, reference)
    with write():
        # Locked, so that two copies arriving together settle once: the second sees the first's outcome.
        note = db.session.scalar(
            for_update(db.select(PaymentNotification).where(PaymentNotification.id == note_id))
        )
        if note.outcome is None:
            code, reason = _outcome(body, reference)
            note.outcome = f"{code} {reason}"[:60]
        code, _, reason = note.outcome.partition(" ")
    return answer(code, reason, reference)


def answer(code: str, reason: str, reference: str) -> dict:
    config = current_app.config
    message = {
        "MaLoi": code,
        "MoTaLoi": reason,
        "MaDoiTac": config["PAYGOV_PARTNER_CODE"],
        "MaThamChieu": reference,
        "ThoiGianGD": paygov.stamp(utcnow()),
    }
    return paygov.sign(message, "CONFIRM_ANSWER", config["PAYGOV_SECRET"], config["PAYGOV_CHECK_ALGORITHM"])


def _record_once(body: dict, raw: str, transaction: str, reference: str) -> int:
    """The notification, kept in its own transaction; the earlier one if this MaGiaoDich came before."""
    note = PaymentNotification(
        gateway=GATEWAY,
        method="POST",
        payload=body,
        raw=raw[:20000],
        external_id=transaction,
        reference=reference,
        verified=True,
    )
    with write():
        if insert_once(note):
            return note.id
    return db.session.scalar(
        db.select(PaymentNotification.id).where(
            PaymentNotification.gateway == GATEWAY, PaymentNotification.external_id == transaction
        )
    )


def _outcome(body: dict, reference: str) -> tuple[str, str]:
    """Under the attempt's and the order's locks: the answer, and the attempt settled when all is well."""
    attempt = db.session.scalar(
        for_update(db.select(PaymentAttempt).where(PaymentAttempt.reference == reference))
    )
    if attempt is None or attempt.gateway != GATEWAY:
        return paygov.OTHER, "Không tìm thấy giao dịch có mã tham chiếu này."
    order = db.session.scalar(for_update(db.select(PaymentOrder).where(PaymentOrder.id == attempt.order_id)))
    if str(body.get("SoTien")) != str(attempt.amount):
        return paygov.OTHER, "Số tiền không khớp khoản phải nộp."
    success = str(body.get("MaLoi")) == paygov.OK
    if not still_open(attempt, success):
        return paygov.OK, "Giao dịch đã được ghi nhận trước đó."
    settle(order, attempt, success, "00" if success else "99", str(body.get("MaGiaoDich"))[:64])
    return paygov.OK, "Đã ghi nhận kết quả thanh toán."
