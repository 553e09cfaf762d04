"""`flask --app wsgi payments reconcile`: ask the gateways about attempts left pending (the IPN may
never have come: VNPAY querydr, MoMo query, the payment platform's QUERY) and settle them the same way
as a notification; attempts past their expiry with nothing paid expire; refunds without a final answer
are asked about again."""

from __future__ import annotations

from dataclasses import dataclass, field

from service.database import for_update, write
from service.extensions import db
from service.payments.adapters import ADAPTERS, Outcome
from service.payments.models import PaymentAttempt, PaymentOrder, PaymentRefund
from service.payments.settlement import settle
from service.timeutil import utcnow


@dataclass
class Report:
    settled: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    refunds: list[str] = field(default_factory=list)


def reconcile() -> Report:
    report = Report()
    pending = db.session.scalars(
        db.select(PaymentAttempt.id).where(PaymentAttempt.status == "pending").order_by(PaymentAttempt.id)
    ).all()
    for attempt_id in pending:
        _one(attempt_id, report)
    _refunds(report)
    return report


def _one(attempt_id: int, report: Report) -> None:
    attempt = db.session.get_one(PaymentAttempt, attempt_id)
    outcome = ADAPTERS[attempt.gateway].query(attempt)  # outside the lock: a network call
    with write():
        attempt = db.session.scalar(
            for_update(db.select(PaymentAttempt).where(PaymentAttempt.id == attempt_id))
        )
        if attempt.status != "pending":  # a notification settled it meanwhile
            return
        order = db.session.scalar(
            for_update(db.select(PaymentOrder).where(PaymentOrder.id == attempt.order_id))
        )
        _conclude(order, attempt, outcome, report)


def _conclude(order: PaymentOrder, attempt: PaymentAttempt, outcome: Outcome | None, report: Report) -> None:
    """What the gateway says, applied as a notification would be; an attempt it has not heard of and
    that is past its expiry expires."""
    if outcome is not None and outcome.state in ("succeeded", "failed"):
        success = outcome.state == "succeeded"
        settle(order, attempt, success, outcome.code or ("00" if success else "99"), outcome.transaction)
        (report.settled if success else report.failed).append(attempt.reference)
    elif attempt.expires_at < utcnow() and (outcome is None or outcome.state != "pending"):
        settle(order, attempt, False, "11", None)  # timed out: expired
        report.expired.append(attempt.reference)
    else:
        report.unknown.append(attempt.reference)


def _refunds(report: Report) -> None:
    from service.payments.refunds import follow_up

    waiting = db.session.scalars(
        db.select(PaymentRefund)
        .where(PaymentRefund.status.in_(("requested", "pending")))
        .order_by(PaymentRefund.id)
    ).all()
    for refund in waiting:
        if ADAPTERS[refund.attempt.gateway].has_refund_api:
            follow_up(refund)
            db.session.refresh(refund)
            if refund.status in ("succeeded", "failed"):
                report.refunds.append(refund.reference)
