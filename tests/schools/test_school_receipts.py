"""Tuition is billed and receipted by the school (LAW-2026 §1): the receipt for a school's bill is issued
in the school's name, with its tax code and its own series, numbered apart from the Sở's; a school that
sends its own e-invoices gets no receipt from us, and the payer is told the school will send it."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from service.database import begin_write
from service.documents import issuing
from service.documents.models import DocumentJob, IssuedDocument
from service.extensions import db
from service.payments.models import TaxTransmission
from service.schools.models import School
from service.timeutil import local_today
from tests.support.documents import text_of
from tests.support.schools import SCHOOL_TAX_CODE, confirm


def pay_in_full(client, invoice):
    confirm(client, invoice)
    response = client.submit(f"/pay/{invoice.access_token}/pay/vnpay")
    params = dict(parse_qsl(urlsplit(response.location).query, keep_blank_values=True))
    client.post("/simulators/vnpay/pay", data={**params, "outcome": "00"})
    return client.get(f"/pay/{invoice.access_token}").get_data(as_text=True)


def change_school(invoice, **values) -> School:
    begin_write()
    school = db.session.get(School, invoice.school_id)
    for name, value in values.items():
        setattr(school, name, value)
    db.session.commit()
    return school


def receipts() -> list[IssuedDocument]:
    return db.session.scalars(db.select(IssuedDocument).where(IssuedDocument.kind == "receipt")).all()


def test_a_tuition_receipt_is_the_schools_with_its_tax_code_and_series(client, invoice):
    school = db.session.get(School, invoice.school_id)
    pay_in_full(client, invoice)
    [receipt] = receipts()
    data = receipt.data["receipt"]
    assert (data["issuer_name"], data["issuer_tax_code"]) == (school.name, SCHOOL_TAX_CODE)
    assert (data["form_symbol"], data["series"]) == ("EBL01", f"{local_today():%y}TAB")
    assert receipt.number == "0000001" and receipt.signed  # the school's series starts at 1
    assert receipt.title == "Biên lai thu học phí"
    text = text_of(issuing.pdf_bytes(receipt))
    assert school.name in text and SCHOOL_TAX_CODE in text and "BIÊN LAI THU HỌC PHÍ" in text
    assert "Sở Giáo dục và Đào tạo" not in text and "1600000000" not in text  # never the Sở's
    [sent] = db.session.scalars(db.select(TaxTransmission)).all()
    assert sent.status == "done" and f"<MST>{SCHOOL_TAX_CODE}</MST>" in sent.message


def test_a_school_that_sends_e_invoices_gets_no_receipt_and_the_payer_is_told(client, invoice):
    school = change_school(invoice, tuition_document="e_invoice")
    page = pay_in_full(client, invoice)
    assert receipts() == [] and db.session.scalars(db.select(DocumentJob)).all() == []
    assert "nhà trường lập và gửi hóa đơn điện tử" in page and school.name in page
    assert "Thông báo thu học phí số" in page


def test_a_school_without_its_tax_code_has_its_receipt_wait_visibly(client, invoice):
    change_school(invoice, tax_code=None)
    page = pay_in_full(client, invoice)
    assert receipts() == [] and "chưa khai báo đủ mã số thuế" in page
    [job] = db.session.scalars(db.select(DocumentJob).where(DocumentJob.kind == "receipt")).all()
    assert job.status == "failed" and "chưa khai báo mã số thuế" in job.error


def test_the_command_line_registers_a_schools_receipt_settings(app):
    runner = app.test_cli_runner()
    base = ["schools", "create", "--code", "TCLX", "--name", "Trường Trung cấp Long Xuyên", "--tax-code"]
    refused = runner.invoke(args=[*base, "1601112223", "--receipt-series", "AF"])
    assert refused.exit_code != 0 and "Hai chữ cái của ký hiệu biên lai" in refused.output
    assert runner.invoke(args=[*base, "1601112223", "--receipt-series", "xy"]).exit_code == 0
    invoicing = runner.invoke(
        args=["schools", "create", "--code", "TCHD", "--name", "Trường HĐ", "--e-invoice"]
    )
    assert invoicing.exit_code == 0
    db.session.expire_all()
    settings = dict(db.session.execute(db.select(School.code, School.receipt_series_letters)).all())
    assert settings == {"TCLX": "XY", "TCHD": None}
    school = db.session.scalar(db.select(School).where(School.code == "TCHD"))
    assert school.tuition_document == "e_invoice"
