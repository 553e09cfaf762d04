"""Paying what the system asks for, by VNPAY: start an attempt, the browser's return, the IPN."""

from __future__ import annotations

import hmac
import re
from datetime import timedelta

import segno
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from service.access import ANYONE, SIGNED_IN, allow
from service.accounts.roles import Role
from service.documents import jobs
from service.extensions import csrf, db
from service.payments import bankfeed, settlement, transport
from service.payments.gateways import momo, vietqr, vnpay
from service.payments.models import PaymentAttempt, PaymentIncident, PaymentOrder
from service.timeutil import utcnow
from workflows.payment_attempt import ATTEMPT_LABELS

bp = Blueprint("payments", __name__, url_prefix="/payments")


def order_info(text: str) -> str:
    """vnp_OrderInfo: ASCII without diacritics or special characters (VNPAY 2.1.0)."""
    from service.text import without_diacritics

    plain = re.sub(r"[^A-Za-z0-9 .-]", " ", without_diacritics(text))
    return " ".join(plain.split())[:255] or "Thanh toan"


def own_order(order_id: int) -> PaymentOrder:
    """The payer's own order; anyone else's is a 404."""
    order = db.session.get(PaymentOrder, order_id)
    if order is None or order.payer_id != current_user.id:
        abort(404)
    return order


def _start(order_id: int, gateway: str):
    """(order, attempt, None), or (order, None, a response) when the order cannot be paid now."""
    order = own_order(order_id)
    try:
        return order, settlement.start_attempt(order.id, gateway), None
    except ValueError as error:
        page = render_template("payments/result.html", order=order, attempt=None, message=str(error))
        return order, None, (page, 409)


def vnpay_payment_base() -> str:
    configured = current_app.config["VNPAY_PAYMENT_URL"]
    return configured or current_app.config["APP_BASE_URL"] + "/simulators/vnpay/paymentv2/vpcpay.html"


@bp.route("/orders/<int:order_id>/vnpay", methods=["POST"])
@allow(SIGNED_IN)
def pay_vnpay(order_id: int):
    order, attempt, refused = _start(order_id, "vnpay")
    if refused:
        return refused
    config = current_app.config
    url = vnpay.payment_url(
        vnpay_payment_base(), config["VNPAY_HASH_SECRET"], config["VNPAY_TMN_CODE"], attempt.reference, attempt.amount,
        order_info(order.description), config["APP_BASE_URL"] + url_for("payments.vnpay_return"),
        request.remote_addr or "127.0.0.1",
        utcnow(), utcnow() + timedelta(minutes=config["PAYMENT_ATTEMPT_MINUTES"]),
    )  # fmt: skip
    return redirect(url)


@bp.route("/vnpay/return")
@allow(ANYONE)
def vnpay_return():
    """What the browser comes back with only shows what we know: the IPN alone settles."""
    params = request.args.to_dict()
    valid = vnpay.verify(params, current_app.config["VNPAY_HASH_SECRET"])
    message = vnpay.RESPONSE_MESSAGES.get(params.get("vnp_ResponseCode", ""), "Không xác định")
    return _return_page(valid, params.get("vnp_TxnRef"), message)


def _return_page(valid: bool, reference: str | None, message: str):
    """The browser's return from a gateway: it shows what we know and settles nothing."""
    if not valid:
        page = render_template(
            "payments/result.html",
            order=None,
            attempt=None,
            message="Dữ liệu trả về từ cổng thanh toán không hợp lệ.",
        )
        return page, 400
    attempt = db.session.scalar(db.select(PaymentAttempt).where(PaymentAttempt.reference == reference))
    if attempt is None:
        abort(404)
    return render_template("payments/result.html", order=attempt.order, attempt=attempt, message=message)


@bp.route("/vnpay/ipn")
@allow(ANYONE)
@csrf.exempt
def vnpay_ipn():
    try:
        code, message = settlement.settle_vnpay(request.args.to_dict(), "GET")
        jobs.dispatch()
    except Exception:  # noqa: BLE001  VNPAY must get JSON; it retries on 99
        current_app.logger.exception("VNPAY IPN failed")
        db.session.rollback()
        code, message = "99", "Unknown error"
    return jsonify({"RspCode": code, "Message": message})


@bp.app_context_processor
def attempt_labels():
    return {"attempt_labels": ATTEMPT_LABELS}


@bp.route("/orders/<int:order_id>/vietqr", methods=["POST"])
@allow(SIGNED_IN)
def pay_vietqr(order_id: int):
    """A dynamic VietQR for this order; the bank feed confirms the transfer."""
    order, attempt, refused = _start(order_id, "vietqr")
    if refused:
        return refused
    config = current_app.config
    data = vietqr.payload(
        config["VIETQR_BANK_BIN"], config["VIETQR_ACCOUNT_NO"], attempt.amount, attempt.reference
    )
    return render_template(
        "payments/vietqr.html", order=order, attempt=attempt, qr=segno.make(data, error="m").png_data_uri(scale=5),
        simulators=config["PAYMENT_SIMULATORS"],
    )  # fmt: skip


@bp.route("/orders/<int:order_id>/status")
@allow(SIGNED_IN)
def order_status(order_id: int):
    order = own_order(order_id)
    attempt = order.attempts[-1] if order.attempts else None
    message = "Đã nhận được thanh toán." if order.status == "paid" else "Chưa nhận được thanh toán."
    return render_template("payments/result.html", order=order, attempt=attempt, message=message)


@bp.route("/bankfeed/sepay", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def bankfeed_sepay():
    expected = f"Apikey {current_app.config['BANKFEED_API_KEY']}"
    if not hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected.encode()):
        return jsonify({"success": False, "message": "Unauthorized"}), 401
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or "id" not in payload:
        return jsonify({"success": False, "message": "Bad request"}), 400
    bankfeed.settle_sepay(payload, request.get_data(as_text=True))
    jobs.dispatch()
    return jsonify({"success": True})


def momo_endpoint() -> str:
    return current_app.config["MOMO_ENDPOINT"] or current_app.config["APP_BASE_URL"] + "/simulators/momo"


@bp.route("/orders/<int:order_id>/momo", methods=["POST"])
@allow(SIGNED_IN)
def pay_momo(order_id: int):
    order, attempt, refused = _start(order_id, "momo")
    if refused:
        return refused
    config = current_app.config
    body = {
        "partnerCode": config["MOMO_PARTNER_CODE"], "requestId": attempt.reference, "amount": attempt.amount,
        "orderId": attempt.reference, "orderInfo": order_info(order.description),
        "redirectUrl": config["APP_BASE_URL"] + url_for("payments.momo_return"),
        "ipnUrl": config["APP_BASE_URL"] + url_for("payments.momo_ipn"), "requestType": "captureWallet",
        "extraData": "", "lang": "vi",
    }  # fmt: skip
    body["signature"] = momo.sign(
        {**body, "accessKey": config["MOMO_ACCESS_KEY"]}, momo.CREATE_FIELDS, config["MOMO_SECRET_KEY"]
    )
    try:
        answer = transport.post_json(momo_endpoint() + "/v2/gateway/api/create", body)
    except transport.GatewayUnavailable:
        answer = {}
    if answer.get("resultCode") != 0 or not answer.get("payUrl"):
        message = (
            "Ví MoMo tạm thời không nhận thanh toán. Vui lòng thử lại sau hoặc chọn cách thanh toán khác."
        )
        return render_template("payments/result.html", order=order, attempt=attempt, message=message), 502
    return redirect(answer["payUrl"])


@bp.route("/momo/ipn", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def momo_ipn():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify({"message": "Bad request"}), 400
    outcome = settlement.settle_momo(body)
    jobs.dispatch()
    return ("", 400) if outcome == "invalid" else ("", 204)


@bp.route("/momo/return")
@allow(ANYONE)
def momo_return():
    values = {**request.args.to_dict(), "accessKey": current_app.config["MOMO_ACCESS_KEY"]}
    valid = momo.verify(values, momo.IPN_FIELDS, current_app.config["MOMO_SECRET_KEY"])
    message = "Giao dịch thành công" if momo.is_success(values) else "Giao dịch không thành công"
    return _return_page(valid, values.get("orderId"), message)


@bp.route("/review")
@allow(Role.ACCOUNTANT, Role.ADMIN)
def review_queue():
    """What an accountant must look at: unmatched, under- and over-paid credits, second successes."""
    incidents = db.session.scalars(
        db.select(PaymentIncident)
        .order_by(PaymentIncident.resolved_at.is_not(None), PaymentIncident.id.desc())
        .limit(500)
    ).all()
    return render_template("payments/review.html", incidents=incidents)


@bp.route("/review/<int:incident_id>/resolve", methods=["POST"])
@allow(Role.ACCOUNTANT, Role.ADMIN)
def resolve_incident(incident_id: int):
    note = (request.form.get("note") or "").strip()[:1000]
    if not note:
        flash("Vui lòng ghi cách đã xử lý (hoàn tiền, đối chiếu, ghi nhận thủ công…).", "error")
        return redirect(url_for("payments.review_queue"))
    if not settlement.resolve_incident(incident_id, current_user.id, note):
        abort(404)
    flash("Đã ghi nhận xử lý.", "success")
    return redirect(url_for("payments.review_queue"))
