"""VietQR transfers settled by the bank-feed webhook; what does not match goes to review."""

from __future__ import annotations

import re

import pytest

from service.extensions import db
from service.payments.bankfeed import sepay_body
from service.payments.models import PaymentIncident
from tests.factories import create_citizen, create_dossier, login
from tests.support.payments import FEE, order_of

AUTH = {"Authorization": "Apikey test-bankfeed-key"}


@pytest.fixture(autouse=True)
def bankfeed_key(app):
    saved = app.config["BANKFEED_API_KEY"]
    app.config["BANKFEED_API_KEY"] = "test-bankfeed-key"
    yield
    app.config["BANKFEED_API_KEY"] = saved


def qr_reference(client, order) -> str:
    page = client.submit(f"/payments/orders/{order.id}/vietqr", follow_redirects=True).get_data(as_text=True)
    assert 'data-testid="vietqr"' in page and "500.000" in page
    return re.search(r'data-testid="transfer-reference">(TT[A-Z2-9]{10})<', page).group(1)


def post(client, body, headers=AUTH):
    return client.post("/payments/bankfeed/sepay", json=body, headers=headers)


@pytest.fixture
def reference(client, paid_procedure):  # noqa: F811
    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    login(client, citizen)
    return dossier, qr_reference(client, order_of(dossier))


def test_a_transfer_with_the_reference_and_amount_pays_the_order(client, reference):
    dossier, ref = reference
    response = post(client, sepay_body(ref, FEE, 1001, "0011001234567"))
    assert response.status_code == 200 and response.json == {"success": True}
    assert order_of(dossier).status == "paid"
    assert post(client, sepay_body(ref, FEE, 1001, "0011001234567")).json == {
        "success": True
    }  # the same id again
    assert db.session.scalar(db.select(db.func.count()).select_from(PaymentIncident)) == 0


def test_the_bank_simulator_goes_end_to_end(client, reference):
    dossier, ref = reference
    order = order_of(dossier)
    back = f"/payments/o/{order.access_token}"
    page = client.post(
        "/simulators/bank/transfer",
        data={"reference": ref, "amount": FEE, "return_to": back},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Đã thanh toán" in page and order_of(dossier).status == "paid"
    elsewhere = client.post(
        "/simulators/bank/transfer", data={"reference": ref, "amount": 1, "return_to": "https://evil.example"}
    )
    assert elsewhere.status_code == 204  # never an open redirect


@pytest.mark.parametrize(("amount", "kind"), [(FEE - 1000, "underpaid"), (FEE + 1000, "overpaid")])
def test_wrong_amounts_go_to_review_and_pay_nothing(client, reference, amount, kind):
    dossier, ref = reference
    post(client, sepay_body(ref, amount, 2002, "0011001234567"))
    [incident] = db.session.scalars(db.select(PaymentIncident)).all()
    assert incident.kind == kind and incident.amount == amount and order_of(dossier).status == "unpaid"


def test_an_unmatched_credit_goes_to_review(client, reference):
    post(client, {**sepay_body("TTZZZZZZZZZZ", FEE, 3003, "0011001234567"), "content": "tien hoc phi"})
    [incident] = db.session.scalars(db.select(PaymentIncident)).all()
    assert incident.kind == "unmatched_credit" and incident.amount == FEE
    assert incident.detail == "Khoản tiền đến không khớp với khoản phải nộp nào."


def test_a_second_transfer_for_a_paid_order_is_flagged(client, reference):
    dossier, ref = reference
    post(client, sepay_body(ref, FEE, 4001, "0011001234567"))
    post(client, sepay_body(ref, FEE, 4002, "0011001234567"))
    [incident] = db.session.scalars(db.select(PaymentIncident)).all()
    assert incident.kind == "overpaid" and order_of(dossier).status == "paid"


def test_the_webhook_needs_the_api_key_and_a_body(client):
    assert (
        post(client, sepay_body("TTX", 1, 1, "1"), headers={"Authorization": "Apikey wrong"}).status_code
        == 401
    )
    assert post(client, sepay_body("TTX", 1, 1, "1"), headers={}).status_code == 401
    assert client.post("/payments/bankfeed/sepay", data="not json", headers=AUTH).status_code == 400


def test_outgoing_transfers_are_ignored(client, reference):
    dossier, ref = reference
    post(client, {**sepay_body(ref, FEE, 5005, "0011001234567"), "transferType": "out"})
    assert order_of(dossier).status == "unpaid"
    assert db.session.scalar(db.select(db.func.count()).select_from(PaymentIncident)) == 0


def test_an_accountant_works_through_the_review_queue(client, other_client, reference):
    from tests.factories import create_official

    dossier, ref = reference
    post(client, sepay_body(ref, FEE - 1000, 6006, "0011001234567"))
    incident = db.session.scalar(db.select(PaymentIncident))
    login(other_client, create_official("accountant"))
    page = other_client.get("/payments/review").get_data(as_text=True)
    assert "Chuyển thiếu" in page and "499.000" in page
    assert "Vui lòng ghi cách đã xử lý" in other_client.submit(
        f"/payments/review/{incident.id}/resolve", {"note": " "}, follow_redirects=True
    ).get_data(as_text=True)
    other_client.submit(
        f"/payments/review/{incident.id}/resolve", {"note": "Đã hoàn 499.000 đ cho người nộp"}
    )
    db.session.refresh(incident)
    assert incident.resolved_at is not None and incident.resolution.startswith("Đã hoàn")
    assert client.get("/payments/review").status_code == 403  # the citizen


def test_a_credit_kept_by_a_process_that_died_before_settling_is_settled_by_the_banks_retry(
    client, reference
):
    import json

    from service.payments import bankfeed

    dossier, ref = reference
    body = sepay_body(ref, FEE, 7007, "0011001234567")
    bankfeed._record_once(body, json.dumps(body))  # kept, then the process died before settling it
    assert order_of(dossier).status != "paid"
    assert post(client, body).json == {"success": True}  # the bank's retry
    assert order_of(dossier).status == "paid"
    post(client, body)  # and a further repeat changes nothing
    assert db.session.scalar(db.select(db.func.count()).select_from(PaymentIncident)) == 0
