"""The accountants' back office: the payments to review (incidents), every order and its history,
refunds asked of a gateway or recorded by hand. A school's accountant reaches that school's payments,
the agency's its own, an administrator everything."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from service.access import allow
from service.accounts.roles import Role
from service.audit import operations as audit
from service.money import format_money, parse_amount
from service.payments import queries, settlement
from service.payments.adapters import ADAPTERS
from service.payments.models import PaymentOrder
from service.payments.views.blueprint import ORDER_STATUS_LABELS, bp, order_view

PAGE_SIZE = 50


@bp.route("/review")
@allow(Role.ACCOUNTANT, Role.ADMIN)
def review_queue():
    """What an accountant must look at: unmatched, under- and over-paid credits, second successes."""
    return render_template("payments/review.html", incidents=queries.incidents(reach()))


@bp.route("/review/<int:incident_id>/resolve", methods=["POST"])
@allow(Role.ACCOUNTANT, Role.ADMIN)
def resolve_incident(incident_id: int):
    note = (request.form.get("note") or "").strip()[:1000]
    if not note:
        flash("Vui lòng ghi cách đã xử lý (hoàn tiền, đối chiếu, ghi nhận thủ công…).", "error")
        return redirect(url_for("payments.review_queue"))
    if queries.incident(incident_id, reach()) is None:
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
    shown = status if status in ORDER_STATUS_LABELS else None
    orders = queries.orders(reach(), query, shown, page, PAGE_SIZE)
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
    from service.payments.refunds import refundable

    order = reachable_order(order_id)
    audit.record_view(order, "payment.order_viewed", details={"order": order.reference})
    return render_template(
        "payments/order_manage.html",
        **order_view(order),
        notifications=queries.notifications_of(order),
        refundable={a.id: refundable(a) for a in order.attempts},
        new_key=secrets.token_urlsafe(24),
        adapters=ADAPTERS,
    )


@bp.route("/officials/attempts/<int:attempt_id>/refund", methods=["POST"])
@allow(Role.ACCOUNTANT, Role.ADMIN)
def refund(attempt_id: int):
    from service.payments.refunds import RefundError, request_refund

    attempt = queries.attempt(attempt_id)
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

    found = queries.refund(refund_id)
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


def reach() -> queries.Reach:
    """A school's accountant reaches that school's payments; the agency's accountant the agency's;
    administrators everything."""
    return queries.EVERYTHING if current_user.role == Role.ADMIN else current_user.school_id


def reachable_order(order_id: int) -> PaymentOrder:
    order = queries.order(order_id, reach())
    if order is None:
        abort(404)
    return order
