"""The e-receipt of a paid order (biên lai điện tử, Decree 254/2026 and Circular 91/2026 from 01/07/2026):
payments feeds the documents service plain data and the service renders, numbers, signs and stores it.

A paid order gets its receipt drawn after the payment commits, like every document: the job is queued
in the settling transaction (`queue_receipt` hears `order_paid`). What the receipt says is read when it
is drawn (`read`, registered with the documents service for the kind "receipt"); what the money was for
comes from the client feature that opened the order (`registry.receipt_subject`: a dossier's fee names
the specific fee), else from the order itself; who collected it, from `registry.receipt_issuer` (a
school, for its tuition: its name, tax code and own series), else the agency. A school that sends its
own e-invoices gets no receipt from us. The symbols follow the scheme in force on the day of issue
(receipt_rules.py); each collector's series is numbered on its own. A receipt is issued only signed
(service/documents/issuing.py). The payer hears of the receipt once, when it exists (`send_receipt`
hears `document_issued`, in the transaction that records it), and the tax authority gets its data the
same day (transmission.py). Connected by the app factory.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from num2words import num2words

from service.accounts.models import User
from service.documents import events as document_events
from service.documents import issuing, jobs, signing
from service.documents.models import DocumentJob, IssuedDocument
from service.extensions import db
from service.money import format_vnd
from service.notifications.email import queue_email
from service.payments import events, receipt_rules, registry, transmission
from service.payments.models import PaymentAttempt, PaymentOrder
from service.text import clean_name, printable
from service.timeutil import local_today, to_local

GATEWAY_NAMES = {
    "vnpay": "Cổng thanh toán VNPAY",
    "vietqr": "Chuyển khoản VietQR (NAPAS 247)",
    "momo": "Ví điện tử MoMo",
    "paygov": "Nền tảng thanh toán trực tuyến quốc gia",
    "manual": "Thu trực tiếp",
}


def queue_receipt(order: PaymentOrder, attempt: PaymentAttempt, **_: Any) -> None:
    if not issues_receipt(order):
        return  # the collecting school sends its own e-invoice
    jobs.queue("receipt", None, dossier_id=order.dossier_id, payment_order_id=order.id)


def issues_receipt(order: PaymentOrder) -> bool:
    issuer = registry.receipt_issuer(order)
    return issuer is None or issuer.issues_receipts


def issuer_of(order: PaymentOrder) -> registry.ReceiptIssuer:
    """The collecting organisation: the client feature's (a school), else the agency's own settings."""
    config = current_app.config
    return registry.receipt_issuer(order) or registry.ReceiptIssuer(
        register=config["DOCUMENT_ISSUER_ABBREVIATION"],
        name=config["AGENCY_NAME"],
        tax_code=config["ISSUER_TAX_CODE"],
        form_symbol=config["RECEIPT_FORM_SYMBOL"],
        series_letters=config["RECEIPT_SERIES_LETTERS"],
    )


def symbols(issuer: registry.ReceiptIssuer, day: date) -> tuple[str, str, str]:
    """(form symbol, series, legal basis) of the collector's receipt issued on `day`."""
    scheme = receipt_rules.scheme_on(day)
    return (
        scheme.form_symbol(issuer.form_symbol),
        scheme.series(day, issuer.series_letters),
        scheme.legal_basis,
    )


def numbering(job: DocumentJob) -> tuple[str, str]:
    """Each collector's series is numbered on its own, from 1 each year (Decree 254/2026 Art. 23(2))."""
    order = db.session.get(PaymentOrder, job.payment_order_id)
    assert order is not None, "a receipt's job names its order"
    issuer = issuer_of(order)
    _, series, _ = symbols(issuer, job.issued_on or local_today())
    return f"{issuer.register}/{series}"[:30], ""


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


def waiting_note(order: PaymentOrder) -> str:
    """What the payer of a paid order is told while it has no receipt (Vietnamese)."""
    issuer = registry.receipt_issuer(order)
    if issuer is not None and not issuer.issues_receipts:
        return (
            f"Khoản này do {issuer.name} thu: nhà trường lập và gửi hóa đơn điện tử cho người nộp; "
            "hệ thống không lập biên lai cho khoản này."
        )
    if not signing.configured(required=True):
        return (
            "Biên lai điện tử chưa được phát hành: biên lai chỉ có giá trị khi có chữ ký số của đơn vị thu, "
            "và chữ ký số đang chưa sẵn sàng. Khoản tiền đã được ghi nhận; biên lai sẽ được gửi qua email "
            "ngay khi phát hành."
        )
    if issuer_problem(issuer_of(order)):
        return (
            "Biên lai điện tử chưa được phát hành vì đơn vị thu chưa khai báo đủ mã số thuế, ký hiệu biên lai. "
            "Khoản tiền đã được ghi nhận; biên lai sẽ được gửi qua email ngay khi phát hành."
        )
    return "Biên lai điện tử đang được lập; tải lại trang sau ít giây."


def receipt_pdf(document: IssuedDocument) -> bytes:
    return issuing.pdf_bytes(document)


class IncompleteIssuer(RuntimeError):
    """The collector lacks what a receipt must print (its tax code, valid symbols)."""


def issuer_problem(issuer: registry.ReceiptIssuer) -> str | None:
    if not issuer.tax_code:
        return f"{issuer.name} chưa khai báo mã số thuế: biên lai phải ghi mã số thuế của đơn vị thu."
    problem = receipt_rules.symbol_problem(issuer.form_symbol, issuer.series_letters)
    return f"{issuer.name}: {problem}" if problem else None


def build_receipt(order: PaymentOrder, day: date | None = None) -> tuple[dict[str, Any], str]:
    """(template data, payer name) for the e-receipt of a paid order, issued on `day` (today)."""
    attempt = db.session.get(PaymentAttempt, order.paid_attempt_id)
    assert attempt is not None and order.paid_at is not None, "only a paid order has a receipt"
    paid = to_local(order.paid_at)
    owner = db.session.get(User, order.payer_id) if order.payer_id else None
    subject = registry.receipt_subject(order) or registry.ReceiptSubject(
        payer=order.payer_name or (owner.display_name if owner else ""), line=order.description
    )
    issuer = issuer_of(order)
    problem = issuer_problem(issuer)
    if problem:
        raise IncompleteIssuer(problem)  # the job fails, is retried and shows at /admin/jobs
    form_symbol, series, basis = symbols(issuer, day or local_today())
    words = num2words(order.amount, lang="vi")
    doc: dict[str, Any] = {
        "issuer": {"parent": "", "name": issuer.name, "abbreviation": issuer.register},
        "title": issuer.title,
        "summary": None,
        "number": None,
        "place_date": "",
        "verification": None,
        "draft": False,
        "signer": {"capacity": "", "position": "", "name": ""},
        "recipients": [],
    }
    receipt = {
        "title": issuer.title,
        "form_symbol": form_symbol,
        "series": series,
        "legal_basis": basis,
        "number": "",  # filled by the numbering when issued
        "issuer_name": issuer.name,
        "issuer_tax_code": issuer.tax_code,
        "payer": {
            "name": subject.payer,
            "identifier": (owner.personal_id or owner.tax_code or "") if owner else "",
        },
        "order_reference": order.reference,
        "dossier_code": subject.dossier_code,
        "procedure": subject.procedure,
        "lines": [{"name": subject.line, "amount": order.amount, "amount_text": format_vnd(order.amount)}],
        "total": order.amount,
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
    data, holder = build_receipt(order, job.issued_on)
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
    jobs.register_source(["receipt"], read, numbering)
    document_events.document_issued.connect(send_receipt)
    transmission.connect()
