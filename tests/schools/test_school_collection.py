"""The accountant's view: collected against outstanding by term, class and fee item; payments by day
and channel; arrears; Excel exports; reconciliation against statements (matched, only ours, only
theirs, amount differs)."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
import zxingcpp
from openpyxl import load_workbook
from PIL import Image

from service.extensions import db
from service.schools import counter, invoicing
from service.schools.models import Invoice
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
    refused,
    row_counts,
)
from tests.support.schools import pay_online, statement, upload


@pytest.fixture
def school(client):
    school = create_school()
    it, el = create_class(school, "CNTT"), create_class(school, "DIEN", "Điện công nghiệp", "trung_cap")
    term = create_term(school)
    tuition, other = create_fee_item(school), create_fee_item(school, "BHYT", "other", "Bảo hiểm y tế")
    create_schedule(school, term, tuition, 3_000_000, due_on=local_today() - timedelta(days=1))
    create_schedule(school, term, other, 1_000_000, due_on=local_today() - timedelta(days=1))
    students = [create_student(school, it), create_student(school, it), create_student(school, el)]
    invoicing.invoice_term(school.id, term.id, None)
    accountant = create_school_user(school)
    login(client, accountant)
    invoices = {i.student_id: i for i in db.session.scalars(db.select(Invoice))}
    return school, term, students, invoices, accountant


def test_collected_against_outstanding_by_class_item_and_channel(client, school):
    school, term, students, invoices, accountant = school
    pay_online(client, invoices[students[0].id])  # 4.000.000 by VNPAY
    counter.record(invoices[students[1].id].id, accountant, 1_000_000, "PT-7", "Nộp tại quầy")
    login(client, accountant)
    page = (
        client.get("/school/collection", query_string={"term_id": term.id})
        .get_data(as_text=True)
        .replace("\xa0", " ")
    )
    assert (
        "Phải thu <strong>12.000.000 ₫</strong> – đã thu <strong>5.000.000 ₫</strong> – còn nợ <strong>7.000.000 ₫</strong>"
        in page
    )
    assert "41,7%" in page
    from service.schools import reports

    summary = reports.collection(school.id, term.id)
    assert (summary.by_class["CNTT"].billed, summary.by_class["CNTT"].collected) == (8_000_000, 5_000_000)
    assert (summary.by_class["DIEN"].collected, summary.by_item["Học phí"].collected) == (0, 3_750_000)
    assert summary.by_item["Bảo hiểm y tế"].collected == 1_250_000
    assert [r.student.id for r in summary.arrears] == [students[1].id, students[2].id]
    [day] = reports.payments_by_day(school.id, reports.Period.from_args({}))
    assert day.by_channel == {"vnpay": 4_000_000, "manual": 1_000_000}

    arrears = client.get("/school/collection", query_string={"term_id": term.id, "format": "arrears"})
    rows = list(load_workbook(io.BytesIO(arrears.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Mã người học" and {r[0] for r in rows[1:]} == {students[1].code, students[2].code}
    payments = client.get("/school/collection", query_string={"format": "payments"})
    rows = list(load_workbook(io.BytesIO(payments.data)).active.iter_rows(values_only=True))
    assert sorted(r[1] for r in rows[1:]) == ["Thu trực tiếp", "VNPAY"]
    invoices_xlsx = client.get("/school/invoices", query_string={"format": "xlsx", "state": "outstanding"})
    rows = list(load_workbook(io.BytesIO(invoices_xlsx.data)).active.iter_rows(values_only=True))
    assert len(rows) == 3  # header + the two with arrears


def test_a_period_with_the_end_before_the_start_is_refused_with_a_message(client, school):
    page = client.get("/school/collection", query_string={"from": "2026-12-01", "to": "2026-11-01"})
    assert page.status_code == 200 and "Ngày kết thúc trước ngày bắt đầu" in page.get_data(as_text=True)
    long = client.get("/school/reconciliation", query_string={"from": "2020-01-01", "to": "2026-11-01"})
    assert "tối đa một năm" in long.get_data(as_text=True)


def test_reconciliation_sorts_every_payment_and_statement_line(client, school):
    school, term, students, invoices, accountant = school
    first = pay_online(client, invoices[students[0].id])
    second = pay_online(client, invoices[students[1].id])
    third = pay_online(client, invoices[students[2].id])
    login(client, accountant)
    today = local_today().strftime("%d/%m/%Y")
    answer = upload(
        client,
        statement(
            f"1001,{first},4000000,{today}",
            f"1002,{second},3900000,{today}",
            f"1003,TTABCDEFGHJK,250000,{today}",
        ),
    )
    assert answer.status_code == 302
    page = client.get("/school/reconciliation").get_data(as_text=True)
    assert (
        "Khớp: <strong>1</strong> – Chỉ có ở hệ thống: <strong>1</strong> – Chỉ có ở sao kê: <strong>1</strong> – Lệch số tiền: <strong>1</strong>"
        in page
    )
    assert third in page
    again = client.get(upload(client, statement(f"1001,{first},4000000,{today}")).location).get_data(
        as_text=True
    )
    assert "Đã nhập 0 dòng sao kê; 1 dòng trùng mã giao dịch đã nhập (bỏ qua)." in again
    bad = upload(client, statement("1004,x,bốn triệu,hôm qua"))
    assert bad.status_code == 400 and "Dòng sai định dạng" in bad.get_data(as_text=True)


def test_the_simulated_vnpay_merchant_statement_reconciles(client, school, monkeypatch):
    from service.payments import simulators

    monkeypatch.setattr(
        simulators, "VNPAY_LEDGER", {}
    )  # only this test's transactions at the simulated VNPAY
    school, term, students, invoices, accountant = school
    pay_online(client, invoices[students[0].id])
    login(client, accountant)
    exported = client.get("/simulators/vnpay/merchant/statement.csv").data
    upload(client, exported)
    page = client.get("/school/reconciliation").get_data(as_text=True)
    assert "Mọi khoản thu trong khoảng này khớp với sao kê" in page


def test_every_statement_line_is_accounted_for_and_unknown_references_are_kept(client, school):
    """Issue 17 item 7: a line is stored, or counted with why it was not; what nobody recognises stays
    as the bank wrote it; channels are named in Vietnamese."""
    from service.database import write
    from service.payments.models import PaymentOrder
    from service.payments.settlement import open_order
    from tests.factories import create_school

    school, term, students, invoices, accountant = school
    other = create_school("KHAC")
    with write():
        elsewhere = open_order(100_000, "Khoản của trường khác", "invoice", school_id=other.id)
    today = local_today().strftime("%d/%m/%Y")
    data = statement(
        f"2001,CK hoc phi con toi Nguyen Van A,1500000,{today}",
        f"2001,CK hoc phi con toi Nguyen Van A,1500000,{today}",
        f"2002,{elsewhere.reference},100000,{today}",
    )
    page = client.get(upload(client, data).location).get_data(as_text=True)
    assert (
        "Đã nhập 1 dòng sao kê; 1 dòng trùng mã giao dịch đã nhập (bỏ qua); "
        "1 dòng là khoản thu của đơn vị khác (không nhập)." in page
    )
    only_theirs = page.split('data-testid="only-theirs"', 1)[1].split("</table>", 1)[0]
    assert "CK hoc phi con toi Nguyen Va" in only_theirs and "<td>VNPAY</td>" in only_theirs
    assert elsewhere.reference not in page and db.session.get(PaymentOrder, elsewhere.id).status == "unpaid"


def test_the_simulated_momo_and_bank_statements_can_be_imported(client, school, monkeypatch):
    from service.payments import simulators

    monkeypatch.setattr(simulators, "MOMO_LEDGER", {})
    monkeypatch.setattr(simulators, "BANK_LEDGER", [])
    school, term, students, invoices, accountant = school
    invoice = invoices[students[1].id]
    client.submit(f"/pay/{invoice.access_token}", {"date_of_birth": "15/03/2007"})
    response = client.submit(f"/pay/{invoice.access_token}/pay/momo")
    fields = dict(parse_qsl(urlsplit(response.location).query))
    client.post("/simulators/momo/pay", data={**fields, "outcome": "success"})
    client.post("/simulators/bank/transfer", data={"reference": "CHUYEN NHAM", "amount": 75_000})
    login(client, accountant)
    momo = client.get("/simulators/momo/merchant/statement.csv").data.decode("utf-8-sig")
    assert momo.startswith("Mã giao dịch,orderId,Số tiền,Ngày giao dịch") and fields["orderId"] in momo
    upload(client, momo.encode("utf-8"), "momo")
    bank = client.get("/simulators/bank/statement.csv").data
    upload(client, bank, "bank")
    page = client.get("/school/reconciliation").get_data(as_text=True)
    matched = page.split('data-testid="matched"', 1)[1].split("</table>", 1)[0]
    assert fields["orderId"] in matched and "<td>Ví MoMo</td>" in matched
    only_theirs = page.split('data-testid="only-theirs"', 1)[1].split("</table>", 1)[0]
    assert "CHUYEN NHAM chuyen tien" in only_theirs and "<td>Ngân hàng (VietQR)</td>" in only_theirs


def test_school_staff_start_from_their_days_work(client, school):
    """Issue 17 item 5: the accountant's landing page counts what waits, each a link to its list."""
    school, term, students, invoices, accountant = school
    page = client.get("/dashboard", follow_redirects=True).get_data(as_text=True)
    today = page.split('data-testid="today"', 1)[1].split("</section>", 1)[0]
    assert "<strong>3</strong> thông báo thu chưa nộp đủ" in today and "3 quá hạn" in today  # due yesterday
    assert "/school/invoices?state=outstanding" in today and "khoản hoàn tiền đang xử lý" in today
    assert "<strong>0</strong> khoản tiền cần xem xét" in today
    assert "<strong>0</strong> báo cáo định kỳ chưa nộp" in today
    pay_online(client, invoices[students[0].id])
    login(client, accountant)
    today = client.get("/school/").get_data(as_text=True).split('data-testid="today"', 1)[1]
    assert "<strong>2</strong> thông báo thu chưa nộp đủ" in today
    from tests.factories import create_school_user

    login(client, create_school_user(school, role="school_admin"))
    page = client.get("/dashboard", follow_redirects=True).get_data(as_text=True)
    assert "Việc cần làm" in page and "khoản hoàn tiền đang xử lý" not in page  # not the administrator's


def test_bills_reach_payers_by_email_sms_and_printed_slips(client, school):
    """Issue 17 item 6: one bill's link or a class's, sent once a day per channel and recorded; a sheet
    of QR slips, one per student still owing."""
    from service.database import write
    from service.notifications.models import OutboundEmail, OutboundSms
    from service.schools.models import Reminder, Student

    school, term, students, invoices, accountant = school
    first, second = students[0], students[1]  # both in class CNTT
    with write():
        for number, student in enumerate((first, second), start=1):
            row = db.session.get(Student, student.id)
            row.email, row.phone = f"sv{number}@example.vn", f"091234567{number}"
    bill = invoices[first.id]
    page = client.submit(f"/school/invoices/{bill.id}/send", follow_redirects=True).get_data(as_text=True)
    assert "Đã gửi liên kết nộp học phí: 1 thư điện tử, 1 tin nhắn." in page
    sent_list = page.split('data-testid="sent-links"', 1)[1].split("</ul>", 1)[0]
    assert "thư điện tử – liên kết nộp tiền" in sent_list and "tin nhắn SMS – liên kết nộp tiền" in sent_list
    emails = db.session.scalars(
        db.select(OutboundEmail).where(OutboundEmail.recipient == "sv1@example.vn")
    ).all()
    assert len(emails) == 1 and f"/pay/{bill.access_token}" in emails[0].body_text
    [sms] = db.session.scalars(db.select(OutboundSms).where(OutboundSms.recipient == "0912345671")).all()
    assert bill.number in sms.body
    again = client.submit(f"/school/invoices/{bill.id}/send", follow_redirects=True).get_data(as_text=True)
    assert "Đã gửi liên kết nộp học phí: 0 thư điện tử, 0 tin nhắn; 2 lượt đã gửi trong hôm nay" in again
    class_id = first.class_id
    listing = client.get(f"/school/invoices?class_id={class_id}").get_data(as_text=True)
    assert "Gửi liên kết cho cả lớp" in listing and "In phiếu QR cả lớp" in listing
    sent = client.submit(f"/school/classes/{class_id}/send-links", follow_redirects=True).get_data(
        as_text=True
    )
    assert (
        "Lớp CNTT: Đã gửi liên kết nộp học phí: 1 thư điện tử, 1 tin nhắn; 2 lượt đã gửi trong hôm nay"
        in sent
    )
    second_bill = invoices[second.id].id
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(Reminder).where(Reminder.invoice_id == second_bill)
        )
        == 2
    )
    pay_online(client, bill)
    login(client, accountant)
    sheet = (
        client.get(f"/school/classes/{class_id}/slips")
        .get_data(as_text=True)
        .split('data-testid="slips"', 1)[1]
    )
    assert sheet.count('class="slip"') == 1 and second.full_name in sheet and first.full_name not in sheet
    assert f"/pay/{invoices[second.id].access_token}" in sheet and "Mã QR nộp học phí" in sheet
    # The slip's QR, printed, opens that student's payment link.
    qr = client.get(sheet.split('class="slip-qr"', 1)[0].rsplit('<img src="', 1)[1].split('"', 1)[0])
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.data)))
    assert decoded.text.endswith(f"/pay/{invoices[second.id].access_token}")
    assert client.get(f"/school/classes/{class_id + 1000}/slips").status_code == 404


def test_another_schools_staff_cannot_send_or_print_this_schools_bills(client, school):
    from service.schools.models import Reminder

    school, term, students, invoices, accountant = school
    login(client, create_school_user(create_school("KHAC")))
    bill = invoices[students[0].id]
    assert "Không tìm thấy" in refused(client.submit(f"/school/invoices/{bill.id}/send"), 404)
    assert "Không tìm thấy" in refused(
        client.submit(f"/school/classes/{students[0].class_id}/send-links"), 404
    )
    assert "Không tìm thấy" in refused(client.get(f"/school/classes/{students[0].class_id}/slips"), 404)
    assert row_counts(Reminder) == (0,)


def test_a_long_statement_is_written_in_chunks_and_each_line_counted_once(client, school, monkeypatch):
    """Issue 18 item 5: lines go in as batches (here of 3); a transaction id repeated across a chunk's
    edge, or imported before, is counted as a duplicate, never stored twice."""
    from service.schools import statements
    from service.schools.models import StatementLine

    monkeypatch.setattr(statements, "CHUNK", 3)
    today = local_today().strftime("%d/%m/%Y")
    first = [f"{3000 + n},CK {n},{100_000 + n},{today}" for n in range(7)]
    page = client.get(upload(client, statement(*first, first[2], first[6])).location).get_data(as_text=True)
    assert "Đã nhập 7 dòng sao kê; 2 dòng trùng mã giao dịch đã nhập (bỏ qua)." in page
    again = [*first[5:], f"3100,CK moi,250000,{today}"]
    page = client.get(upload(client, statement(*again)).location).get_data(as_text=True)
    assert "Đã nhập 1 dòng sao kê; 2 dòng trùng mã giao dịch đã nhập (bỏ qua)." in page
    stored = db.session.scalars(
        db.select(StatementLine.external_id).order_by(StatementLine.external_id)
    ).all()
    assert stored == [str(3000 + n) for n in range(7)] + ["3100"]
    amounts = dict(db.session.execute(db.select(StatementLine.external_id, StatementLine.amount)).all())
    assert amounts["3004"] == 100_004 and amounts["3100"] == 250_000


def test_a_statement_over_the_size_limit_is_refused_whole(client, school, monkeypatch, app):
    from service.schools.models import StatementLine

    monkeypatch.setitem(app.config, "STATEMENT_MAX_BYTES", 1024 * 1024)
    today = local_today().strftime("%d/%m/%Y")
    lines = [
        f"{10_000_000 + n},Chuyen khoan hoc phi hoc ky 1 nam hoc 2026,{n + 1},{today}" for n in range(18_000)
    ]
    data = statement(*lines)
    assert 1024 * 1024 < len(data) < 1024 * 1024 + 512 * 1024  # within the body limit, over the file limit
    response = upload(client, data)
    assert response.status_code == 400
    assert "Tệp sao kê quá lớn (tối đa 1 MB). Hãy tách theo tháng hoặc theo tuần." in response.get_data(
        as_text=True
    )
    assert row_counts(StatementLine) == (0,)


def test_the_reconciliation_page_shows_the_first_rows_and_counts_the_rest(client, school, monkeypatch):
    from service.schools import statements

    monkeypatch.setattr(statements, "SHOWN_ROWS", 2)
    today = local_today().strftime("%d/%m/%Y")
    upload(client, statement(*[f"{4000 + n},CK la {n},{50_000 + n},{today}" for n in range(5)]))
    page = client.get("/school/reconciliation").get_data(as_text=True)
    assert "Chỉ có ở sao kê: <strong>5</strong>" in page
    only_theirs = page.split('data-testid="only-theirs"', 1)[1].split("</table>", 1)[0]
    assert only_theirs.count("<tr><td>VNPAY</td>") == 2
    assert "Hiển thị 2 dòng đầu; còn 3 dòng khác." in page
