"""In a real browser: a citizen pays a procedure fee through the VNPAY simulator, sees it paid and
downloads the e-receipt."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from service.dossiers.models import Dossier
from service.extensions import db
from service.payments import settlement
from tests.factories import PASSWORD, create_citizen, create_dossier
from tests.support.payments import FEE


@pytest.mark.e2e
def test_a_citizen_pays_the_fee_through_the_vnpay_simulator(app, live_server, page, paid_procedure):  # noqa: F811
    with app.app_context():
        citizen = create_citizen()
        dossier = create_dossier(citizen, paid_procedure, submitted=True)
        email, dossier_id, code = citizen.email, dossier.id, dossier.code

    page.goto("/account/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"/dossiers/{dossier_id}")
    expect(page.get_by_test_id("fee-status")).to_have_text("Chưa thanh toán")

    page.get_by_role("button", name="Thanh toán qua VNPAY").click()
    expect(page.get_by_role("heading", name="Cổng thanh toán VNPAY – môi trường mô phỏng")).to_be_visible()
    expect(page.get_by_text("500.000")).to_be_visible()
    page.get_by_role("button", name="Thanh toán thành công").click()

    expect(page.get_by_test_id("order-status")).to_have_text("Đã thanh toán")
    page.get_by_role("link", name="Về hồ sơ").click()
    expect(page.get_by_test_id("fee-status")).to_have_text("Đã thanh toán")
    receipt = page.get_by_role("link", name="Biên lai thu phí, lệ phí")
    expect(receipt).to_be_visible()
    pdf = page.request.get(receipt.get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF-")
    assert page.problems == []

    with app.app_context():
        order = settlement.fee_order(dossier_id)
        assert order.status == "paid" and order.amount == FEE
        assert db.session.get(Dossier, dossier_id).code == code
