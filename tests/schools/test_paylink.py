"""An invoice's payment link: the payer confirms the student's date of birth (limited tries), sees the
items, pays through a gateway simulator (in part where the school allows it), and gets the receipt."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from service.extensions import db
from service.payments.models import PaymentOrder
from service.schools import counter, fees
from service.schools.models import School
from tests.factories import (
    create_school_user,
    last_email,
)
from tests.support.schools import TOTAL, confirm


def pay_vnpay(client, invoice, amount=None):
    data = {"amount": str(amount)} if amount else {}
    response = client.submit(f"/pay/{invoice.access_token}/pay/vnpay", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    params = dict(parse_qsl(urlsplit(response.location).query, keep_blank_values=True))
    back = client.post("/simulators/vnpay/pay", data={**params, "outcome": "00"})
    return client.get(back.location)


def test_a_parent_confirms_the_birth_date_pays_and_gets_the_receipt(client, invoice):
    first = client.get(f"/pay/{invoice.access_token}").get_data(as_text=True)
    assert "ngày sinh của người học" in first and "4.500.000" not in first  # nothing shown before the check
    assert confirm(client, invoice).status_code == 302
    page = client.get(f"/pay/{invoice.access_token}").get_data(as_text=True)
    assert "4.500.000" in page and invoice.number in page

    result = pay_vnpay(client, invoice).get_data(as_text=True)
    assert "Đã thanh toán" in result and "Về thông báo thu" in result
    student = invoice.student  # what was paid for, in the payer's words
    assert (
        f"<dd>Học phí, khoản thu {invoice.term.name} – {student.code} {student.full_name} "
        f"(thông báo thu {invoice.number})</dd>"
    ) in result
    page = client.get(f"/pay/{invoice.access_token}").get_data(as_text=True)
    assert "Thông báo thu đã được nộp đủ" in page
    link = re.search(r'href="(/pay/[^"]+/receipts/\d+\.pdf)"', page).group(1)
    assert client.get(link).data.startswith(b"%PDF-")
    assert "Biên lai điện tử" in last_email("sv@example.vn").subject
    again = client.submit(f"/pay/{invoice.access_token}/pay/vnpay")
    assert again.status_code == 409 and "đã được nộp đủ" in again.get_data(as_text=True)


def test_wrong_birth_dates_are_limited(app, client, invoice):
    limit = app.config["PAYMENT_LINK_MAX_DOB_FAILURES"]
    for n in range(limit - 1):
        answer = confirm(client, invoice, "01/01/2000").get_data(as_text=True)
        assert f"Còn {limit - 1 - n} lần thử" in answer
    assert "liên kết tạm khóa" in confirm(client, invoice, "01/01/2000").get_data(as_text=True)
    locked = confirm(client, invoice)  # even the right date, for a while
    assert locked.status_code == 400 and "tạm khóa" in locked.get_data(as_text=True)
    assert client.submit(f"/pay/{invoice.access_token}/pay/vnpay").status_code == 302  # back to the check
    assert db.session.scalar(db.select(db.func.count()).select_from(PaymentOrder)) == 0


def test_a_transfer_goes_to_the_schools_own_account(client, invoice):
    confirm(client, invoice)
    page = client.submit(f"/pay/{invoice.access_token}/pay/vietqr", follow_redirects=True).get_data(
        as_text=True
    )
    assert "1140012345" in page and "VietinBank" in page
    reference = re.search(r'transfer-reference">(TT[A-Z2-9]{10})<', page).group(1)
    client.post(
        "/simulators/bank/transfer", data={"reference": reference, "amount": TOTAL, "account": "1140012345"}
    )
    assert fees.paid_amount(invoice.id) == TOTAL


def test_partial_payments_only_where_the_school_allows_them(client, invoice):
    confirm(client, invoice)
    refused = client.submit(f"/pay/{invoice.access_token}/pay/vnpay", {"amount": "1.000.000"})
    assert refused.status_code == 409 and "không nhận nộp từng phần" in refused.get_data(as_text=True)
    from service.database import begin_write

    begin_write()
    db.session.get(School, invoice.school_id).allow_partial_payment = True
    db.session.commit()
    pay_vnpay(client, invoice, "1.000.000")
    assert fees.paid_amount(invoice.id) == 1_000_000
    page = client.get(f"/pay/{invoice.access_token}").get_data(as_text=True)
    assert "3.500.000" in page  # what is left
    too_much = client.submit(f"/pay/{invoice.access_token}/pay/vnpay", {"amount": "4000000"})
    assert too_much.status_code == 409 and "3.500.000" in too_much.get_data(as_text=True)
    garbage = client.submit(f"/pay/{invoice.access_token}/pay/vnpay", {"amount": "abc"})
    assert garbage.status_code == 400


def test_a_part_paid_while_the_payer_asked_for_another_amount_still_counts(client, invoice):
    """A payer at VNPAY for one part asks, in another tab, to pay the whole rest: the first order stays
    payable while its attempt is pending, so its money counts when it arrives, and what is paid beyond
    the invoice is flagged for a refund (an accountant reads how much and why)."""
    from service.database import begin_write
    from service.payments.models import PaymentIncident

    begin_write()
    db.session.get(School, invoice.school_id).allow_partial_payment = True
    db.session.commit()
    confirm(client, invoice)
    part = client.submit(f"/pay/{invoice.access_token}/pay/vnpay", {"amount": "1.000.000"})
    part_params = dict(parse_qsl(urlsplit(part.location).query, keep_blank_values=True))
    pay_vnpay(client, invoice)  # the whole 4.500.000, through a second order
    client.post("/simulators/vnpay/pay", data={**part_params, "outcome": "00"})  # the first part, late
    db.session.expire_all()
    assert fees.paid_amount(invoice.id) == TOTAL + 1_000_000
    [incident] = db.session.scalars(db.select(PaymentIncident)).all()
    assert (incident.kind, incident.amount, incident.detail) == (
        "overpaid",
        1_000_000,
        f"Thông báo thu {invoice.number} đã được nộp thừa 1.000.000\xa0₫; cần hoàn tiền cho người nộp.",
    )


def test_a_cancelled_invoice_cannot_be_paid(client, invoice):
    confirm(client, invoice)
    fees.cancel_invoice(invoice.id, None, "Lập nhầm")
    closed = client.get(f"/pay/{invoice.access_token}")
    assert closed.status_code == 410 and "đã bị nhà trường hủy" in closed.get_data(as_text=True)
    assert client.submit(f"/pay/{invoice.access_token}/pay/vnpay").status_code == 409
    assert client.get("/pay/khong-co-lien-ket-nay").status_code == 404


def test_a_counter_payment_is_recorded_with_its_reason_and_counts(client, invoice):
    accountant = create_school_user(db.session.get(School, invoice.school_id))
    counter.record(invoice.id, accountant, 500_000, "PT-0012", "Phụ huynh không có tài khoản ngân hàng")
    assert fees.paid_amount(invoice.id) == 500_000
    with pytest.raises(fees.FeeError, match="Số tiền phải từ 1 đồng"):
        counter.record(invoice.id, accountant, TOTAL, "PT-0013", "x")
    confirm(client, invoice)
    assert "4.000.000" in client.get(f"/pay/{invoice.access_token}").get_data(as_text=True)
