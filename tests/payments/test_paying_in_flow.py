"""Paying inside the flow: the confirmation page asks for the fee, the return page waits for the
gateway's notification by reloading itself, and the VietQR page has its own address and one reference."""

from __future__ import annotations

import re

import pytest

from service.extensions import db
from service.payments.models import PaymentAttempt
from tests.factories import create_citizen, create_dossier, login
from tests.support.payments import order_of, signed_result, start_payment
from tests.support.payments import paid_procedure as paid_procedure  # noqa: F401  (the fixture)


@pytest.fixture
def bankfeed(app):
    saved = app.config["BANKFEED_API_KEY"]
    app.config["BANKFEED_API_KEY"] = "test-bankfeed-key"  # VietQR is offered only with a bank feed
    yield
    app.config["BANKFEED_API_KEY"] = saved


def test_the_confirmation_page_shows_the_fee_and_how_to_pay_it(client, paid_procedure, bankfeed):
    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    order = order_of(dossier)
    login(client, citizen)
    page = client.get(f"/dossiers/{dossier.id}/submitted").get_data(as_text=True)
    due = page.split('data-testid="fee-due"')[1].split("</section>")[0]
    assert "500.000" in due and "chỉ được tiếp nhận sau khi" in due
    assert f'action="/payments/orders/{order.id}/vnpay"' in due and "Thanh toán qua VNPAY" in due
    assert f'action="/payments/orders/{order.id}/vietqr"' in due


def test_the_vnpay_return_page_reloads_until_the_notification_settles(app, client, paid_procedure):
    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    login(client, citizen)
    result = signed_result(app, start_payment(client, order_of(dossier)))
    waiting = client.get("/payments/vnpay/return", query_string=result).get_data(as_text=True)
    assert '<meta http-equiv="refresh"' in waiting and "Đang chờ cổng thanh toán xác nhận" in waiting
    assert "Chưa ghi nhận thanh toán" not in waiting
    assert client.get("/payments/vnpay/ipn", query_string=result).json["RspCode"] == "00"
    settled = client.get("/payments/vnpay/return", query_string=result).get_data(as_text=True)
    assert '<meta http-equiv="refresh"' not in settled and "Đã thanh toán" in settled


def test_a_failed_payment_stops_the_reloading(app, client, paid_procedure):
    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    login(client, citizen)
    failure = signed_result(app, start_payment(client, order_of(dossier)), "24")
    client.get("/payments/vnpay/ipn", query_string=failure)
    page = client.get("/payments/vnpay/return", query_string=failure).get_data(as_text=True)
    assert '<meta http-equiv="refresh"' not in page and "thanh toán lại" in page


def test_the_vietqr_page_has_its_own_address_and_keeps_one_reference(client, paid_procedure, bankfeed):
    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    order = order_of(dossier)
    login(client, citizen)
    response = client.submit(f"/payments/orders/{order.id}/vietqr")
    assert response.status_code == 303
    address = response.location
    assert address.endswith(f"/payments/o/{order.access_token}/vietqr")
    page = client.get(address).get_data(as_text=True)
    reference = re.search(r'data-testid="transfer-reference">(TT[A-Z2-9]{10})<', page).group(1)
    reload = client.get(address)  # a reload shows the same transfer
    assert reload.status_code == 200 and f'transfer-reference">{reference}<' in reload.get_data(as_text=True)
    again = client.submit(f"/payments/orders/{order.id}/vietqr")
    assert again.location == address and reference in client.get(address).get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(PaymentAttempt)) == 1

    for copied in (order.amount, reference):
        assert f'data-copy="{copied}"' in page
    account = re.search(r'data-testid="account-number">(\d+)<', page).group(1)
    assert f'data-copy="{account}"' in page
    save = re.search(r'<a[^>]*data-testid="save-qr"[^>]*>', page).group(0)
    assert "download=" in save and f"/payments/qr/{reference}.png" in save
    png = client.get(f"/payments/qr/{reference}.png")
    assert png.status_code == 200 and png.mimetype == "image/png"


def test_a_paid_order_s_vietqr_address_leads_to_the_order(client, app, paid_procedure, bankfeed):
    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    order = order_of(dossier)
    login(client, citizen)
    client.submit(f"/payments/orders/{order.id}/vietqr")
    page = client.get(f"/payments/o/{order.access_token}/vietqr").get_data(as_text=True)
    reference = re.search(r'data-testid="transfer-reference">(TT[A-Z2-9]{10})<', page).group(1)
    client.post("/simulators/bank/transfer", data={"reference": reference, "amount": order.amount})
    after = client.get(f"/payments/o/{order.access_token}/vietqr")
    assert after.status_code == 302 and after.location.endswith(f"/payments/o/{order.access_token}")
