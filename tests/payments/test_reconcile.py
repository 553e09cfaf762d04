"""`flask payments reconcile`: a payment whose IPN never came is found by querydr; stale attempts expire."""

from __future__ import annotations

from datetime import timedelta

from service.database import begin_write
from service.extensions import db
from service.payments.models import PaymentAttempt
from service.timeutil import utcnow
from tests.factories import create_citizen, create_dossier, login
from tests.support.payments import order_of, start_payment


def test_a_lost_ipn_is_recovered_by_querydr(app, client, paid_procedure):  # noqa: F811
    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    login(client, citizen)
    params = start_payment(client, order_of(dossier))
    client.post("/simulators/vnpay/pay", data={**params, "outcome": "00", "ipn": "lost"})
    assert order_of(dossier).status == "unpaid"  # the IPN never arrived

    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "1 settled" in result.output
    assert order_of(dossier).status == "paid"
    again = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert "0 settled" in again.output  # settled once


def test_attempts_past_their_expiry_expire(app, client, paid_procedure):  # noqa: F811
    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    login(client, citizen)
    params = start_payment(client, order_of(dossier))  # the payer never completes it
    begin_write()
    attempt = db.session.scalar(
        db.select(PaymentAttempt).where(PaymentAttempt.reference == params["vnp_TxnRef"])
    )
    attempt.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert "1 expired" in result.output
    db.session.refresh(attempt)
    assert attempt.status == "expired" and order_of(dossier).status == "unpaid"


def test_querydr_refuses_a_bad_checksum(client):
    answer = client.post(
        "/simulators/vnpay/merchant_webapi/api/transaction",
        json={"vnp_Command": "querydr", "vnp_SecureHash": "x"},
    )
    assert answer.json["vnp_ResponseCode"] == "97"
