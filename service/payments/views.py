"""Paying what the system asks for, by VNPAY: start an attempt, the browser's return, the IPN."""

from __future__ import annotations

import hmac
import io
import secrets

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from service.access import ANYONE, SIGNED_IN, allow
from service.accounts.roles import Role
from service.audit import operations as audit
from service.downloads import send_attachment
from service.extensions import csrf, db
from service.money import format_money, parse_amount
from service.payments import bankfeed, receipts, registry, settlement
from service.payments.adapters import ADAPTERS, Adapter, GatewayRefused, collecting_account, offered
from service.payments.gateways import momo, vietqr, vnpay
from service.payments.models import (
    IncidentKind,
    OrderStatus,
    PaymentAttempt,
    PaymentIncident,
    PaymentOrder,
    PaymentRefund,
)
from service.timeutil import utcnow
from workflows.payment_attempt import ATTEMPT_LABELS
from workflows.refund import REFUND_LABELS

bp = Blueprint("payments", __name__, url_prefix="/payments")
PAGE_SIZE = 50
GATEWAY_BUTTONS = {
    "vnpay": "Thanh toán qua VNPAY",
    "vietqr": "Chuyển khoản bằng mã VietQR",
    "momo": "Thanh toán bằng ví MoMo",
}
INCIDENT_LABELS = IncidentKind.labels()
ORDER_STATUS_LABELS = OrderStatus.labels()


def own_order(order_id: int) -> PaymentOrder:
    """The payer's own order; anyone else's is a 404."""
    order = db.session.get(PaymentOrder, order_id)
    if order is None or order.payer_id != current_user.id:
        abort(404)
    return order


def require_gateway(name: str) -> Adapter:
    """A gateway not configured here does not exist for the outside world: its routes answer 404."""
    adapter = ADAPTERS.get(name)
    if adapter is None or not adapter.enabled():
        abort(404)
    return adapter


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


def order_back_link(order: PaymentOrder) -> tuple[str, str]:
    """Where the payer goes back to from a gateway's return: what the order pays for (the dossier, the
    school's bill: registered by those features), else the order's own page."""
    return registry.back_link(order) or (
        url_for("payments.order_page", token=order.access_token),
        "Xem khoản phải nộp",
    )


def order_by_token(token: str) -> PaymentOrder:
    order = db.session.scalar(db.select(PaymentOrder).where(PaymentOrder.access_token == token[:43]))
    if order is None:
        abort(404)
    return order


@bp.route("/o/<token>")
@allow(ANYONE)
def order_page(token: str):
    """The order's own link: what is owed, how to pay it, and afterwards its receipt and refunds."""
    order = order_by_token(token)
    return render_template("payments/order.html", **order_view(order))


def order_view(order: PaymentOrder) -> dict:
    from service.payments.refunds import refunded_total

    return {
        "order": order,
        "problem": settlement.payable_problem(order),
        "gateways": offered(order.amount, order.school_id),
        "receipt": receipts.receipt_of(order.id),
        "refunded": refunded_total(order.id),
        "refunds": db.session.scalars(
            db.select(PaymentRefund).where(PaymentRefund.order_id == order.id).order_by(PaymentRefund.id)
        ).all(),
    }


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


@bp.route("/qr/<reference>.png")
@allow(ANYONE)
def qr_png(reference: str):
    """The VietQR of one transfer as a PNG (what an app or a printed notice shows)."""
    attempt = db.session.scalar(db.select(PaymentAttempt).where(PaymentAttempt.reference == reference[:34]))
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


def _return_page(valid: bool, reference: str | None, message: str):
    """The browser's return from a gateway: it shows what we know and settles nothing."""
    if not valid:
        return result_page(None, None, "Dữ liệu trả về từ cổng thanh toán không hợp lệ.", 400)
    attempt = db.session.scalar(db.select(PaymentAttempt).where(PaymentAttempt.reference == reference))
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


@bp.route("/vnpay/ipn")
@allow(ANYONE)
@csrf.exempt
def vnpay_ipn():
    """Settlement rolls its own transaction back if it fails; one that committed has returned its code."""
    require_gateway("vnpay")
    try:
        code, message = settlement.settle_vnpay(request.args.to_dict(), "GET")
    except Exception:  # noqa: BLE001  VNPAY must get JSON; it retries on 99
        current_app.logger.exception("VNPAY IPN failed")
        code, message = "99", "Unknown error"
    return jsonify({"RspCode": code, "Message": message})


@bp.app_context_processor
def attempt_labels():
    return {
        "order_back_link": order_back_link,
        "attempt_labels": ATTEMPT_LABELS,
        "order_status_labels": ORDER_STATUS_LABELS,
        "refund_labels": REFUND_LABELS,
        "gateway_buttons": GATEWAY_BUTTONS,
        "incident_labels": INCIDENT_LABELS,
        "payer_gateways": lambda order: offered(order.amount, order.school_id),
    }


@bp.route("/orders/<int:order_id>/status")
@allow(SIGNED_IN)
def order_status(order_id: int):
    order = own_order(order_id)
    attempt = order.attempts[-1] if order.attempts else None
    message = "Đã nhận được thanh toán." if order.status == "paid" else "Chưa nhận được thanh toán."
    return result_page(order, attempt, message)


@bp.route("/bankfeed/sepay", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def bankfeed_sepay():
    if not current_app.config["BANKFEED_API_KEY"]:
        abort(404)  # no bank feed configured: nobody may report credits
    expected = f"Apikey {current_app.config['BANKFEED_API_KEY']}"
    if not hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected.encode()):
        return jsonify({"success": False, "message": "Unauthorized"}), 401
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or "id" not in payload:
        return jsonify({"success": False, "message": "Bad request"}), 400
    bankfeed.settle_sepay(payload, request.get_data(as_text=True))
    return jsonify({"success": True})


@bp.route("/momo/ipn", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def momo_ipn():
    require_gateway("momo")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify({"message": "Bad request"}), 400
    outcome = settlement.settle_momo(body)
    return ("", 400) if outcome == "invalid" else ("", 204)


@bp.route("/momo/return")
@allow(ANYONE)
def momo_return():
    require_gateway("momo")
    values = {**request.args.to_dict(), "accessKey": current_app.config["MOMO_ACCESS_KEY"]}
    valid = momo.verify(values, momo.IPN_FIELDS, current_app.config["MOMO_SECRET_KEY"])
    message = "Giao dịch thành công" if momo.is_success(values) else "Giao dịch không thành công"
    return _return_page(valid, values.get("orderId"), message)


@bp.route("/review")
@allow(Role.ACCOUNTANT, Role.ADMIN)
def review_queue():
    """What an accountant must look at: unmatched, under- and over-paid credits, second successes."""
    incidents = db.session.scalars(
        within_reach(db.select(PaymentIncident), PaymentIncident)
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
    incident = db.session.get(PaymentIncident, incident_id)
    if incident is None or not in_reach(incident.school_id):
        abort(404)
    if not settlement.resolve_incident(incident_id, current_user.id, note):
        abort(404)
    flash("Đã ghi nhận xử lý.", "success")
    return redirect(url_for("payments.review_queue"))


@bp.route("/officials/orders")
@allow(Role.ACCOUNTANT, Role.ADMIN)
def order_list():
    """Every order, newest first, found by its reference, a transaction reference or the payer."""
    query = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status") or ""
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 10_000)
    statement = within_reach(db.select(PaymentOrder), PaymentOrder).order_by(PaymentOrder.id.desc())
    if status in ORDER_STATUS_LABELS:
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
    orders = db.session.scalars(statement.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    return render_template(
        "payments/orders.html",
        orders=orders[:PAGE_SIZE],
        more=len(orders) > PAGE_SIZE,
        page=page,
        q=query,
        status=status,
        labels=ORDER_STATUS_LABELS,
    )


@bp.route("/officials/orders/<int:order_id>")
@allow(Role.ACCOUNTANT, Role.ADMIN)
def order_manage(order_id: int):
    """An order as the accountant sees it: attempts, notifications, receipt, refunds and their forms."""
    from service.payments.models import PaymentNotification
    from service.payments.refunds import refundable

    order = reachable_order(order_id)
    audit.record_view(order, "payment.order_viewed", details={"order": order.reference})
    references = [a.reference for a in order.attempts]
    notifications = db.session.scalars(
        db.select(PaymentNotification)
        .where(PaymentNotification.reference.in_(references))
        .order_by(PaymentNotification.id)
    ).all()
    return render_template(
        "payments/order_manage.html",
        **order_view(order),
        notifications=notifications,
        refundable={a.id: refundable(a) for a in order.attempts},
        new_key=secrets.token_urlsafe(24),
        adapters=ADAPTERS,
    )


@bp.route("/officials/attempts/<int:attempt_id>/refund", methods=["POST"])
@allow(Role.ACCOUNTANT, Role.ADMIN)
def refund(attempt_id: int):
    from service.payments.refunds import RefundError, request_refund

    attempt = db.session.get(PaymentAttempt, attempt_id)
    if attempt is None:
        abort(404)
    reachable_order(attempt.order_id)
    back = url_for("payments.order_manage", order_id=attempt.order_id)
    amount = parse_amount(request.form.get("amount"))
    expected = parse_amount(request.form.get("refundable"))
    try:
        if amount is None:
            raise RefundError("Số tiền hoàn phải là số nguyên dương (đồng), ví dụ 500000 hoặc 500.000.")
        result = request_refund(
            attempt.id,
            amount,
            request.form.get("reason", ""),
            current_user,
            request.form.get("idempotency_key", ""),
            expected_refundable=expected,
        )
    except RefundError as error:
        flash(str(error), "error")
        return redirect(back), 303
    message = {
        "succeeded": f"Đã hoàn {format_money(result.amount)} ({result.reference}).",
        "pending": f"Đã gửi yêu cầu hoàn {format_money(result.amount)} ({result.reference}): {result.message}",
        "failed": f"Hoàn tiền không thành công: {result.message}",
    }.get(
        result.status,
        f"Đã ghi nhận yêu cầu hoàn {format_money(result.amount)} ({result.reference}); đang chờ cổng thanh toán.",
    )
    flash(message, "error" if result.status == "failed" else "success")
    return redirect(back), 303


@bp.route("/officials/refunds/<int:refund_id>/manual", methods=["POST"])
@allow(Role.ACCOUNTANT, Role.ADMIN)
def refund_manual(refund_id: int):
    """The accountant records the bank transfer that returned a VietQR payment (or cancels the request)."""
    from service.payments.refunds import RefundError, confirm_manual

    found = db.session.get(PaymentRefund, refund_id)
    if found is None:
        abort(404)
    reachable_order(found.order_id)
    try:
        confirm_manual(
            found.id,
            current_user,
            request.form.get("bank_reference", ""),
            request.form.get("outcome") != "cancel",
        )
    except RefundError as error:
        flash(str(error), "error")
    else:
        flash("Đã ghi nhận.", "success")
    return redirect(url_for("payments.order_manage", order_id=found.order_id)), 303


def _paygov_authorised() -> bool:
    key = current_app.config["PAYGOV_API_KEY"]
    if not key:
        abort(404)  # not connected to the platform
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Apikey {key}".encode())


@bp.route("/paygov/bills/<dossier_code>")
@allow(ANYONE)
def paygov_bill(dossier_code: str):
    """The national payment platform looks a bill up by dossier code (bill presentment)."""
    from service.payments.paygov import BILLS, bill_json

    if not _paygov_authorised():
        return jsonify({"code": "97", "message": "Unauthorized"}), 401
    bill = BILLS.lookup(dossier_code)
    if bill is None:
        return jsonify({"code": "01", "message": "Không tìm thấy khoản phải nộp."}), 404
    return jsonify({"code": "00", "bill": bill_json(bill)})


@bp.route("/paygov/payments", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def paygov_payment():
    """The platform tells us a bill was paid: we confirm once and issue the receipt."""
    from service.payments.paygov import BILLS

    if not _paygov_authorised():
        return jsonify({"code": "97", "message": "Unauthorized"}), 401
    body = request.get_json(silent=True)
    amount = body.get("amount") if isinstance(body, dict) else None
    reference, transaction = (body or {}).get("bill_reference"), (body or {}).get("transaction_id")
    if not (
        isinstance(amount, int)
        and isinstance(reference, str)
        and isinstance(transaction, str)
        and transaction
    ):
        return jsonify({"code": "03", "message": "Dữ liệu không đúng định dạng."}), 400
    confirmation = BILLS.confirm(reference, amount, transaction, dict(body or {}))
    return jsonify({"code": confirmation.code, "message": confirmation.message})


def in_reach(school_id: int | None) -> bool:
    """A school's accountant reaches that school's payments; the agency's accountant the agency's;
    administrators everything."""
    if current_user.role == Role.ADMIN:
        return True
    return school_id == current_user.school_id


def within_reach(statement, model):
    if current_user.role == Role.ADMIN:
        return statement
    if current_user.school_id is None:
        return statement.where(model.school_id.is_(None))
    return statement.where(model.school_id == current_user.school_id)


def reachable_order(order_id: int) -> PaymentOrder:
    order = db.session.get(PaymentOrder, order_id)
    if order is None or not in_reach(order.school_id):
        abort(404)
    return order
