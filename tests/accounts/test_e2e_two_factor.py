"""In a real browser, on a phone: an official's first login enrols a second factor from the key shown on
the page, keeps the recovery codes and reaches the worklist; the next login asks for the code. The live
server and browser fixtures are tests/support/browser.py's."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, create_official
from tests.support.browser import sign_in


@pytest.mark.e2e
def test_an_official_enrols_at_the_first_login_on_a_phone(app, page):  # noqa: F811
    with app.app_context():
        email = create_official("reception", enrolled=False).email
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/officials/dossiers")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("heading", name="Bật xác thực hai bước")).to_be_visible()
    expect(page.locator("svg.qr")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    secret = page.get_by_test_id("manual-secret").inner_text().replace(" ", "")
    page.get_by_label("Mã xác thực (6 số trên ứng dụng)").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Xác nhận và bật xác thực hai bước").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="Tôi đã lưu các mã, tiếp tục").click()
    expect(page).to_have_url(re.compile(r"/officials/dossiers$"))

    page.get_by_role("button", name="Đăng xuất").click()
    sign_in(page, email)  # the password, then the code
    expect(page.locator(".flash")).to_contain_text("Xin chào")
    assert page.problems == []
