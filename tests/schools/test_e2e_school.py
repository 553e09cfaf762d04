"""In a real browser: a parent opens an invoice's payment link, confirms the student's date of birth,
pays through the VNPAY simulator, and the school's accountant sees the invoice collected, imports the
simulated VNPAY statement and sees it reconciled."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from service.extensions import db
from service.payments import simulators
from service.schools import invoicing
from service.schools.models import Invoice
from tests.factories import (
    create_class,
    create_fee_item,
    create_schedule,
    create_school,
    create_school_user,
    create_student,
    create_term,
)
from tests.support.browser import sign_in


@pytest.mark.e2e
def test_a_parent_pays_an_invoice_and_the_accountant_sees_it_collected_and_reconciled(
    app,
    live_server,
    page,
    tmp_path,
    monkeypatch,  # noqa: F811
):
    monkeypatch.setattr(simulators, "VNPAY_LEDGER", {})
    with app.app_context():
        school = create_school(name="Trường Cao đẳng Kỹ thuật An Giang")
        school_class = create_class(school)
        term, item = create_term(school), create_fee_item(school)
        create_schedule(school, term, item, 4_200_000)
        create_student(school, school_class, full_name="Nguyễn Thị Mai")
        invoicing.invoice_term(school.id, term.id, None)
        invoice = db.session.scalars(db.select(Invoice)).one()
        token, number, term_id = invoice.access_token, invoice.number, term.id
        accountant = create_school_user(school).email

    # The parent, on a phone, follows the link from the reminder.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/pay/{token}")
    page.get_by_label("Ngày sinh của người học (ngày/tháng/năm)").fill("01/01/2007")
    page.get_by_role("button", name="Xem thông báo thu").click()
    expect(page.get_by_role("alert")).to_contain_text("Ngày sinh không khớp")
    page.get_by_label("Ngày sinh của người học (ngày/tháng/năm)").fill("15/03/2007")
    page.get_by_role("button", name="Xem thông báo thu").click()
    expect(page.get_by_test_id("outstanding")).to_have_text("4.200.000\xa0₫")
    page.get_by_role("button", name="Thanh toán qua VNPAY").click()
    page.get_by_role("button", name="Thanh toán thành công").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Đã thanh toán")
    page.get_by_role("link", name="Về thông báo thu").click()
    expect(page.get_by_test_id("paid-in-full")).to_be_visible()
    expect(page.get_by_role("link", name="Biên lai số")).to_be_visible()

    # The accountant, at the desk.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.clear_cookies()
    sign_in(page, accountant)  # the password, then the code of the accountant's authenticator app
    page.goto(f"/school/collection?term_id={term_id}")
    expect(page.get_by_test_id("collection-total")).to_contain_text("đã thu 4.200.000")
    expect(page.get_by_test_id("collection-total")).to_contain_text("100%")
    page.goto("/school/invoices?state=paid")
    expect(page.get_by_role("link", name=number)).to_be_visible()

    statement = tmp_path / "sao-ke-vnpay.csv"
    statement.write_bytes(page.request.get("/simulators/vnpay/merchant/statement.csv").body())
    page.goto("/school/reconciliation")
    expect(page.get_by_test_id("reconciliation-summary")).to_contain_text("Chỉ có ở hệ thống: 1")
    page.get_by_label("Nguồn").select_option("vnpay")
    page.get_by_label("Tệp sao kê").set_input_files(str(Path(statement)))
    page.get_by_role("button", name="Nhập sao kê").click()
    expect(page.get_by_text("Đã nhập 1 dòng sao kê")).to_be_visible()
    expect(page.get_by_test_id("reconciliation-summary")).to_contain_text("Khớp: 1")
    expect(page.get_by_text("Mọi khoản thu trong khoảng này khớp với sao kê")).to_be_visible()
    assert page.problems == []
