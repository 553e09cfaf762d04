"""`flask --app wsgi payments reconcile`: ask the gateways about attempts left pending (the IPN may
never have come) and settle them the same way; attempts past their expiry with nothing paid expire."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from flask import current_app

from service.database import begin_write, for_update
from service.extensions import db
from service.payments import transport
from service.payments.gateways import vnpay
from service.payments.models import PaymentAttempt, PaymentOrder
from service.payments.settlement import _apply
from service.timeutil import utcnow


@dataclass
class Report:
    settled: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def reconcile() -> Report:
    report = Report()
    pending = db.session.scalars(
        db.select(PaymentAttempt.id).where(PaymentAttempt.status == "pending").order_by(PaymentAttempt.id)
    ).all()
    for attempt_id in pending:
        _one(attempt_id, report)
    return report


def _one(attempt_id: int, report: Report) -> None:
    attempt = db.session.get(PaymentAttempt, attempt_id)
    answer = _query_vnpay(attempt) if attempt.gateway == "vnpay" else None
    begin_write()
    attempt = db.session.scalar(for_update(db.select(PaymentAttempt).where(PaymentAttempt.id == attempt_id)))
    if attempt.status != "pending":  # an IPN settled it meanwhile
        db.session.rollback()
        return
    order = db.session.scalar(for_update(db.select(PaymentOrder).where(PaymentOrder.id == attempt.order_id)))
    if (
        answer
        and answer.get("vnp_ResponseCode") == "00"
        and answer.get("vnp_Amount") == str(attempt.amount * 100)
    ):
        success = answer.get("vnp_TransactionStatus") == "00"
        _apply(order, attempt, success, answer.get("vnp_ResponseCode_Payment", "00" if success else "99"),
               answer.get("vnp_TransactionNo"))  # fmt: skip
        (report.settled if success else report.failed).append(attempt.reference)
    elif attempt.expires_at < utcnow():
        _apply(order, attempt, False, "11", None)  # timed out: expired
        report.expired.append(attempt.reference)
    else:
        report.unknown.append(attempt.reference)
    db.session.commit()


def _query_vnpay(attempt: PaymentAttempt) -> dict | None:
    config = current_app.config
    now = vnpay.stamp(utcnow())
    values = {
        "RequestId": secrets.token_hex(8), "Version": vnpay.VERSION, "Command": "querydr", "TmnCode": config["VNPAY_TMN_CODE"],
        "TxnRef": attempt.reference, "TransactionDate": vnpay.stamp(attempt.created_at), "CreateDate": now,
        "IpAddr": "127.0.0.1", "OrderInfo": f"Truy van GD {attempt.reference}",
    }  # fmt: skip
    body = {f"vnp_{k}": v for k, v in values.items()}
    body["vnp_SecureHash"] = vnpay.api_checksum(values, vnpay.QUERYDR_FIELDS, config["VNPAY_HASH_SECRET"])
    api = (
        config["VNPAY_API_URL"]
        or config["APP_BASE_URL"] + "/simulators/vnpay/merchant_webapi/api/transaction"
    )
    try:
        return transport.post_json(api, body)
    except transport.GatewayUnavailable:
        return None
