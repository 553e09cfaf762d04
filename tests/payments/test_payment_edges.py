"""Hostile and unlucky cases around payments: odd bytes in signatures and bodies, lost answers from a
gateway during a refund, replayed platform notifications, odd amounts on the command line."""

from __future__ import annotations

import re

import pytest

from service.extensions import db
from service.payments import simulators, transport
from service.payments.models import PaymentOrder, PaymentRefund
from tests.factories import create_official, create_payment_order, login
from tests.support.payments import AMOUNT, pay, refund


def refunds_of(order) -> list[PaymentRefund]:
    db.session.expire_all()
    return db.session.scalars(
        db.select(PaymentRefund).where(PaymentRefund.order_id == order.id).order_by(PaymentRefund.id)
    ).all()


def test_non_ascii_signatures_are_refused_not_crashed(client):
    assert (
        client.get(
            "/payments/vnpay/return", query_string={"vnp_TxnRef": "X", "vnp_SecureHash": "é"}
        ).status_code
        == 400
    )
    ipn = client.get("/payments/vnpay/ipn", query_string={"vnp_TxnRef": "X", "vnp_SecureHash": "é"})
    assert ipn.json["RspCode"] == "97"
    assert client.post("/payments/momo/ipn", json={"orderId": "X", "signature": "é"}).status_code == 400
    assert (
        client.get("/payments/momo/return", query_string={"orderId": "X", "signature": "é"}).status_code
        == 400
    )


def test_nul_characters_in_a_json_body_are_refused(app, client):
    headers = {"Authorization": f"Apikey {app.config['BANKFEED_API_KEY']}"}
    assert (
        client.post("/payments/momo/ipn", json={"orderId": "TT\u0000X", "signature": "ab"}).status_code == 400
    )
    assert (
        client.post(
            "/payments/bankfeed/sepay", json={"id": "1\u00002", "transferType": "in"}, headers=headers
        ).status_code
        == 400
    )
    body = {"MaThamChieu": "TT\u0000", "SoTien": 1, "MaGiaoDich": "a"}
    assert client.post("/payments/paygov/confirm", json=body).status_code == 400


def test_a_huge_page_number_is_not_an_error(other_client):
    login(other_client, create_official("accountant"))
    order = create_payment_order(100_000)
    page = other_client.get("/payments/officials/orders?page=99999999999999999999999")
    assert page.status_code == 200 and "<h1>Các khoản thanh toán</h1>" in page.get_data(as_text=True)
    assert order.reference not in page.get_data(as_text=True)  # a page far past the last is empty


def test_a_momo_refund_whose_status_cannot_be_read_stays_pending(app, client, accountant, monkeypatch):
    order = create_payment_order(AMOUNT)
    attempt = pay(client, order, "momo")
    real, state = transport.post_json, {"query_error": False}

    def flaky(url, body, timeout=15):
        if url.endswith("/refund"):
            real(url, body, timeout)  # MoMo refunds...
            raise transport.GatewayUnavailable("timeout")  # ...but its answer is lost
        if url.endswith("/query") and state["query_error"]:
            return {"resultCode": 99, "message": "System busy"}
        return real(url, body, timeout)

    monkeypatch.setattr(transport, "post_json", flaky)
    refund(accountant, attempt, AMOUNT)
    assert refunds_of(order)[0].status == "pending"
    state["query_error"] = True
    app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert refunds_of(order)[0].status == "pending"  # not "failed": that would make it refundable again
    state["query_error"] = False
    app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert refunds_of(order)[0].status == "succeeded"  # MoMo's own record settles it


def test_a_second_vnpay_refund_that_never_arrived_is_not_called_a_success(
    app, client, accountant, monkeypatch
):
    order = create_payment_order(AMOUNT)
    attempt = pay(client, order, "vnpay")
    refund(accountant, attempt, 100_000)
    real = transport.post_json

    def down(url, body, timeout=15):
        if body.get("vnp_Command") == "refund":
            raise transport.GatewayUnavailable("connection refused")
        return real(url, body, timeout)

    monkeypatch.setattr(transport, "post_json", down)
    refund(accountant, attempt, 200_000)
    app.test_cli_runner().invoke(args=["payments", "reconcile"])
    second = refunds_of(order)[1]
    assert second.status == "pending" and simulators.VNPAY_REFUNDS[attempt.reference] == 100_000
    # The accountant checks VNPAY's merchant portal and records what it shows.
    page = accountant.get(f"/payments/officials/orders/{order.id}").get_data(as_text=True)
    assert "đối chiếu trên trang quản trị của cổng" in page
    accountant.submit(f"/payments/officials/refunds/{second.id}/manual", {"outcome": "cancel"})
    assert refunds_of(order)[1].status == "failed"


def test_a_payer_without_an_account_can_follow_a_transfer(client):
    order = create_payment_order(100_000)
    page = client.submit(f"/payments/o/{order.access_token}/pay/vietqr", follow_redirects=True).get_data(
        as_text=True
    )
    link = re.search(r'href="(/payments/o/[^"]+)">Kiểm tra tình trạng', page).group(1)
    followed = client.get(link)
    assert followed.status_code == 200
    assert "<h1>Khoản phải nộp</h1>" in followed.get_data(as_text=True)
    assert order.reference in followed.get_data(as_text=True)


@pytest.mark.parametrize("amount", ["1_000_000", "  ", "١٠٠٠٠", "99999999999999999999999"])
def test_odd_amounts_on_the_command_line_are_refused(app, amount):
    result = app.test_cli_runner().invoke(
        args=["payments", "create-order", "--amount", amount, "--description", "x", "--gateway", "vietqr"]
    )
    assert result.exit_code != 0 and "Số tiền" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(PaymentOrder)) == 0


@pytest.mark.parametrize(
    "extra",
    [["--payer-email", "x" * 300], ["--payer-email", "khong-phai-email"], ["--payer-name", "N" * 201]],
)
def test_bad_payer_details_are_refused_with_a_message(app, extra):
    result = app.test_cli_runner().invoke(
        args=[
            "payments",
            "create-order",
            "--amount",
            "10000",
            "--description",
            "x",
            "--gateway",
            "vietqr",
            *extra,
        ]
    )
    assert result.exit_code != 0 and ("Email" in result.output or "Tên" in result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit)
