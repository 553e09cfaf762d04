"""The national payment platform (PayGov) end to end through its simulator: we start the payment
(INIT), the payer pays on the platform's page, its confirmation settles the dossier's fee once and
the receipt is issued; a repeated confirmation settles nothing twice, a wrong check code is refused
with 99, and reconciliation's QUERY resolves an attempt the confirmation never reached."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from service.documents.models import IssuedDocument
from service.extensions import db
from service.payments import paygov_callback, paygov_simulator
from service.payments.models import PaymentAttempt, PaymentIncident, PaymentNotification
from service.payments.reconcile import reconcile
from tests.factories import create_citizen, create_dossier, login
from tests.support.payments import FEE, order_of
from tests.support.payments import paid_procedure as paid_procedure  # noqa: F401  (the fixture)


@pytest.fixture
def citizen_dossier(client, paid_procedure):  # noqa: F811
    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    login(client, citizen)
    return dossier


def go_to_platform(client, dossier) -> tuple[str, PaymentAttempt]:
    """The payer presses the platform's button on the dossier's page: INIT, then the platform's page."""
    order = order_of(dossier)
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert f'action="/payments/orders/{order.id}/paygov"' in page
    assert "Thanh toán qua Nền tảng thanh toán của Cổng Dịch vụ công quốc gia" in page
    response = client.submit(f"/payments/orders/{order.id}/paygov")
    assert response.status_code == 302
    url = urlsplit(response.location)
    assert url.path == "/simulators/paygov/pay"
    reference = dict(parse_qsl(url.query))["ref"]
    attempt = db.session.scalar(db.select(PaymentAttempt).where(PaymentAttempt.reference == reference))
    return reference, attempt


def pay_on_platform(client, reference: str, outcome: str):
    """What the payer picks on the platform's page; the browser comes back to our return page."""
    page = client.get("/simulators/paygov/pay", query_string={"ref": reference}).get_data(as_text=True)
    assert reference in page
    back = client.post("/simulators/paygov/pay", data={"ref": reference, "outcome": outcome})
    db.session.expire_all()
    return back


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def receipts() -> list[IssuedDocument]:
    return db.session.scalars(db.select(IssuedDocument).where(IssuedDocument.kind == "receipt")).all()


def test_a_dossier_fee_paid_through_the_platform_is_settled_and_receipted(client, citizen_dossier):
    reference, attempt = go_to_platform(client, citizen_dossier)
    known = paygov_simulator.LEDGER[reference]
    receipt_data = known["ThongTinBienLai"]
    assert (receipt_data["MaHoSo"], receipt_data["MaTTHC"]) == (
        citizen_dossier.code,
        citizen_dossier.procedure_version.code,
    )
    assert receipt_data["HoTenNguoiNop"] and receipt_data["TenTTHC"] == citizen_dossier.procedure_version.name

    back = pay_on_platform(client, reference, "success")
    assert back.location.endswith(f"/payments/paygov/return?MaThamChieu={reference}")
    assert known["answers"][0]["MaLoi"] == "00"
    order = order_of(citizen_dossier)
    assert order.status == "paid"
    assert db.session.get(PaymentAttempt, order.paid_attempt_id).gateway == "paygov"
    assert len(receipts()) == 1 and "Nền tảng thanh toán" in receipts()[0].data["receipt"]["method"]
    returned = client.get(back.location).get_data(as_text=True)
    assert "Đã thanh toán" in returned and '<meta http-equiv="refresh"' not in returned

    page = client.get(f"/payments/o/{order.access_token}").get_data(as_text=True)
    assert 'data-testid="platform-receipt"' in page
    pdf = client.get(f"/payments/o/{order.access_token}/paygov-receipt.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")


def test_a_duplicate_confirmation_is_answered_00_and_settles_nothing_twice(client, citizen_dossier):
    reference, _ = go_to_platform(client, citizen_dossier)
    pay_on_platform(client, reference, "duplicate")
    answers = paygov_simulator.LEDGER[reference]["answers"]
    assert [a["MaLoi"] for a in answers] == ["00", "00"]
    assert order_of(citizen_dossier).status == "paid"
    assert count(PaymentNotification) == 1 and count(PaymentIncident) == 0
    assert len(receipts()) == 1


def test_a_confirmation_with_a_bad_check_code_is_refused_then_query_finds_the_payment(
    client, citizen_dossier
):
    reference, attempt = go_to_platform(client, citizen_dossier)
    pay_on_platform(client, reference, "bad_hash")
    answer = paygov_simulator.LEDGER[reference]["answers"][0]
    assert (answer["MaLoi"], answer["MoTaLoi"]) == ("99", "Sai mã xác thực (MaXacThuc).")
    assert order_of(citizen_dossier).status == "unpaid" and receipts() == []

    report = reconcile()
    assert report.settled == [reference]
    assert order_of(citizen_dossier).status == "paid" and len(receipts()) == 1
    transaction = paygov_simulator.LEDGER[reference]["MaGiaoDich"]
    assert db.session.get(PaymentAttempt, attempt.id).gateway_transaction == transaction


def test_query_resolves_a_lost_confirmation_and_leaves_a_waiting_payer_pending(client, citizen_dossier):
    reference, _ = go_to_platform(client, citizen_dossier)
    pay_on_platform(client, reference, "pending")  # the payer left the platform's page
    report = reconcile()
    assert report.unknown == [reference] and order_of(citizen_dossier).status == "unpaid"

    pay_on_platform(client, reference, "lost")  # paid, but the confirmation never came
    assert paygov_simulator.LEDGER[reference]["answers"] == []
    assert reconcile().settled == [reference]
    assert order_of(citizen_dossier).status == "paid" and len(receipts()) == 1
    # The confirmation arriving at last settles nothing more.
    late = paygov_simulator.confirmation_for(
        reference, True, paygov_simulator.LEDGER[reference]["MaGiaoDich"]
    )
    assert client.post("/payments/paygov/confirm", json=late).json["MaLoi"] == "00"
    assert len(receipts()) == 1 and count(PaymentIncident) == 0


def test_a_failed_payment_ends_the_attempt_and_the_fee_stays_due(client, citizen_dossier):
    reference, attempt = go_to_platform(client, citizen_dossier)
    pay_on_platform(client, reference, "failure")
    assert paygov_simulator.LEDGER[reference]["answers"][0]["MaLoi"] == "00"  # received, not paid
    assert db.session.get(PaymentAttempt, attempt.id).status == "failed"
    assert order_of(citizen_dossier).status == "unpaid"


def test_copies_of_one_confirmation_arriving_together_settle_it_once(app, client, citizen_dossier):
    from tests.support.threads import run_together

    reference, _ = go_to_platform(client, citizen_dossier)
    with app.test_request_context():
        body = paygov_simulator.confirmation_for(reference, True, "PG-SAME")

    def confirm(_):
        with app.test_request_context():
            return paygov_callback.confirm(dict(body))["MaLoi"]

    assert run_together(app, 6, confirm) == ["00"] * 6
    db.session.expire_all()
    assert order_of(citizen_dossier).status == "paid"
    assert count(PaymentNotification) == 1 and count(PaymentIncident) == 0


def test_not_configured_the_platform_is_neither_offered_nor_listening(
    app, client, monkeypatch, citizen_dossier
):
    monkeypatch.setitem(app.config, "PAYGOV_SECRET", "")
    order = order_of(citizen_dossier)
    assert "/paygov" not in client.get(f"/payments/o/{order.access_token}").get_data(as_text=True)
    assert client.submit(f"/payments/orders/{order.id}/paygov").status_code == 404
    assert client.post("/payments/paygov/confirm", json={"MaThamChieu": "X"}).status_code == 404
    assert order.amount == FEE


def test_an_unknown_check_code_algorithm_turns_the_platform_off_and_production_refuses_it(app):
    from service.payments.adapters import ADAPTERS
    from service.safety import problems

    config = {**app.config, "PAYGOV_CHECK_ALGORITHM": "md5"}
    assert ADAPTERS["paygov"].missing(config) == ["PAYGOV_CHECK_ALGORITHM"]
    assert any(p.setting == "PAYGOV" and "PAYGOV_CHECK_ALGORITHM" in p.reason for p in problems(config))
