"""The payments blueprint and what its pages share: the gateways offered, an order's page data, where a
payer goes back to, and the labels every payments template reads."""

from __future__ import annotations

from flask import Blueprint, abort, url_for

from service.payments import queries, receipts, registry, settlement
from service.payments.adapters import ADAPTERS, Adapter, offered
from service.payments.models import IncidentKind, OrderStatus, PaymentOrder
from workflows.payment_attempt import ATTEMPT_LABELS
from workflows.refund import REFUND_LABELS

bp = Blueprint("payments", __name__, url_prefix="/payments")


GATEWAY_BUTTONS = {
    "vnpay": "Thanh toán qua VNPAY",
    "vietqr": "Chuyển khoản bằng mã VietQR",
    "momo": "Thanh toán bằng ví MoMo",
    "paygov": "Thanh toán qua Nền tảng thanh toán của Cổng Dịch vụ công quốc gia",
}


INCIDENT_LABELS = IncidentKind.labels()


ORDER_STATUS_LABELS = OrderStatus.labels()


def require_gateway(name: str) -> Adapter:
    """A gateway not configured here does not exist for the outside world: its routes answer 404."""
    adapter = ADAPTERS.get(name)
    if adapter is None or not adapter.enabled():
        abort(404)
    return adapter


def order_back_link(order: PaymentOrder) -> tuple[str, str]:
    """Where the payer goes back to from a gateway's return: what the order pays for (the dossier, the
    school's bill: registered by those features), else the order's own page."""
    return registry.back_link(order) or (
        url_for("payments.order_page", token=order.access_token),
        "Xem khoản phải nộp",
    )


def order_by_token(token: str) -> PaymentOrder:
    order = queries.order_by_token(token)
    if order is None:
        abort(404)
    return order


def order_view(order: PaymentOrder) -> dict:
    from service.payments.refunds import refunded_total

    return {
        "order": order,
        "problem": settlement.payable_problem(order),
        "gateways": offered(order.amount, order.school_id),
        "receipt": receipts.receipt_of(order.id),
        "receipt_note": receipts.waiting_note(order) if order.status == "paid" else "",
        "refunded": refunded_total(order.id),
        "refunds": queries.refunds_of(order.id),
        "platform_receipt": _paid_by(order) == "paygov",
    }


def _paid_by(order: PaymentOrder) -> str | None:
    attempt = queries.attempt(order.paid_attempt_id) if order.paid_attempt_id else None
    return attempt.gateway if attempt else None


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
