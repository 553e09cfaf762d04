"""Procedure fees paid online through VNPAY (and its local simulator), settled exactly once."""

from __future__ import annotations

import pytest

from service.documents.models import DocumentJob
from service.dossiers import processing
from service.dossiers.models import Dossier
from service.extensions import db
from service.payments import settlement
from service.payments.gateways import vnpay
from service.payments.models import PaymentAttempt, PaymentIncident, PaymentNotification, PaymentOrder
from tests.factories import create_citizen, create_dossier, create_official, login, refused, row_counts
from tests.support.payments import FEE, order_of, signed_result, start_payment
from tests.support.threads import run_together


def test_a_citizen_pays_the_fee_through_vnpay_and_the_desk_can_then_receive(app, client, paid_procedure):
    citizen, desk = create_citizen(), create_official("reception")
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    order = order_of(dossier)
    assert order.amount == FEE and order.status == "unpaid"
    with pytest.raises(processing.DossierError, match="chưa thanh toán phí"):
        processing.act(dossier.id, desk, "receive", {}, None)

    login(client, citizen)
    assert "Thanh toán qua VNPAY" in client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    params = start_payment(client, order)
    assert params["vnp_Amount"] == str(FEE * 100) and vnpay.verify(params, app.config["VNPAY_HASH_SECRET"])
    page = client.get("/simulators/vnpay/paymentv2/vpcpay.html", query_string=params).get_data(as_text=True)
    assert "500.000" in page
    back = client.post("/simulators/vnpay/pay", data={**params, "outcome": "00"})
    assert back.status_code == 302 and "/payments/vnpay/return" in back.location
    result_page = client.get(back.location).get_data(as_text=True)
    assert "Đã thanh toán" in result_page

    db.session.refresh(order)
    assert order.status == "paid" and order.paid_attempt_id is not None
    processing.act(dossier.id, desk, "receive", {}, None)
    assert db.session.get(Dossier, dossier.id).status == "received"


def test_the_ipn_checks_in_vnpays_documented_order(app, client, paid_procedure):
    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    login(client, citizen)
    params = start_payment(client, order_of(dossier))
    good = signed_result(app, params)

    def ipn(values):
        return client.get("/payments/vnpay/ipn", query_string=values).json["RspCode"]

    assert ipn({**good, "vnp_SecureHash": "0" * 128}) == "97"
    assert ipn(signed_result(app, params, vnp_TxnRef="TTNOSUCHREF00")) == "01"
    assert ipn(signed_result(app, params, vnp_Amount="100")) == "04"
    assert ipn(good) == "00"
    assert ipn(good) == "02"  # a replay settles nothing more
    assert ipn(signed_result(app, params, "51")) == "02"  # a failure after the success never un-pays
    assert order_of(dossier).status == "paid"
    notes = db.session.scalars(db.select(PaymentNotification).order_by(PaymentNotification.id)).all()
    assert [n.outcome.split()[0] for n in notes] == ["97", "01", "04", "00", "02", "02"]
    assert notes[0].verified is False and notes[3].payload["vnp_TxnRef"] == params["vnp_TxnRef"]


def receipt_jobs() -> list[DocumentJob]:
    db.session.expire_all()
    return db.session.scalars(db.select(DocumentJob).where(DocumentJob.kind == "receipt")).all()


def test_an_ipn_whose_settlement_fails_answers_99_keeps_nothing_and_the_retry_settles(
    app, client, paid_procedure, monkeypatch
):
    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    login(client, citizen)
    good = signed_result(app, start_payment(client, order_of(dossier)))
    settle = settlement.settle

    def settle_then_fail(*args):
        settle(*args)
        raise RuntimeError("connection lost")

    monkeypatch.setattr(settlement, "settle", settle_then_fail)
    assert client.get("/payments/vnpay/ipn", query_string=good).json["RspCode"] == "99"
    assert order_of(dossier).status == "unpaid" and receipt_jobs() == []
    monkeypatch.undo()
    assert client.get("/payments/vnpay/ipn", query_string=good).json["RspCode"] == "00"  # VNPAY retries on 99
    assert order_of(dossier).status == "paid" and len(receipt_jobs()) == 1
    notes = db.session.scalars(db.select(PaymentNotification).order_by(PaymentNotification.id)).all()
    assert [n.outcome for n in notes] == [None, "00 Confirm Success"]  # the failed one is kept as received


def test_a_settled_ipn_answers_00_even_when_the_receipt_then_fails(app, client, paid_procedure, monkeypatch):
    from service.documents import issuing

    def refuse(*_args):
        raise RuntimeError("storage full")

    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    login(client, citizen)
    good = signed_result(app, start_payment(client, order_of(dossier)))
    monkeypatch.setattr(issuing, "draw", refuse)
    assert client.get("/payments/vnpay/ipn", query_string=good).json["RspCode"] == "00"
    assert order_of(dossier).status == "paid"
    [job] = receipt_jobs()
    assert job.status == "failed" and "storage full" in job.error  # retried later by the job engine


def test_a_cancelled_payment_can_be_tried_again(app, client, paid_procedure):
    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    login(client, citizen)
    first = start_payment(client, order_of(dossier))
    client.post("/simulators/vnpay/pay", data={**first, "outcome": "24"})
    attempt = db.session.scalar(
        db.select(PaymentAttempt).where(PaymentAttempt.reference == first["vnp_TxnRef"])
    )
    assert attempt.status == "cancelled" and order_of(dossier).status == "unpaid"
    second = start_payment(client, order_of(dossier))
    assert second["vnp_TxnRef"] != first["vnp_TxnRef"]
    client.post("/simulators/vnpay/pay", data={**second, "outcome": "00"})
    assert order_of(dossier).status == "paid"


def test_a_second_success_is_counted_once_and_flagged(app, client, paid_procedure):
    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    login(client, citizen)
    first, second = start_payment(client, order_of(dossier)), start_payment(client, order_of(dossier))
    client.get("/payments/vnpay/ipn", query_string=signed_result(app, first))
    client.get("/payments/vnpay/ipn", query_string=signed_result(app, second))
    order = order_of(dossier)
    assert order.status == "paid"
    paid_attempt = db.session.get(PaymentAttempt, order.paid_attempt_id)
    assert paid_attempt.reference == first["vnp_TxnRef"]
    [incident] = db.session.scalars(db.select(PaymentIncident)).all()
    assert incident.kind == "second_success" and second["vnp_TxnRef"] in incident.detail


def test_twenty_concurrent_duplicate_notifications_settle_once(app, client, paid_procedure):
    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    login(client, citizen)
    result = signed_result(app, start_payment(client, order_of(dossier)))

    def notify(_):
        with app.test_request_context():
            return settlement.settle_vnpay(dict(result))[0]

    codes = run_together(app, 20, notify)  # on both databases (CI runs the suite on PostgreSQL too)
    assert sorted(codes) == ["00"] + ["02"] * 19
    assert db.session.get(PaymentOrder, order_of(dossier).id).status == "paid"
    assert db.session.scalar(db.select(db.func.count()).select_from(DocumentJob)) == 1  # one receipt
    assert db.session.scalar(db.select(db.func.count()).select_from(PaymentIncident)) == 0


def test_a_gateways_notification_is_settled_and_kept_in_one_commit(app, paid_procedure, monkeypatch):
    """One transaction per IPN: the settlement, its receipt job and the notification with its outcome."""
    from sqlalchemy import event

    from service.jobs import outbox

    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    payer = app.test_client()
    login(payer, citizen)
    result = signed_result(app, start_payment(payer, order_of(dossier)))
    monkeypatch.setattr(outbox, "_scheduler", None)  # the receipt is drawn later (its own commits)
    commits = []

    def count(*_):
        commits.append(1)

    event.listen(db.engine, "commit", count)
    try:
        answer = app.test_client().get("/payments/vnpay/ipn", query_string=result).json  # no cookie
    finally:
        event.remove(db.engine, "commit", count)
    assert answer["RspCode"] == "00" and len(commits) == 1
    assert order_of(dossier).status == "paid" and len(receipt_jobs()) == 1
    [note] = db.session.scalars(db.select(PaymentNotification)).all()
    assert note.outcome == "00 Confirm Success" and note.verified


def test_nobody_pays_someone_elses_order(client, paid_procedure):
    dossier = create_dossier(create_citizen(), paid_procedure, submitted=True)
    login(client, create_citizen())
    refused(client.submit(f"/payments/orders/{order_of(dossier).id}/vnpay"), 404)
    assert row_counts(PaymentAttempt) == (0,)


def test_a_tampered_return_page_is_refused(client):
    response = client.get("/payments/vnpay/return", query_string={"vnp_TxnRef": "X", "vnp_SecureHash": "bad"})
    assert response.status_code == 400 and "không hợp lệ" in response.get_data(as_text=True)


def test_free_procedures_need_no_payment():
    dossier = create_dossier(create_citizen(), submitted=True)
    assert order_of(dossier) is None
    processing.act(dossier.id, create_official("reception"), "receive", {}, None)


def test_a_paid_fee_gets_an_electronic_receipt(app, client, paid_procedure):
    from service.documents import issuing
    from service.documents.models import IssuedDocument
    from tests.support.documents import text_of

    citizen = create_citizen(full_name="Võ Thị Biên Lai")
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    login(client, citizen)
    params = start_payment(client, order_of(dossier))
    client.post("/simulators/vnpay/pay", data={**params, "outcome": "00"})
    [receipt] = db.session.scalars(db.select(IssuedDocument).where(IssuedDocument.kind == "receipt")).all()
    assert receipt.number == "0000001" and receipt.data["receipt"]["series"].endswith("TAA")
    text = text_of(issuing.pdf_bytes(receipt))
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ" in text and "Võ Thị Biên Lai" in text and "Năm trăm nghìn đồng" in text
    assert f"/dossiers/{dossier.id}/documents/{receipt.id}" in client.get(f"/dossiers/{dossier.id}").get_data(
        as_text=True
    )


def test_withdrawing_the_dossier_cancels_its_unpaid_fee(client, paid_procedure):
    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    login(client, citizen)
    client.submit(f"/dossiers/{dossier.id}/withdraw", {"reason": "Nộp nhầm"})
    order = order_of(dossier)
    assert order.status == "cancelled" and order.cancel_reason
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "Đã hủy" in page and "Thanh toán qua VNPAY" not in page
    refused = client.submit(f"/payments/orders/{order.id}/vnpay")
    assert refused.status_code == 409 and "đã bị hủy" in refused.get_data(as_text=True)


def test_a_refunded_fee_reads_refunded_and_the_desk_can_no_longer_receive(
    app, client, accountant, paid_procedure
):
    from tests.support.payments import pay, refund

    citizen, desk = create_citizen(), create_official("reception")
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    attempt = pay(client, order_of(dossier), "vnpay")
    refund(accountant, attempt, FEE - 100_000, reason="Nộp nhầm thủ tục")
    login(client, citizen)
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "Đã hoàn tiền một phần" in page and "Đã hoàn lại 400.000" in page
    with pytest.raises(processing.DossierError, match="chưa thanh toán phí"):
        processing.act(dossier.id, desk, "receive", {}, None)
    refund(accountant, attempt, 100_000, reason="Hoàn nốt")
    assert 'data-testid="fee-status">Đã hoàn tiền<' in client.get(f"/dossiers/{dossier.id}").get_data(
        as_text=True
    )


def test_order_paid_is_told_once_to_subscribers_in_the_settling_transaction(app, client, paid_procedure):
    """Payments knows no client: dossiers, schools and documents hear `order_paid`. A replayed IPN tells
    nobody again, and what a subscriber adds commits with the payment (the receipt's job)."""
    from service.payments import events

    heard = []

    def listen(order, attempt, **_):
        heard.append((order.reference, attempt.reference, order.status))

    citizen = create_citizen()
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    login(client, citizen)
    good = signed_result(app, start_payment(client, order_of(dossier)))
    with events.order_paid.connected_to(listen):
        assert client.get("/payments/vnpay/ipn", query_string=good).json["RspCode"] == "00"
        assert client.get("/payments/vnpay/ipn", query_string=good).json["RspCode"] == "02"
    order = order_of(dossier)
    assert heard == [(order.reference, good["vnp_TxnRef"], "paid")]
    assert len(receipt_jobs()) == 1
