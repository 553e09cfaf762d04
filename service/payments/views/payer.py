"""The payer's pages: choose a gateway and go to it (or see the VietQR transfer), come back from it,
follow an order by its link, download its receipt. A gateway's return only shows what we know: its
notification alone settles (`callbacks.py`)."""

from __future__ import annotations

import io

import segno
from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from service.access import ANYONE, SIGNED_IN, allow
from service.downloads import send_attachment
from service.payments import queries, receipts, settlement
from service.payments.adapters import ADAPTERS, GatewayRefused, collecting_account
from service.payments.gateways import momo, vietqr, vnpay
from service.payments.models import PaymentAttempt, PaymentOrder
from service.payments.paygov import PayGov
from service.payments.views.blueprint import bp, order_by_token, order_view, require_gateway
from service.timeutil import utcnow


def own_order(order_id: int) -> PaymentOrder:
    """The payer's own order; anyone else's is a 404."""
    order = queries.payers_order(order_id, current_user.id)
    if order is None:
        abort(404)
    return order


def pay(order: PaymentOrder, gateway: str):
    """Start an attempt and send the payer to the gateway (or show the QR); a clear page otherwise."""
    if not require_gateway(gateway).available(order.school_id):
        abort(404)
    try:
        attempt = settlement.start_attempt(order.id, gateway)
    except ValueError as error:
        return result_page(order, None, str(error), 409)
    try:
        start = ADAPTERS[gateway].start(order, attempt, request.remote_addr or "127.0.0.1")
    except GatewayRefused as error:
        return result_page(order, None, str(error), 502)
    if start.redirect_url:
        return redirect(start.redirect_url)
    if start.qr_payload is None:  # an adapter that neither redirects nor draws a QR cannot be paid here
        abort(404)
    # The QR has its own address: reloading it, or coming back to it later, shows the same transfer.
    return redirect(url_for("payments.vietqr_page", token=order.access_token), 303)


@bp.route("/o/<token>/vietqr")
@allow(ANYONE)
def vietqr_page(token: str):
    """The order's current VietQR transfer (reached with the order's unguessable link token)."""
    order = order_by_token(token)
    require_gateway("vietqr")
    attempt = settlement.valid_attempt(order.id, "vietqr")
    account = collecting_account(order)
    if order.status == "paid":
        flash("Khoản này đã được thanh toán.", "success")
        return redirect(url_for("payments.order_page", token=order.access_token))
    if attempt is None or account is None:
        flash(
            "Mã QR chuyển khoản đã hết hạn hoặc chưa được tạo; vui lòng chọn lại cách thanh toán.", "warning"
        )
        return redirect(url_for("payments.order_page", token=order.access_token))
    payload = vietqr.payload(account.bank_bin, account.number, attempt.amount, attempt.reference)
    return render_template(
        "payments/vietqr.html",
        order=order,
        attempt=attempt,
        qr=segno.make(payload, error="m").png_data_uri(scale=5),
        simulators=current_app.config["PAYMENT_SIMULATORS"],
        account=account,
    )


@bp.route("/orders/<int:order_id>/vnpay", methods=["POST"])
@allow(SIGNED_IN)
def pay_vnpay(order_id: int):
    return pay(own_order(order_id), "vnpay")


@bp.route("/orders/<int:order_id>/vietqr", methods=["POST"])
@allow(SIGNED_IN)
def pay_vietqr(order_id: int):
    """A dynamic VietQR for this order; the bank feed confirms the transfer."""
    return pay(own_order(order_id), "vietqr")


@bp.route("/orders/<int:order_id>/momo", methods=["POST"])
@allow(SIGNED_IN)
def pay_momo(order_id: int):
    return pay(own_order(order_id), "momo")


@bp.route("/orders/<int:order_id>/paygov", methods=["POST"])
@allow(SIGNED_IN)
def pay_paygov(order_id: int):
    return pay(own_order(order_id), "paygov")


@bp.route("/o/<token>")
@allow(ANYONE)
def order_page(token: str):
    """The order's own link: what is owed, how to pay it, and afterwards its receipt and refunds."""
    order = order_by_token(token)
    return render_template("payments/order.html", **order_view(order))


@bp.route("/o/<token>/pay/<gateway>", methods=["POST"])
@allow(ANYONE)
def pay_by_link(token: str, gateway: str):
    order = order_by_token(token)
    if gateway not in ADAPTERS or not ADAPTERS[gateway].payer_facing:
        abort(404)
    return pay(order, gateway)


@bp.route("/o/<token>/receipt.pdf")
@allow(ANYONE)
def receipt_by_link(token: str):
    receipt = receipts.receipt_of(order_by_token(token).id)
    if receipt is None:
        abort(404)
    return send_attachment(receipts.receipt_pdf(receipt), "application/pdf", f"bien-lai-{receipt.number}.pdf")


@bp.route("/o/<token>/paygov-receipt.pdf")
@allow(ANYONE)
def paygov_receipt(token: str):
    """The national payment platform's own receipt of the payment (GET_BILL), fetched when asked for."""
    order = order_by_token(token)
    attempt = queries.attempt(order.paid_attempt_id) if order.paid_attempt_id else None
    if attempt is None or attempt.gateway != "paygov":
        abort(404)
    adapter = require_gateway("paygov")
    content = adapter.receipt(attempt) if isinstance(adapter, PayGov) else None
    if content is None:
        return result_page(
            order, attempt, "Nền tảng thanh toán chưa trả biên lai; vui lòng thử lại sau.", 502
        )
    return send_attachment(content, "application/pdf", f"bien-lai-nen-tang-{attempt.reference}.pdf")


@bp.route("/qr/<reference>.png")
@allow(ANYONE)
def qr_png(reference: str):
    """The VietQR of one transfer as a PNG (what an app or a printed notice shows)."""
    attempt = queries.attempt_by_reference(reference[:34])
    if attempt is None or attempt.gateway != "vietqr":
        abort(404)
    require_gateway("vietqr")
    account = collecting_account(attempt.order)
    if account is None:
        abort(404)
    data = vietqr.payload(account.bank_bin, account.number, attempt.amount, attempt.reference)
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=8, border=4)
    return send_file(io.BytesIO(buffer.getvalue()), mimetype="image/png", max_age=0)


@bp.route("/vnpay/return")
@allow(ANYONE)
def vnpay_return():
    """What the browser comes back with only shows what we know: the IPN alone settles."""
    require_gateway("vnpay")
    params = request.args.to_dict()
    valid = vnpay.verify(params, current_app.config["VNPAY_HASH_SECRET"])
    message = vnpay.RESPONSE_MESSAGES.get(params.get("vnp_ResponseCode", ""), "Không xác định")
    return _return_page(valid, params.get("vnp_TxnRef"), message)


@bp.route("/momo/return")
@allow(ANYONE)
def momo_return():
    require_gateway("momo")
    values = {**request.args.to_dict(), "accessKey": current_app.config["MOMO_ACCESS_KEY"]}
    valid = momo.verify(values, momo.IPN_FIELDS, current_app.config["MOMO_SECRET_KEY"])
    message = "Giao dịch thành công" if momo.is_success(values) else "Giao dịch không thành công"
    return _return_page(valid, values.get("orderId"), message)


@bp.route("/paygov/return")
@allow(ANYONE)
def paygov_return():
    """The payer back from the platform's page: the browser carries no signed result, so this shows
    what the platform's confirmation (or a QUERY) has told us, and reloads while it is awaited."""
    require_gateway("paygov")
    return _return_page(True, request.args.get("MaThamChieu", "")[:34], "Đang chờ nền tảng xác nhận kết quả.")


def _return_page(valid: bool, reference: str | None, message: str):
    """The browser's return from a gateway: it shows what we know and settles nothing."""
    if not valid:
        return result_page(None, None, "Dữ liệu trả về từ cổng thanh toán không hợp lệ.", 400)
    attempt = queries.attempt_by_reference(reference)
    if attempt is None:
        abort(404)
    return result_page(attempt.order, attempt, message)


REFRESH_SECONDS = 5


def result_page(order: PaymentOrder | None, attempt: PaymentAttempt | None, message: str, status: int = 200):
    """An attempt's outcome as we know it; while its notification is awaited, the page reloads itself."""
    waiting = (
        order is not None
        and order.status == "unpaid"
        and attempt is not None
        and attempt.status == "pending"
        and attempt.expires_at > utcnow()
    )
    page = render_template(
        "payments/result.html",
        order=order,
        attempt=attempt,
        message=message,
        waiting=waiting,
        refresh_seconds=REFRESH_SECONDS,
    )
    return page, status


@bp.route("/orders/<int:order_id>/status")
@allow(SIGNED_IN)
def order_status(order_id: int):
    order = own_order(order_id)
    attempt = order.attempts[-1] if order.attempts else None
    message = "Đã nhận được thanh toán." if order.status == "paid" else "Chưa nhận được thanh toán."
    return result_page(order, attempt, message)
