"""Refunds, full or partial, by an accountant with a reason, through each gateway's refund API (its
local simulator), never more than was paid, once per request, tracked to their final state."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from service.extensions import db
from service.payments import simulators
from service.payments.models import PaymentAttempt, PaymentRefund
from tests.factories import create_citizen, create_official, create_payment_order, last_email, login, refused
from tests.support.payments import AMOUNT, manage_page, pay, refund


def refunds_of(order) -> list[PaymentRefund]:
    db.session.expire_all()
    return db.session.scalars(
        db.select(PaymentRefund).where(PaymentRefund.order_id == order.id).order_by(PaymentRefund.id)
    ).all()  # in the order they were asked: without ORDER BY PostgreSQL returns an updated row last


def test_a_vnpay_payment_is_refunded_in_parts_never_beyond_what_was_paid(client, accountant):
    order = create_payment_order(AMOUNT)
    attempt = pay(client, order, "vnpay")

    refund(accountant, attempt, "200.000", "Miễn giảm 40% học phí")
    [first] = refunds_of(order)
    assert (first.status, first.amount, first.result_code) == ("succeeded", 200_000, "06")
    page = manage_page(accountant, order)
    assert "Có thể hoàn tối đa 300.000" in page and "Đã hoàn tiền" in page
    assert "200.000" in last_email(order.payer_email).body_text

    too_much = refund(accountant, attempt, 300_001)
    assert "Không thể hoàn nhiều hơn số tiền còn có thể hoàn (300.000" in accountant.get(
        too_much.location
    ).get_data(as_text=True)
    refund(accountant, attempt, 300_000, "Rút hồ sơ")
    assert [r.status for r in refunds_of(order)] == ["succeeded", "succeeded"]
    assert "Đã hoàn hết" in manage_page(accountant, order)
    assert simulators.VNPAY_REFUNDS[attempt.reference] == AMOUNT  # the gateway agrees
    public = client.get(f"/payments/o/{order.access_token}").get_data(as_text=True)
    assert "Đã hoàn lại" in public and "500.000" in public


def test_a_refund_form_that_saw_an_older_balance_is_refused(client, accountant):
    order = create_payment_order(AMOUNT)
    attempt = pay(client, order, "vnpay")
    refund(accountant, attempt, 100_000)
    stale = refund(accountant, attempt, 100_000, key="another-form", refundable=AMOUNT)
    message = accountant.get(stale.location).get_data(as_text=True)
    assert "Số tiền còn có thể hoàn vừa thay đổi (nay còn 400.000" in message
    assert len(refunds_of(order)) == 1


def test_the_same_refund_request_twice_makes_one_refund(client, accountant):
    order = create_payment_order(AMOUNT)
    attempt = pay(client, order, "vnpay")
    refund(accountant, attempt, 100_000, key="form-1", refundable=AMOUNT)
    refund(accountant, attempt, 100_000, key="form-1", refundable=AMOUNT)  # a double click
    assert len(refunds_of(order)) == 1
    other = refund(accountant, attempt, 150_000, key="form-1", refundable=400_000)
    assert "đã được gửi với nội dung khác" in accountant.get(other.location).get_data(as_text=True)
    assert len(refunds_of(order)) == 1


def test_a_momo_payment_is_refunded_through_momos_refund_api(client, accountant):
    order = create_payment_order(AMOUNT)
    attempt = pay(client, order, "momo")
    refund(accountant, attempt, AMOUNT, "Thu trùng")
    [done] = refunds_of(order)
    assert done.status == "succeeded" and done.gateway_transaction
    ledger = simulators.MOMO_LEDGER[attempt.reference]
    assert [r["amount"] for r in ledger["refundTrans"]] == [AMOUNT]


def test_a_vietqr_refund_waits_for_the_accountants_bank_transfer(client, accountant):
    order = create_payment_order(AMOUNT)
    attempt = pay(client, order, "vietqr")
    refund(accountant, attempt, AMOUNT, "Chuyển khoản nhầm")
    [waiting] = refunds_of(order)
    assert waiting.status == "pending"
    path = f"/payments/officials/refunds/{waiting.id}/manual"
    missing = accountant.submit(path, {"outcome": "done", "bank_reference": ""})
    assert "số tham chiếu" in accountant.get(missing.location).get_data(as_text=True)
    accountant.submit(path, {"outcome": "done", "bank_reference": "FT26332123456"})
    [done] = refunds_of(order)
    assert (done.status, done.gateway_transaction) == ("succeeded", "FT26332123456")


def test_a_refund_vnpay_is_still_processing_is_concluded_by_reconciliation(
    app, client, accountant, monkeypatch
):
    monkeypatch.setattr(simulators, "VNPAY_REFUND_PROCESSING", True)
    order = create_payment_order(AMOUNT)
    attempt = pay(client, order, "vnpay")
    refund(accountant, attempt, 50_000)
    [processing] = refunds_of(order)
    assert processing.status == "pending"
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert "1 refunds concluded" in result.output, result.output
    [done] = refunds_of(order)
    assert done.status == "succeeded" and done.finished_at is not None


def test_vnpay_refuses_a_refund_beyond_its_own_ledger(client, accountant):
    """The gateway's own check (answer 93) also stops an over-refund, whatever our side thought."""
    order = create_payment_order(AMOUNT)
    attempt = pay(client, order, "vnpay")
    simulators.VNPAY_REFUNDS[attempt.reference] = AMOUNT - 1_000  # refunded elsewhere (the merchant portal)
    response = refund(accountant, attempt, 2_000)
    assert "Số tiền hoàn không hợp lệ" in accountant.get(response.location).get_data(as_text=True)
    [failed] = refunds_of(order)
    assert (failed.status, failed.result_code) == ("failed", "93")
    assert "Có thể hoàn tối đa 500.000" in manage_page(accountant, order)  # a failed refund frees the amount


def test_a_refund_vnpay_cannot_find_is_refused_with_vnpays_reason(client, accountant, monkeypatch):
    order = create_payment_order(AMOUNT)
    attempt = pay(client, order, "vnpay")
    monkeypatch.delitem(simulators.VNPAY_LEDGER, attempt.reference)  # VNPAY no longer knows it (answer 91)
    response = refund(accountant, attempt, 100_000)
    assert "Không tìm thấy giao dịch cần hoàn tiền" in accountant.get(response.location).get_data(
        as_text=True
    )
    [failed] = refunds_of(order)  # the order's page lists the refund with VNPAY's words, exactly
    assert (failed.status, failed.result_code, failed.message) == (
        "failed",
        "91",
        "Không tìm thấy giao dịch cần hoàn tiền",
    )


def test_a_second_refund_while_vnpay_still_processes_the_first_is_refused_with_vnpays_reason(
    client, accountant, monkeypatch
):
    monkeypatch.setattr(simulators, "VNPAY_REFUND_PROCESSING", True)
    order = create_payment_order(AMOUNT)
    attempt = pay(client, order, "vnpay")
    refund(accountant, attempt, 50_000)  # VNPAY answers "processing" (05)
    response = refund(accountant, attempt, 60_000)
    assert "Giao dịch đang có một yêu cầu hoàn tiền chưa xử lý xong" in accountant.get(
        response.location
    ).get_data(as_text=True)
    first, second = refunds_of(order)
    assert (first.status, first.result_code) == ("pending", "05")
    assert (second.status, second.result_code, second.message) == (
        "failed",
        "94",
        "Giao dịch đang có một yêu cầu hoàn tiền chưa xử lý xong",
    )


def test_only_succeeded_payments_can_be_refunded(client, accountant):
    order = create_payment_order(AMOUNT)
    response = client.submit(f"/payments/o/{order.access_token}/pay/vnpay")
    params = dict(parse_qsl(urlsplit(response.location).query, keep_blank_values=True))
    client.post("/simulators/vnpay/pay", data={**params, "outcome": "24"})
    attempt = db.session.scalar(
        db.select(PaymentAttempt).where(PaymentAttempt.reference == params["vnp_TxnRef"])
    )
    answer = refund(accountant, attempt, 1_000, key="k1", refundable=0)
    assert "Chỉ hoàn tiền cho giao dịch đã thanh toán thành công" in accountant.get(answer.location).get_data(
        as_text=True
    )
    assert refunds_of(order) == []


@pytest.mark.parametrize("role", ["citizen", "specialist", "leader", "reception"])
def test_only_accountants_and_administrators_see_orders_and_refund(client, role):
    order = create_payment_order(AMOUNT)
    attempt = pay(client, order, "vnpay")
    user = create_citizen() if role == "citizen" else create_official(role)
    login(client, user)
    assert order.reference not in refused(client.get("/payments/officials/orders"), 403)
    assert order.reference not in refused(client.get(f"/payments/officials/orders/{order.id}"), 403)
    response = client.submit(
        f"/payments/officials/attempts/{attempt.id}/refund",
        {"amount": "1000", "reason": "x", "idempotency_key": "k", "refundable": str(AMOUNT)},
    )
    assert response.status_code == 403 and refunds_of(order) == []


def test_the_accountant_finds_an_order_by_a_transaction_reference(client, accountant):
    order = create_payment_order(AMOUNT, "Lệ phí cấp bản sao")
    attempt = pay(client, order, "momo")
    page = accountant.get("/payments/officials/orders", query_string={"q": attempt.reference}).get_data(
        as_text=True
    )
    assert order.reference in page
    other = accountant.get("/payments/officials/orders", query_string={"q": "KHONGCO"}).get_data(as_text=True)
    assert order.reference not in other


def test_a_completed_refund_is_told_to_subscribers_once(client, accountant):
    from service.payments import events

    heard = []
    order = create_payment_order(AMOUNT)
    attempt = pay(client, order, "vnpay")
    with events.order_refunded.connected_to(
        lambda sender, refund, **_: heard.append((sender.id, refund.amount))
    ):
        refund(accountant, attempt, 100_000, key="form-1", refundable=AMOUNT)
        refund(accountant, attempt, 100_000, key="form-1", refundable=AMOUNT)  # a double click
    assert heard == [(order.id, 100_000)]
