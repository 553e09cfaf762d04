"""Documents the payments service's events call for: a paid order gets its e-receipt, drawn after the
payment commits like every document (the job is added to the settling transaction). Connected by the
app factory."""

from __future__ import annotations

from service.documents import issuing
from service.documents.models import DocumentJob, IssuedDocument
from service.extensions import db
from service.payments import events, registry
from service.payments.models import PaymentAttempt, PaymentOrder


def queue_receipt(order: PaymentOrder, attempt: PaymentAttempt, **_) -> None:
    db.session.add(
        DocumentJob(
            dossier_id=order.dossier_id, payment_order_id=order.id, kind="receipt", requested_by_id=None
        )
    )


def receipt_of(order_id: int) -> IssuedDocument | None:
    """The order's receipt in force (a corrected one replaces the first), or None."""
    return db.session.scalar(
        db.select(IssuedDocument)
        .where(
            IssuedDocument.payment_order_id == order_id,
            IssuedDocument.kind == "receipt",
            IssuedDocument.status == "valid",
        )
        .order_by(IssuedDocument.id.desc())
        .limit(1)
    )


def connect() -> None:
    events.order_paid.connect(queue_receipt)
    registry.register_receipts(registry.Receipts(find=receipt_of, pdf=issuing.pdf_bytes))
