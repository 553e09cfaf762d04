"""The e-receipt of a paid order (biên lai điện tử, Decree 123/2020): payments feeds the documents
service plain data and the service renders, numbers, signs and stores it.

A paid order gets its receipt drawn after the payment commits, like every document: the job is queued
in the settling transaction (`queue_receipt` hears `order_paid`). What the receipt says is read when it
is drawn (`read`, registered with the documents service for the kind "receipt"); what the money was for
comes from the client feature that opened the order (`registry.receipt_subject`: a dossier's fee names
its applicant and procedure), else from the order itself. The payer hears of the receipt once, when it
exists (`send_receipt` hears `document_issued`, in the transaction that records it). Connected by the
app factory."""

from __future__ import annotations

from typing import Any

from flask import current_app
from num2words import num2words

from service.accounts.models import User
from service.documents import events as document_events
from service.documents import issuing, jobs
from service.documents.models import DocumentJob, IssuedDocument
from service.extensions import db
from service.money import format_vnd
from service.notifications.email import queue_email
from service.payments import events, registry
from service.payments.models import PaymentAttempt, PaymentOrder
from service.text import clean_name, printable
from service.timeutil import to_local

GATEWAY_NAMES = {
    "vnpay": "Cổng thanh toán VNPAY",
    "vietqr": "Chuyển khoản VietQR (NAPAS 247)",
    "momo": "Ví điện tử MoMo",
    "paygov": "Nền tảng thanh toán trực tuyến quốc gia",
    "manual": "Thu trực tiếp",
}


def queue_receipt(order: PaymentOrder, attempt: PaymentAttempt, **_: Any) -> None:
    jobs.queue("receipt", None, dossier_id=order.dossier_id, payment_order_id=order.id)


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


def receipt_pdf(document: IssuedDocument) -> bytes:
    return issuing.pdf_bytes(document)


def build_receipt(order: PaymentOrder) -> tuple[dict[str, Any], str]:
    """(template data, payer name) for the e-receipt of a paid order, with or without a dossier."""
    config = current_app.config
    attempt = db.session.get(PaymentAttempt, order.paid_attempt_id)
    assert attempt is not None and order.paid_at is not None, "only a paid order has a receipt"
    paid = to_local(order.paid_at)
    owner = db.session.get(User, order.payer_id) if order.payer_id else None
    subject = registry.receipt_subject(order) or registry.ReceiptSubject(
        payer=order.payer_name or (owner.display_name if owner else ""), line=order.description
    )
    words = num2words(order.amount, lang="vi")
    doc: dict[str, Any] = {
        "issuer": {
            "parent": config["DOCUMENT_ISSUER_PARENT"],
            "name": config["DOCUMENT_ISSUER_NAME"],
            "abbreviation": config["DOCUMENT_ISSUER_ABBREVIATION"],
        },
        "title": issuing.KINDS["receipt"].title,
        "summary": None,
        "number": None,
        "place_date": "",
        "verification": None,
        "draft": False,
        "signer": {"capacity": "", "position": "", "name": ""},
        "recipients": [],
    }
    receipt = {
        "form_symbol": config["RECEIPT_FORM_SYMBOL"],
        "series": f"{config['RECEIPT_SERIES_PREFIX']}-{paid:%y}E",
        "number": "",  # filled by the numbering when issued
        "issuer_tax_code": config["ISSUER_TAX_CODE"],
        "payer": {
            "name": subject.payer,
            "identifier": (owner.personal_id or owner.tax_code or "") if owner else "",
        },
        "order_reference": order.reference,
        "dossier_code": subject.dossier_code,
        "procedure": subject.procedure,
        "lines": [{"name": subject.line, "amount_text": format_vnd(order.amount)}],
        "total_text": format_vnd(order.amount),
        "total_words": words[:1].upper() + words[1:] + " đồng",
        "method": GATEWAY_NAMES.get(attempt.gateway, attempt.gateway),
        "gateway_reference": attempt.gateway_transaction or attempt.reference,
        "paid_at": f"{paid:%H:%M ngày %d/%m/%Y}",
    }
    # As every document's data: printable text only (no control or bidirectional-override characters).
    return printable({"doc": doc, "receipt": receipt}), clean_name(subject.payer) or ""


def read(job: DocumentJob) -> jobs.Source:
    """What the receipt says, from the order as it is now."""
    order = db.session.get(PaymentOrder, job.payment_order_id)
    assert order is not None, "a receipt's job names its order"
    data, holder = build_receipt(order)
    return jobs.Source(job.kind, data, holder, order.dossier_id)


def send_receipt(document: IssuedDocument, **_: Any) -> None:
    """Queued in the receipt's own transaction: the payer hears of it once, when it exists."""
    if document.kind != "receipt" or document.payment_order_id is None:
        return
    order = db.session.get(PaymentOrder, document.payment_order_id)
    assert order is not None
    owner = db.session.get(User, order.payer_id) if order.payer_id else None
    recipient = order.payer_email or (owner.email if owner else None)
    if recipient:
        queue_email(
            recipient, "receipt", order=order, document=document, base_url=current_app.config["APP_BASE_URL"]
        )


def connect() -> None:
    events.order_paid.connect(queue_receipt)
    jobs.register_source(["receipt"], read)
    document_events.document_issued.connect(send_receipt)
