"""Orders made by an operator (`flask payments create-order`, `show`, `cancel-order`), paid through
each gateway's simulator, and everything that must not be paid."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
import zxingcpp
from PIL import Image

from service.database import begin_write
from service.extensions import db
from service.payments import settlement
from service.payments.bankfeed import sepay_body
from service.payments.gateways import vietqr, vnpay
from service.payments.models import PaymentAttempt, PaymentIncident, PaymentNotification, PaymentOrder
from service.timeutil import utcnow
from tests.factories import create_official, create_payment_order, last_email, login
from tests.support.payments import manage_page, pay, signed_result


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["payments", *args])


def create(app, gateway: str, amount="750000", description="Lệ phí cấp bản sao văn bằng") -> dict:
    result = cli(
        app,
        "create-order",
        "--amount",
        amount,
        "--description",
        description,
        "--gateway",
        gateway,
        "--payer-email",
        "nguoinop@example.vn",
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def show(app, reference: str) -> dict:
    result = cli(app, "show", reference)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_vnpay_order_from_the_command_line_is_paid_and_shown_paid(app, client):
    created = create(app, "vnpay")
    assert created["amount"] == 750_000 and created["reference"].startswith("TT")
    url = urlsplit(created["payment_url"])
    params = dict(parse_qsl(url.query, keep_blank_values=True))
    assert vnpay.verify(params, app.config["VNPAY_HASH_SECRET"]) and params["vnp_Amount"] == "75000000"
    assert params["vnp_TxnRef"] == created["reference"]
    assert show(app, created["reference"])["status"] == "unpaid"

    page = client.get(url.path, query_string=params).get_data(as_text=True)
    assert "750.000" in page
    client.post("/simulators/vnpay/pay", data={**params, "outcome": "00"})
    shown = show(app, created["reference"])
    assert (shown["status"], shown["paid_amount"]) == ("paid", 750_000)
    assert shown == show(app, created["order_reference"])  # either reference finds it
    assert shown["receipt_number"]
    message = last_email("nguoinop@example.vn")
    assert f"Biên lai điện tử số {shown['receipt_number']}" in message.subject


def test_a_vietqr_order_shows_a_qr_a_real_decoder_reads_and_the_bank_feed_pays_it(app, client):
    created = create(app, "vietqr", "1500000")
    payload = created["qr_payload"]
    top = vietqr.parse(payload)  # the CRC is checked here
    assert top["54"] == "1500000" and vietqr.fields(top["62"])["08"] == created["reference"]
    assert vietqr.fields(vietqr.fields(top["38"])["01"]) == {
        "00": app.config["VIETQR_BANK_BIN"],
        "01": app.config["VIETQR_ACCOUNT_NO"],
    }

    png = client.get(urlsplit(created["qr_url"]).path)
    assert png.status_code == 200 and png.mimetype == "image/png"
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))
    assert decoded.format == zxingcpp.BarcodeFormat.QRCode and decoded.text == payload

    body = sepay_body(created["reference"], 1_500_000, 990001, app.config["VIETQR_ACCOUNT_NO"])
    headers = {"Authorization": f"Apikey {app.config['BANKFEED_API_KEY']}"}
    assert client.post("/payments/bankfeed/sepay", json=body, headers=headers).json == {"success": True}
    assert show(app, created["reference"])["status"] == "paid"


def test_a_transfer_naming_the_order_reference_pays_its_qr(app, client):
    created = create(app, "vietqr", "200000")
    body = sepay_body(created["order_reference"], 200_000, 990002, app.config["VIETQR_ACCOUNT_NO"])
    client.post(
        "/payments/bankfeed/sepay",
        json=body,
        headers={"Authorization": f"Apikey {app.config['BANKFEED_API_KEY']}"},
    )
    assert show(app, created["reference"])["paid_amount"] == 200_000


def test_a_credit_to_another_account_settles_nothing(app, client):
    created = create(app, "vietqr", "200000")
    body = sepay_body(created["reference"], 200_000, 990003, "9999999999")
    client.post(
        "/payments/bankfeed/sepay",
        json=body,
        headers={"Authorization": f"Apikey {app.config['BANKFEED_API_KEY']}"},
    )
    assert show(app, created["reference"])["status"] == "unpaid"
    note = db.session.scalar(
        db.select(PaymentNotification).where(PaymentNotification.external_id == "990003")
    )
    assert note.outcome == "unknown_account"


def test_a_momo_order_gets_a_payment_url(app, client):
    created = create(app, "momo", "120000")
    url = urlsplit(created["payment_url"])
    assert url.path == "/simulators/momo/pay"
    fields = dict(parse_qsl(url.query))
    client.post(url.path, data={**fields, "outcome": "success"})
    assert show(app, created["reference"])["status"] == "paid"


@pytest.mark.parametrize(
    ("gateway", "amount", "message"),
    [
        ("vnpay", "0", "lớn hơn 0"),
        ("vnpay", "-5000", "lớn hơn 0"),
        ("vnpay", "abc", "số nguyên"),
        ("vnpay", "4999", "từ 5.000"),
        ("vnpay", "1000000000", "vượt hạn mức"),
        ("momo", "50000001", "vượt hạn mức"),
        ("vietqr", "500000000", "vượt hạn mức"),
    ],
)
def test_amounts_a_gateway_cannot_take_are_refused_and_nothing_is_created(app, gateway, amount, message):
    result = cli(app, "create-order", "--amount", amount, "--description", "Thử", "--gateway", gateway)
    assert result.exit_code != 0 and message in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(PaymentOrder)) == 0


def test_show_of_an_unknown_reference_says_so(app):
    result = cli(app, "show", "TTKHONGCO2345")
    assert result.exit_code != 0 and "Không tìm thấy" in result.output


def test_a_cancelled_order_cannot_be_paid(app, client):
    order = create_payment_order(300_000)
    result = cli(app, "cancel-order", order.reference, "--reason", "Lập nhầm")
    assert result.exit_code == 0, result.output
    response = client.submit(f"/payments/o/{order.access_token}/pay/vnpay")
    assert response.status_code == 409 and "đã bị hủy" in response.get_data(as_text=True)
    assert "đã bị hủy" in client.get(f"/payments/o/{order.access_token}").get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(PaymentAttempt)) == 0
    assert cli(app, "cancel-order", order.reference, "--reason", "Lại").exit_code != 0


def test_an_expired_order_cannot_be_paid(client):
    order = create_payment_order(300_000, expires_at=utcnow() - timedelta(minutes=1))
    response = client.submit(f"/payments/o/{order.access_token}/pay/momo")
    assert response.status_code == 409 and "hết hạn thanh toán" in response.get_data(as_text=True)


def test_money_taken_for_an_order_cancelled_meanwhile_is_flagged_for_refund(app, client, other_client):
    order = create_payment_order(300_000)
    response = client.submit(f"/payments/o/{order.access_token}/pay/vnpay")
    params = dict(parse_qsl(urlsplit(response.location).query, keep_blank_values=True))
    settlement.cancel_order(order.id, "Hủy khi người nộp đang thanh toán")
    assert client.get("/payments/vnpay/ipn", query_string=signed_result(app, params)).json["RspCode"] == "00"
    db.session.expire_all()
    assert db.session.get(PaymentOrder, order.id).status == "cancelled"
    [incident] = db.session.scalars(db.select(PaymentIncident)).all()
    assert incident.kind == "paid_cancelled"
    login(other_client, create_official("accountant"))
    queue = other_client.get("/payments/review").get_data(as_text=True)
    assert (
        f"<td>Khoản {order.reference} đã bị hủy nhưng giao dịch {params['vnp_TxnRef']} vẫn thành công; "
        "cần hoàn tiền.</td>"
    ) in queue


@pytest.mark.parametrize(("gateway", "outcome"), [("vnpay", "00 Confirm Success"), ("momo", "settled ok")])
def test_the_accountant_sees_the_gateways_notification_on_the_order(client, accountant, gateway, outcome):
    order = create_payment_order(300_000)
    pay(client, order, gateway)
    page = manage_page(accountant, order)
    assert f"<td>{gateway}</td><td>Hợp lệ</td><td>{outcome}</td>" in page


def test_a_success_that_arrives_after_we_expired_the_attempt_still_counts(app, client):
    order = create_payment_order(300_000)
    response = client.submit(f"/payments/o/{order.access_token}/pay/vnpay")
    params = dict(parse_qsl(urlsplit(response.location).query, keep_blank_values=True))
    begin_write()
    attempt = db.session.scalar(
        db.select(PaymentAttempt).where(PaymentAttempt.reference == params["vnp_TxnRef"])
    )
    attempt.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "1 expired" in cli(app, "reconcile").output
    late = signed_result(app, params)
    assert client.get("/payments/vnpay/ipn", query_string=late).json["RspCode"] == "00"
    assert show(app, params["vnp_TxnRef"])["status"] == "paid"
    failure = signed_result(app, params, "24")
    assert client.get("/payments/vnpay/ipn", query_string=failure).json["RspCode"] == "02"  # never un-pays


def test_the_vietqr_code_stays_payable_longer_than_a_card_payment(app, client):
    order = create_payment_order(300_000)
    qr = settlement.start_attempt(order.id, "vietqr")
    card = settlement.start_attempt(order.id, "vnpay")
    assert qr.expires_at - qr.created_at == timedelta(minutes=app.config["VIETQR_ATTEMPT_MINUTES"])
    assert card.expires_at - card.created_at == timedelta(minutes=app.config["PAYMENT_ATTEMPT_MINUTES"])
    assert qr.expires_at > card.expires_at


def test_the_order_link_shows_only_the_gateways_that_take_its_amount(client):
    order = create_payment_order(60_000_000, "Học phí toàn khóa")
    page = client.get(f"/payments/o/{order.access_token}").get_data(as_text=True)
    assert "Thanh toán qua VNPAY" in page and "Chuyển khoản bằng mã VietQR" in page
    assert "ví MoMo" not in page
    refused = client.submit(f"/payments/o/{order.access_token}/pay/momo")
    assert refused.status_code == 409 and "vượt hạn mức" in refused.get_data(as_text=True)
    assert client.get("/payments/o/not-a-token").status_code == 404
    assert client.get("/payments/qr/TTKHONGCO2345.png").status_code == 404


def test_the_receipt_is_downloaded_from_the_order_link(app, client):
    created = create(app, "vnpay", "90000")
    params = dict(parse_qsl(urlsplit(created["payment_url"]).query, keep_blank_values=True))
    client.post("/simulators/vnpay/pay", data={**params, "outcome": "00"})
    link = urlsplit(created["order_url"]).path
    assert "Tải biên lai điện tử" in client.get(link).get_data(as_text=True)
    pdf = client.get(link + "/receipt.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
