"""Receipts per Decree 254/2026 and Circular 91/2026 (from 01/07/2026): the new symbols, the specific
fee named, signed or not issued, and the receipt data sent to the tax authority the same day."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from service.documents import issuing
from service.documents.models import DocumentJob, IssuedDocument
from service.extensions import db
from service.jobs import outbox
from service.payments import receipt_rules, tax_simulator
from service.payments.models import TaxTransmission
from service.timeutil import local_today
from tests.factories import create_citizen, create_dossier, create_official, login
from tests.support.documents import text_of
from tests.support.payments import FEE_NAME, order_of, pay


@pytest.fixture(autouse=True)
def fresh_tax_authority():
    tax_simulator.reset()
    yield
    tax_simulator.reset()


def receipts() -> list[IssuedDocument]:
    return db.session.scalars(db.select(IssuedDocument).where(IssuedDocument.kind == "receipt")).all()


def transmissions() -> list[TaxTransmission]:
    return db.session.scalars(db.select(TaxTransmission).order_by(TaxTransmission.id)).all()


def paid_fee(client, paid_procedure):
    citizen = create_citizen(full_name="Trần Văn Nộp")
    dossier = create_dossier(citizen, paid_procedure, submitted=True)
    login(client, citizen)
    order = order_of(dossier)
    pay(client, order, "vnpay")
    return order


def test_a_dossier_fee_receipt_names_the_specific_fee_under_the_new_symbols(client, paid_procedure):
    paid_fee(client, paid_procedure)
    [receipt] = receipts()
    data = receipt.data["receipt"]
    year = f"{local_today():%y}"
    assert (data["form_symbol"], data["series"]) == ("EBL01", f"{year}TAA")
    assert data["lines"][0]["name"] == FEE_NAME and "Nghị định 254/2026" in data["legal_basis"]
    text = text_of(issuing.pdf_bytes(receipt))
    assert "EBL01" in text and f"{year}TAA" in text and FEE_NAME in text
    assert "Phí, lệ phí:" not in text  # never the generic words in place of the fee's name
    assert "Sở Giáo dục và Đào tạo tỉnh An Giang" in text and "1600000000" in text
    assert receipt.signed and "(Ký điện tử)" in text


def test_the_scheme_follows_the_day_of_issue_and_the_old_one_is_kept_for_history():
    old, new = receipt_rules.scheme_on(date(2026, 6, 30)), receipt_rules.scheme_on(date(2026, 7, 1))
    assert (old.form_symbol("EBL01"), old.series(date(2026, 6, 30), "AA")) == ("01BLP0-001", "AG-26E")
    assert (new.form_symbol("EBL01"), new.series(date(2027, 1, 2), "AB")) == ("EBL01", "27TAB")
    assert "Thông tư 91/2026/TT-BTC" in new.legal_basis and new.effective_from == date(2026, 7, 1)
    assert receipt_rules.symbol_problem("EBL01", "AF")  # F is not among the letters Circular 91 allows
    assert (
        receipt_rules.symbol_problem("01BLP0", "AA") and receipt_rules.symbol_problem("EBL01", "AA") is None
    )


def test_a_receipt_that_cannot_be_signed_is_never_issued_and_the_payer_is_told(app, client, paid_procedure):
    saved = {name: app.config[name] for name in ("SIGNING_CERT", "SIGNING_KEY", "SIGNING_DEV_CERTIFICATE")}
    app.config.update(SIGNING_CERT="", SIGNING_KEY="", SIGNING_DEV_CERTIFICATE="")
    try:
        order = paid_fee(client, paid_procedure)
        assert order.status == "paid" and receipts() == [] and transmissions() == []
        [job] = db.session.scalars(db.select(DocumentJob).where(DocumentJob.kind == "receipt")).all()
        assert job.status == "failed" and "chữ ký số" in job.error and job.number is None  # no number spent
        page = client.get(f"/payments/o/{order.access_token}").get_data(as_text=True)
        assert "chưa được phát hành" in page and "chữ ký số" in page
        assert client.get(f"/payments/o/{order.access_token}/receipt.pdf").status_code == 404
    finally:
        app.config.update(saved)
    # A certificate arrives: the receipt waiting is issued, signed, with the first number.
    db.session.execute(db.update(DocumentJob).values(next_attempt_at=None))
    db.session.commit()
    outbox.run_due("document")
    [receipt] = receipts()
    assert receipt.signed and receipt.number == "0000001"


def test_nothing_prints_an_electronic_signature_that_is_not_there(app):
    from service.documents.samples import SAMPLES

    data = SAMPLES["receipt.html"]
    unsigned = issuing.renderer(app.config["DOCUMENT_FONT_DIR"]).render("receipt.html", data)
    signed = issuing.renderer(app.config["DOCUMENT_FONT_DIR"]).render(
        "receipt.html", {**data, "doc": {**data["doc"], "signed": True}}
    )
    assert "(Ký điện tử)" not in text_of(unsigned) and "(Ký điện tử)" in text_of(signed)


def test_the_receipt_reaches_the_tax_authority_the_same_day_with_its_acknowledgement(client, paid_procedure):
    paid_fee(client, paid_procedure)
    [receipt] = receipts()
    [sent] = transmissions()
    assert sent.status == "done" and sent.acknowledged_at is not None
    assert sent.acknowledged_at.date() == receipt.issued_at.date()
    received = ET.fromstring(tax_simulator.RECEIVED[sent.message_id])
    assert received.findtext("TTChung/MST") == "1600000000"
    assert received.findtext("DLieu/BLai/KHBLai") == receipt.data["receipt"]["series"]
    assert received.findtext("DLieu/BLai/SBLai") == receipt.number
    assert received.findtext("DLieu/BLai/TKThu") == FEE_NAME
    answer = ET.fromstring(sent.answer)
    assert (
        answer.findtext("TTChung/MLTDiep") == "999"
        and answer.findtext("TTChung/MTDTChieu") == sent.message_id
    )
    assert answer.findtext("DLieu/TBao/TTTNhan") == "0"


def test_a_failed_transmission_is_retried_and_shown_to_administrators(client, paid_procedure):
    tax_simulator.FAULTS["fail"] = 1  # the tax authority is down once
    paid_fee(client, paid_procedure)
    [sent] = transmissions()
    assert sent.status == "failed" and "503" in sent.error and sent.acknowledged_at is None
    first_message = sent.message_id
    admin = create_official("admin")
    login(client, admin)
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Gửi dữ liệu biên lai cho cơ quan thuế" in page and "Biên lai số 0000001" in page
    client.submit(f"/admin/jobs/tax_authority/{sent.id}/retry")
    db.session.expire_all()
    [sent] = transmissions()
    assert sent.status == "done" and sent.message_id == first_message  # the same message, sent again
    assert list(tax_simulator.RECEIVED) == [first_message]


def test_a_refused_message_is_not_taken_for_an_acknowledgement(app, client, paid_procedure):
    saved = app.config["TAX_AUTHORITY_RECEIVER_CODE"]
    app.config["TAX_AUTHORITY_RECEIVER_CODE"] = ""
    try:
        paid_fee(client, paid_procedure)
    finally:
        app.config["TAX_AUTHORITY_RECEIVER_CODE"] = saved
    [sent] = transmissions()
    assert sent.status == "failed" and "TAX_AUTHORITY_RECEIVER_CODE" in sent.error
    assert tax_simulator.RECEIVED == {}


def test_late_in_the_day_waiting_receipt_data_is_sent_without_waiting_out_its_backoff(client, paid_procedure):
    from service.payments import transmission

    tax_simulator.FAULTS["fail"] = 1
    paid_fee(client, paid_procedure)
    [sent] = transmissions()
    assert sent.status == "failed" and sent.next_attempt_at is not None
    assert outbox.run_due("tax_authority") == 0  # still waiting out its backoff
    assert transmission.hurry_unsent() == [sent.id]
    assert outbox.run_due("tax_authority") == 1
    db.session.expire_all()
    assert transmissions()[0].status == "done"
