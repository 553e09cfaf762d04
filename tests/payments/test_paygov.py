"""Bill presentment for the national payment platform: a bill looked up by dossier code, a payment
confirmed once, with its receipt; nothing without the key, nothing at all while not connected."""

from __future__ import annotations

from service.documents.models import IssuedDocument
from service.extensions import db
from tests.support.payments import AUTH, FEE, order_of


def pay(client, reference, amount=FEE, transaction="PG0001"):
    body = {"bill_reference": reference, "amount": amount, "transaction_id": transaction}
    return client.post("/payments/paygov/payments", json=body, headers=AUTH)


def test_the_platform_looks_up_a_bill_and_its_payment_is_confirmed_once(connected, client, dossier):
    answer = client.get(f"/payments/paygov/bills/{dossier.code}", headers=AUTH).json
    bill = answer["bill"]
    assert (bill["dossier_code"], bill["amount"], bill["status"]) == (dossier.code, FEE, "unpaid")

    assert pay(client, bill["reference"]).json["code"] == "00"
    assert pay(client, bill["reference"]).json["code"] == "02"  # the same notification again
    assert order_of(dossier).status == "paid"
    receipts = db.session.scalars(db.select(IssuedDocument).where(IssuedDocument.kind == "receipt")).all()
    assert len(receipts) == 1 and "Nền tảng thanh toán" in receipts[0].data["receipt"]["method"]
    assert client.get(f"/payments/paygov/bills/{dossier.code}", headers=AUTH).json["bill"]["status"] == "paid"


def test_a_wrong_amount_or_an_unknown_bill_pays_nothing(connected, client, dossier):
    reference = order_of(dossier).reference
    assert pay(client, reference, FEE - 1, "PG0002").json["code"] == "04"
    assert pay(client, "LPKHONGCO2345", FEE, "PG0003").json["code"] == "01"
    assert client.get("/payments/paygov/bills/H01.48-000000-0000", headers=AUTH).status_code == 404
    bad = client.post(
        "/payments/paygov/payments", json={"bill_reference": reference, "amount": "x"}, headers=AUTH
    )
    assert bad.status_code == 400
    assert order_of(dossier).status == "unpaid"


def test_without_the_key_nothing_is_told_or_paid(connected, client, dossier):
    reference = order_of(dossier).reference
    assert client.get(f"/payments/paygov/bills/{dossier.code}").status_code == 401
    wrong = {"Authorization": "Apikey nope"}
    body = {"bill_reference": reference, "amount": FEE, "transaction_id": "PG0004"}
    assert client.post("/payments/paygov/payments", json=body, headers=wrong).status_code == 401
    assert order_of(dossier).status == "unpaid"


def test_not_connected_the_endpoints_do_not_exist(client, dossier):
    assert client.get(f"/payments/paygov/bills/{dossier.code}", headers=AUTH).status_code == 404


def test_copies_of_one_payment_arriving_together_settle_it_once(app, connected, dossier):
    from service.payments.models import PaymentIncident
    from service.payments.paygov import BILLS
    from tests.support.threads import run_together

    reference = order_of(dossier).reference
    body = {"bill_reference": reference, "amount": FEE, "transaction_id": "PG-SAME"}

    def confirm(_):
        return BILLS.confirm(reference, FEE, "PG-SAME", body).code

    codes = run_together(app, 8, confirm)
    assert sorted(codes) == ["00"] + ["02"] * 7
    assert order_of(dossier).status == "paid"
    assert db.session.scalar(db.select(db.func.count()).select_from(PaymentIncident)) == 0
