"""What the payments pages read: orders, attempts, refunds and incidents, each within the reach of
who asks (`Reach`: a school's accountant reaches that school's payments, the agency's accountant the
agency's, an administrator everything)."""

from __future__ import annotations

from typing import Any, Literal

from service.extensions import db
from service.payments.models import (
    PaymentAttempt,
    PaymentIncident,
    PaymentNotification,
    PaymentOrder,
    PaymentRefund,
)

EVERYTHING: Literal["everything"] = "everything"
# EVERYTHING, or the school whose payments (None: the agency's own) are within reach.
Reach = int | None | Literal["everything"]


def in_reach(reach: Reach, school_id: int | None) -> bool:
    return reach == EVERYTHING or school_id == reach


def _within(statement: Any, model: Any, reach: Reach) -> Any:
    if reach == EVERYTHING:
        return statement
    if reach is None:
        return statement.where(model.school_id.is_(None))
    return statement.where(model.school_id == reach)


def order(order_id: int, reach: Reach) -> PaymentOrder | None:
    found = db.session.get(PaymentOrder, order_id)
    return found if found is not None and in_reach(reach, found.school_id) else None


def payers_order(order_id: int, payer_id: int) -> PaymentOrder | None:
    found = db.session.get(PaymentOrder, order_id)
    return found if found is not None and found.payer_id == payer_id else None


def order_by_token(token: str) -> PaymentOrder | None:
    return db.session.scalar(db.select(PaymentOrder).where(PaymentOrder.access_token == token[:43]))


def attempt(attempt_id: int) -> PaymentAttempt | None:
    return db.session.get(PaymentAttempt, attempt_id)


def attempt_by_reference(reference: str | None) -> PaymentAttempt | None:
    if not reference:
        return None
    return db.session.scalar(db.select(PaymentAttempt).where(PaymentAttempt.reference == reference))


def refund(refund_id: int) -> PaymentRefund | None:
    return db.session.get(PaymentRefund, refund_id)


def refunds_of(order_id: int) -> list[PaymentRefund]:
    return list(
        db.session.scalars(
            db.select(PaymentRefund).where(PaymentRefund.order_id == order_id).order_by(PaymentRefund.id)
        )
    )


def notifications_of(order: PaymentOrder) -> list[PaymentNotification]:
    """What the gateways told us about the order's attempts, oldest first."""
    references = [a.reference for a in order.attempts]
    return list(
        db.session.scalars(
            db.select(PaymentNotification)
            .where(PaymentNotification.reference.in_(references))
            .order_by(PaymentNotification.id)
        )
    )


def incident(incident_id: int, reach: Reach) -> PaymentIncident | None:
    found = db.session.get(PaymentIncident, incident_id)
    return found if found is not None and in_reach(reach, found.school_id) else None


def incidents(reach: Reach, limit: int = 500) -> list[PaymentIncident]:
    """Unresolved first, newest first."""
    return list(
        db.session.scalars(
            _within(db.select(PaymentIncident), PaymentIncident, reach)
            .order_by(PaymentIncident.resolved_at.is_not(None), PaymentIncident.id.desc())
            .limit(limit)
        )
    )


def orders(reach: Reach, query: str, status: str | None, page: int, size: int) -> list[PaymentOrder]:
    """A page of orders, newest first (one more than `size`, to tell whether there is a next page),
    found by their reference, an attempt's reference, the description or the payer's name."""
    statement = _within(db.select(PaymentOrder), PaymentOrder, reach).order_by(PaymentOrder.id.desc())
    if status:
        statement = statement.where(PaymentOrder.status == status)
    if query:
        like = f"%{query.upper()}%"
        by_attempt = db.select(PaymentAttempt.order_id).where(PaymentAttempt.reference.like(like))
        statement = statement.where(
            PaymentOrder.reference.like(like)
            | PaymentOrder.id.in_(by_attempt)
            | PaymentOrder.description.ilike(f"%{query}%")
            | PaymentOrder.payer_name.ilike(f"%{query}%")
        )
    return list(db.session.scalars(statement.limit(size + 1).offset((page - 1) * size)))
