"""Documents the payments service's events call for: a paid order gets its e-receipt, drawn after the
payment commits like every document (the job is added to the settling transaction). Connected by the
app factory."""

from __future__ import annotations

from service.documents.models import DocumentJob
from service.extensions import db
from service.payments import events
from service.payments.models import PaymentAttempt, PaymentOrder


def queue_receipt(order: PaymentOrder, attempt: PaymentAttempt, **_) -> None:
    db.session.add(
        DocumentJob(
            dossier_id=order.dossier_id, payment_order_id=order.id, kind="receipt", requested_by_id=None
        )
    )


def connect() -> None:
    events.order_paid.connect(queue_receipt)
