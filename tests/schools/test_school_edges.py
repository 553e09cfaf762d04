"""Hostile and unlucky cases in school fees: odd statement and student files, extreme dates, refunds
and double payments of one invoice, statement sources, code case, corrections keeping fee items."""

from __future__ import annotations

from datetime import timedelta

from service.extensions import db
from service.schools import counter, fees, invoicing
from service.schools.models import Invoice, Student
from service.timeutil import local_today
from tests.factories import (
    create_class,
    create_fee_item,
    create_schedule,
    create_school,
    create_school_user,
    create_student,
    create_term,
    login,
)
from tests.support.school_imports import csv_file
from tests.support.school_imports import upload as upload_students
from tests.support.schools import statement
from tests.support.schools import upload as upload_statement


def school_with_invoice(client, **school_fields):
    school = create_school(**school_fields)
    school_class = create_class(school)
    term, item = create_term(school), create_fee_item(school)
    create_schedule(school, term, item, 3_000_000, due_on=local_today() - timedelta(days=1))
    student = create_student(school, school_class)
    invoicing.invoice_term(school.id, term.id, None)
    user = create_school_user(school)
    login(client, user)
    return school, user, student, db.session.scalars(db.select(Invoice)).one()


# ---- 500s on hostile input ---------------------------------------------------------------


def test_statement_amount_with_unicode_digits_is_a_400_not_a_500(client):
    invoice = school_with_invoice(client)[3]
    today = local_today().strftime("%d/%m/%Y")
    answer = upload_statement(client, statement(f"1001,x,²³,{today}"))
    assert answer.status_code == 400 and "Traceback" not in answer.get_data(as_text=True)
    assert fees.paid_amount(invoice.id) == 0


def test_statement_amount_too_big_for_bigint_is_a_400_not_a_500(client):
    invoice = school_with_invoice(client)[3]
    today = local_today().strftime("%d/%m/%Y")
    answer = upload_statement(client, statement(f"1001,x,{'9' * 25},{today}"))
    assert answer.status_code == 400 and "Traceback" not in answer.get_data(as_text=True)
    assert fees.paid_amount(invoice.id) == 0


def test_statement_with_a_huge_cell_is_a_400_not_a_500(client):
    invoice = school_with_invoice(client)[3]
    today = local_today().strftime("%d/%m/%Y")
    answer = upload_statement(client, statement(f"1001,{'A' * 140_000},1000,{today}"))
    assert answer.status_code == 400 and "Traceback" not in answer.get_data(as_text=True)
    assert fees.paid_amount(invoice.id) == 0


def test_student_csv_with_a_huge_cell_is_a_400_not_a_500(client):
    school = create_school()
    create_class(school, "CD-CNTT-K26")
    login(client, create_school_user(school))
    answer = upload_students(client, csv_file(f"SV1,{'A' * 140_000},15/03/2007,,CD-CNTT-K26,,,,"))
    assert answer.status_code < 500 and "Traceback" not in answer.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Student)) == 0  # nobody imported


def test_collection_period_at_the_end_of_the_calendar_is_not_a_500(client):
    school_with_invoice(client)
    collection = client.get("/school/collection?from=9999-12-30&to=9999-12-31")
    assert collection.status_code == 200 and "Lỗi hệ thống" not in collection.get_data(as_text=True)
    reconciliation = client.get("/school/reconciliation?from=0001-01-01&to=0001-01-02")
    assert reconciliation.status_code == 200
    assert "Ngày phải trong khoảng năm 2000 đến 2100; đang xem 30 ngày gần nhất." in reconciliation.get_data(
        as_text=True
    )


def test_a_control_character_in_a_name_is_refused_and_exports_stay_readable(client):
    school, user, student, invoice = school_with_invoice(client)
    answer = upload_students(client, csv_file(f"{student.code},Nguyễn\x01An,15/03/2007,,CD-CNTT-K26,,,,"))
    assert "ký tự điều khiển" in client.get(answer.location).get_data(as_text=True)
    db.session.expire_all()
    assert "\x01" not in db.session.get(Student, student.id).full_name
    assert client.get("/school/invoices?format=xlsx").status_code == 200


# ---- arithmetic ----------------------------------------------------------------------------


def test_a_refunded_payment_no_longer_counts_as_paid(client):
    from service.payments.models import PaymentAttempt
    from service.payments.refunds import confirm_manual, request_refund

    school, user, student, invoice = school_with_invoice(client)
    entry = counter.record(invoice.id, user, 1_000_000, "PT-1", "Thu tại quầy")
    refund = request_refund(entry.attempt_id, 1_000_000, "Thu nhầm", user, "key-1")
    confirm_manual(refund.id, user, "FT123")
    db.session.expire_all()
    assert db.session.get(PaymentAttempt, entry.attempt_id).status == "succeeded"
    # the money went back, yet the invoice still shows it paid and it cannot be cancelled:
    assert fees.paid_amount(invoice.id) == 0
    fees.cancel_invoice(invoice.id, user.id, "Thu nhầm người")


def test_an_invoice_is_not_paid_twice_through_two_orders(client):
    """A payer leaves VNPAY mid-payment, comes back and pays again: the first attempt later succeeds."""
    from urllib.parse import parse_qsl, urlsplit

    school, user, student, invoice = school_with_invoice(client)
    client.submit(f"/pay/{invoice.access_token}", {"date_of_birth": "15/03/2007"})
    first = client.submit(f"/pay/{invoice.access_token}/pay/vnpay")
    first_params = dict(parse_qsl(urlsplit(first.location).query, keep_blank_values=True))
    second = client.submit(f"/pay/{invoice.access_token}/pay/vnpay")
    second_params = dict(parse_qsl(urlsplit(second.location).query, keep_blank_values=True))
    assert first_params["vnp_TxnRef"] != second_params["vnp_TxnRef"]
    client.post("/simulators/vnpay/pay", data={**second_params, "outcome": "00"})
    client.post("/simulators/vnpay/pay", data={**first_params, "outcome": "00"})
    db.session.expire_all()
    from service.payments.models import PaymentIncident

    paid = fees.paid_amount(invoice.id)
    incidents = db.session.scalars(db.select(PaymentIncident)).all()
    assert paid == invoice.total or incidents, f"paid {paid} on a {invoice.total} invoice, no incident"


def test_reconciliation_does_not_match_a_line_from_the_wrong_source(client):
    from tests.support.schools import pay_online

    school, user, student, invoice = school_with_invoice(client)
    reference = pay_online(client, invoice)  # paid by VNPAY
    login(client, user)
    today = local_today().strftime("%d/%m/%Y")
    assert upload_statement(client, statement(f"B1,{reference},3000000,{today}"), "bank").status_code == 302
    from service.schools import reports, statements

    result = statements.reconcile(school.id, reports.Period(local_today(), local_today()))
    assert not result.matched  # a bank credit is not the VNPAY settlement


def test_statement_amount_with_decimals_is_read_in_dong(client):
    from tests.support.schools import pay_online

    school, user, student, invoice = school_with_invoice(client)
    reference = pay_online(client, invoice)
    login(client, user)
    today = local_today().strftime("%d/%m/%Y")
    upload_statement(client, statement(f"V1,{reference},3000000.00,{today}"))
    from service.schools import reports, statements

    result = statements.reconcile(school.id, reports.Period(local_today(), local_today()))
    assert len(result.matched) == 1, result


def test_reimport_with_a_different_case_code_updates_instead_of_duplicating(client):
    school = create_school()
    create_class(school, "CD-CNTT-K26")
    login(client, create_school_user(school))
    for code in ("SV001", "sv001"):
        answer = upload_students(client, csv_file(f"{code},Nguyễn An,15/03/2007,,CD-CNTT-K26,,,,"))
        client.submit(f"/school/imports/{int(answer.location.rsplit('/', 1)[-1])}/confirm")
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Student)) == 1


def test_replacement_keeps_the_fee_items_for_collection_by_item(client):
    from service.schools import reports

    school, user, student, invoice = school_with_invoice(client)
    new = fees.replace_invoice(invoice.id, user.id, "Sửa", [{"description": "Học phí", "amount": 2_000_000}])
    line = new.lines[0]
    assert line.fee_item_id is not None
    assert list(reports.collection(school.id, invoice.term_id).by_item) == ["Học phí"]


def test_csv_with_cr_line_endings_is_read_or_refused_not_a_500(client):
    school = create_school()
    create_class(school, "CD-CNTT-K26")
    login(client, create_school_user(school))
    data = ("Mã sinh viên,Họ và tên,Ngày sinh,Mã lớp\rSV1,An,15/03/2007,CD-CNTT-K26\r").encode()
    assert upload_students(client, data).status_code < 500
    today = local_today().strftime("%d/%m/%Y")
    data = f"Mã giao dịch,Mã tham chiếu,Số tiền,Ngày\r1,x,1000,{today}\r".encode()
    assert upload_statement(client, data).status_code < 500
