"""An invoice's payment link (`/pay/<token>`), for students and parents without an account.

The token is opaque; the payer first confirms the student's date of birth (a few wrong tries rest
the link for a while), then sees the items and pays through the payment issue's gateways; a paid
invoice shows its receipts. Cancelled and replaced invoices say so and cannot be paid.
"""

from __future__ import annotations

import io

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)

from service.access import ANYONE, allow
from service.downloads import send_attachment
from service.extensions import db, limiter, lookup_limit
from service.payments.adapters import ADAPTERS, offered
from service.payments.models import PaymentOrder
from service.payments.receipts import receipt_of, waiting_note
from service.schools import fees, operations
from service.schools.models import Invoice, School

bp = Blueprint("paylink", __name__, url_prefix="/pay")
SESSION_KEY = "invoice_links"


def _invoice(token: str) -> Invoice:
    invoice = db.session.scalar(db.select(Invoice).where(Invoice.access_token == token[:43]))
    if invoice is None:
        abort(404)
    return invoice


def _confirmed(invoice: Invoice) -> bool:
    return invoice.access_token in session.get(SESSION_KEY, [])


@bp.route("/<token>", methods=["GET", "POST"])
@allow(ANYONE)
@limiter.limit(lookup_limit, methods=["POST"])
def invoice(token: str):
    record = _invoice(token)
    if record.status != "issued":
        replacement = db.session.scalar(db.select(Invoice).where(Invoice.replaces_id == record.id))
        return render_template("paylink/closed.html", invoice=record, replacement=replacement), 410
    message = None
    if request.method == "POST" and not _confirmed(record):
        message = operations.check_birth_date(record.id, request.form.get("date_of_birth", ""))
        if message is None:
            session[SESSION_KEY] = [*session.get(SESSION_KEY, [])[-19:], record.access_token]
            return redirect(url_for("paylink.invoice", token=token))
    if not _confirmed(record):
        return render_template("paylink/confirm.html", invoice=record, message=message), (
            400 if message else 200
        )
    return _page(record)


def _page(record: Invoice, message: str | None = None, status: int = 200):
    school = db.session.get(School, record.school_id)
    orders = db.session.scalars(
        db.select(PaymentOrder)
        .where(PaymentOrder.invoice_id == record.id, PaymentOrder.status == "paid")
        .order_by(PaymentOrder.paid_at)
    ).all()
    left = fees.outstanding(record)
    return render_template(
        "paylink/invoice.html",
        invoice=record,
        school=school,
        orders=orders,
        receipts={o.id: receipt_of(o.id) for o in orders},
        receipt_notes={o.id: waiting_note(o) for o in orders},
        paid=fees.paid_amount(record.id),
        outstanding=left,
        message=message,
        gateways=offered(left, record.school_id) if left else [],
    ), status


@bp.route("/<token>/pay/<gateway>", methods=["POST"])
@allow(ANYONE)
def pay(token: str, gateway: str):
    from service.money import parse_amount
    from service.payments.views.payer import pay

    record = _invoice(token)
    if not _confirmed(record):
        return redirect(url_for("paylink.invoice", token=token))
    if gateway not in ADAPTERS or not ADAPTERS[gateway].payer_facing:
        abort(404)
    if not ADAPTERS[gateway].available(record.school_id):
        abort(404)  # not configured here: no order is made for it
    amount = None
    if request.form.get("amount"):
        amount = parse_amount(request.form.get("amount"))
        if amount is None:
            return _page(record, "Số tiền nộp phải là số nguyên đồng, ví dụ 1.500.000.", 400)
    try:
        order = fees.order_for_payment(record.id, amount)
    except fees.FeeError as error:
        return _page(record, str(error), 409)
    return pay(order, gateway)


@bp.route("/<token>/qr.png")
@allow(ANYONE)
def qr(token: str):
    return link_qr(_invoice(token).access_token)


def link_qr(token: str):
    """The payment link as a QR code, for the printed invoice and the accountant's page."""
    url = current_app.config["APP_BASE_URL"] + url_for("paylink.invoice", token=token)
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=4)
    return send_file(io.BytesIO(buffer.getvalue()), mimetype="image/png", max_age=0)


@bp.route("/<token>/receipts/<int:order_id>.pdf")
@allow(ANYONE)
def receipt(token: str, order_id: int):
    from service.documents import issuing

    record = _invoice(token)
    if not _confirmed(record):
        abort(404)
    order = db.session.get(PaymentOrder, order_id)
    document = receipt_of(order.id) if order is not None and order.invoice_id == record.id else None
    if document is None:
        abort(404)
    return send_attachment(issuing.pdf_bytes(document), "application/pdf", f"bien-lai-{document.number}.pdf")
