"""Paying a procedure fee with the MoMo wallet (v2), through the local MoMo simulator."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from service.extensions import db
from service.payments.gateways import momo
from service.payments.models import PaymentAttempt, PaymentNotification
from tests.factories import create_citizen, create_dossier, login
from tests.support.payments import order_of


def pay_page(client, order):
    response = client.submit(f"/payments/orders/{order.id}/momo")
    assert response.status_code == 302 and urlsplit(response.location).path == "/simulators/momo/pay"
    return response.location


def test_a_citizen_pays_with_momo(client, paid_procedure):  # noqa: F811
    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    login(client, citizen)
    pay_url = pay_page(client, order_of(dossier))
    assert "500.000" in client.get(pay_url).get_data(as_text=True)
    fields = dict(parse_qsl(urlsplit(pay_url).query))
    back = client.post("/simulators/momo/pay", data={**fields, "outcome": "success"})
    assert "/payments/momo/return" in back.location
    assert "Đã thanh toán" in client.get(back.location).get_data(as_text=True)
    assert order_of(dossier).status == "paid"


def test_a_refused_momo_payment_leaves_the_order_unpaid(client, paid_procedure):  # noqa: F811
    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    login(client, citizen)
    fields = dict(parse_qsl(urlsplit(pay_page(client, order_of(dossier))).query))
    client.post("/simulators/momo/pay", data={**fields, "outcome": "cancel"})
    attempt = db.session.scalar(db.select(PaymentAttempt).where(PaymentAttempt.gateway == "momo"))
    assert attempt.status == "cancelled" and order_of(dossier).status == "unpaid"


def test_the_momo_ipn_answers_204_and_refuses_a_bad_signature(app, client, paid_procedure):  # noqa: F811
    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    login(client, citizen)
    fields = dict(parse_qsl(urlsplit(pay_page(client, order_of(dossier))).query))
    body = {
        "partnerCode": app.config["MOMO_PARTNER_CODE"],
        "orderId": fields["orderId"],
        "requestId": fields["requestId"],
        "amount": fields["amount"],
        "orderInfo": fields["orderInfo"],
        "orderType": "momo_wallet",
        "transId": "1",
        "resultCode": 0,
        "message": "ok",
        "payType": "qr",
        "responseTime": 1,
        "extraData": "",
    }
    assert client.post("/payments/momo/ipn", json={**body, "signature": "bad"}).status_code == 400
    body["signature"] = momo.sign(
        {**body, "accessKey": app.config["MOMO_ACCESS_KEY"]}, momo.IPN_FIELDS, app.config["MOMO_SECRET_KEY"]
    )
    assert client.post("/payments/momo/ipn", json=body).status_code == 204
    assert client.post("/payments/momo/ipn", json=body).status_code == 204  # a replay changes nothing
    assert order_of(dossier).status == "paid"
    outcomes = [
        n.outcome
        for n in db.session.scalars(
            db.select(PaymentNotification)
            .where(PaymentNotification.gateway == "momo")
            .order_by(PaymentNotification.id)
        )
    ]
    assert outcomes == ["invalid signature", "settled ok", "already confirmed"]
