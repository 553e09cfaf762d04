"""In a real browser at desktop width and on a phone (390 px): Enter in an e-form field saves the draft and keeps every
table row, a row added brings the page back to its table, an invalid field is listed at the top with a
link that leads to it, a refused upload is explained at its document; after filing, the fee is paid by a VietQR
page that has its own address, keeps its reference on reload and offers copy and save buttons."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import ORGANISATION_PROCEDURE, create_citizen, create_dossier, create_organisation
from tests.support.browser import sign_in
from tests.support.payments import paid_procedure as paid_procedure  # noqa: F401  (the fixture)

WIDTHS = [1280, 390]
PHONE = "phone"  # "Số điện thoại liên hệ" in ORGANISATION_PROCEDURE's e-form
FIRST_DOCUMENT = "registration_letter"  # its first document (a PDF or Word file)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.e2e
@pytest.mark.parametrize("width", WIDTHS)
def test_the_e_form_keeps_every_input_and_shows_each_error_where_it_belongs(app, live_server, page, width):
    with app.app_context():
        organisation = create_organisation()
        dossier = create_dossier(organisation, ORGANISATION_PROCEDURE, files=False)
        email, dossier_id = organisation.email, dossier.id
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, email)
    page.goto(f"/dossiers/{dossier_id}/edit")
    rows = page.locator("#field-occupations tbody tr")
    before = rows.count()
    assert before >= 1
    cell = rows.first.locator("input").first
    cell.fill("6520227")
    with page.expect_navigation():
        cell.press("Enter")
    expect(page.get_by_text("Đã lưu nháp.")).to_be_visible()
    expect(rows).to_have_count(before)
    expect(rows.first.locator("input").first).to_have_value("6520227")

    with page.expect_navigation():
        page.get_by_role("button", name="+ Thêm dòng").click()
    assert page.url.endswith("#field-occupations")
    expect(rows).to_have_count(before + 1)

    phone = page.locator(f'[name="{PHONE}"]')  # not a phone number: listed at the top, shown at the field
    phone.fill("09x")
    page.get_by_role("button", name="Lưu và tiếp tục: đính kèm giấy tờ").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Có 1 mục chưa hợp lệ")
    summary.get_by_role("link", name=re.compile("^Số điện thoại liên hệ")).click()
    expect(phone).to_be_focused()
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_value("09x")  # what was typed stays, to be corrected
    assert no_horizontal_scroll(page)

    page.goto(f"/dossiers/{dossier_id}/attachments")  # a refused upload is explained at its document
    document = page.locator(f"#doc-{FIRST_DOCUMENT}")
    document.locator("input[type=file]").set_input_files(
        files=[{"name": "don.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf"}]
    )
    document.get_by_role("button", name="Tải lên").click()
    expect(page).to_have_url(re.compile(f"#doc-{FIRST_DOCUMENT}$"))
    expect(document.get_by_test_id("message-at")).to_be_visible()
    assert page.problems == []


@pytest.mark.e2e
@pytest.mark.parametrize("width", WIDTHS)
def test_the_fee_is_paid_from_the_confirmation_by_a_vietqr_page_that_survives_a_reload(
    app, live_server, page, paid_procedure, monkeypatch, width
):
    monkeypatch.setitem(app.config, "BANKFEED_API_KEY", "test-bankfeed-key")
    with app.app_context():
        citizen = create_citizen()
        dossier = create_dossier(citizen, paid_procedure, submitted=True)
        email, dossier_id = citizen.email, dossier.id
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, email)
    page.goto(f"/dossiers/{dossier_id}/submitted")
    expect(page.get_by_test_id("fee-due")).to_contain_text("500.000")
    assert no_horizontal_scroll(page)
    page.get_by_role("button", name="Chuyển khoản bằng mã VietQR").click()
    expect(page).to_have_url(re.compile(r"/payments/o/[^/]+/vietqr$"))
    reference = page.get_by_test_id("transfer-reference").inner_text()
    page.reload()
    expect(page.get_by_test_id("transfer-reference")).to_have_text(reference)
    for name in ("Sao chép số tài khoản", "Sao chép số tiền", "Sao chép nội dung chuyển khoản"):
        expect(page.get_by_role("button", name=name)).to_be_visible()
    png = page.request.get(page.get_by_test_id("save-qr").get_attribute("href"))
    assert png.ok and png.body().startswith(b"\x89PNG")
    assert no_horizontal_scroll(page)
    page.go_back()
    page.get_by_role("button", name="Chuyển khoản bằng mã VietQR").click()
    expect(page.get_by_test_id("transfer-reference")).to_have_text(reference)  # one reference per order
    assert page.problems == []
