"""In a real browser, at desktop width and on a 390 px phone: a citizen pays a procedure fee through the
VNPAY simulator, comes back before the gateway's notification has arrived, watches the return page wait
and reload itself until the notification settles the payment, then sees it paid and downloads the
e-receipt (issue 16 item 4)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from service.dossiers.models import Dossier
from service.extensions import db
from service.payments import settlement, simulators
from service.payments.views import payer
from tests.factories import create_citizen, create_dossier
from tests.support.browser import sign_in
from tests.support.payments import FEE

WIDTHS = [1280, 390]


@pytest.mark.e2e
@pytest.mark.parametrize("width", WIDTHS)
def test_a_citizen_pays_the_fee_and_the_return_page_reloads_until_the_notification_settles(
    app,
    live_server,
    page,
    paid_procedure,  # noqa: F811
    monkeypatch,
    width,
):
    held: list[dict[str, str]] = []
    monkeypatch.setattr(simulators, "deliver_ipn", held.append)  # the IPN comes after the payer is back
    monkeypatch.setattr(payer, "REFRESH_SECONDS", 1)
    with app.app_context():
        citizen = create_citizen()
        dossier = create_dossier(citizen, paid_procedure, submitted=True)
        email, dossier_id, code = citizen.email, dossier.id, dossier.code
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, email)
    page.goto(f"/dossiers/{dossier_id}")
    expect(page.get_by_test_id("fee-status")).to_have_text("Chưa thanh toán")

    page.get_by_role("button", name="Thanh toán qua VNPAY").click()
    expect(page.get_by_role("heading", name="Cổng thanh toán VNPAY – môi trường mô phỏng")).to_be_visible()
    expect(page.get_by_text("500.000")).to_be_visible()
    page.get_by_role("button", name="Thanh toán thành công").click()

    expect(page.get_by_test_id("waiting")).to_contain_text("Đang chờ cổng thanh toán xác nhận giao dịch")
    expect(page.get_by_test_id("order-status")).to_have_text("Đang chờ xác nhận")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert len(held) == 1
    ipn = page.request.get("/payments/vnpay/ipn", params=held[0])  # the gateway's call, over HTTP
    assert ipn.json()["RspCode"] == "00"
    expect(page.get_by_test_id("order-status")).to_have_text("Đã thanh toán")  # reloaded by itself
    expect(page.get_by_test_id("waiting")).to_have_count(0)

    page.get_by_role("link", name="Về hồ sơ").click()
    expect(page.get_by_test_id("fee-status")).to_have_text("Đã thanh toán")
    receipt = page.get_by_role("link", name="Biên lai thu phí, lệ phí")
    expect(receipt).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    pdf = page.request.get(receipt.get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF-")
    assert page.problems == []

    with app.app_context():
        order = settlement.fee_order(dossier_id)
        assert order.status == "paid" and order.amount == FEE
        assert db.session.get(Dossier, dossier_id).code == code
