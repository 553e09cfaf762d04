"""In a real browser, at desktop width and on a phone: a citizen presses "Đăng nhập bằng VNeID", picks
a test citizen on the simulated VNeID, consents, lands signed in, and the next time goes straight in.
The live server and browser fixtures are tests/support/browser.py's; the app's token request reaches the
simulator inside the app."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from service.accounts.models import User
from service.extensions import db


def no_sideways_scroll(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def through_vneid(page: Page, width: int) -> None:
    page.goto("/account/login")
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    expect(page.get_by_role("heading", name="Đăng nhập VNeID – môi trường mô phỏng")).to_be_visible()
    no_sideways_scroll(page, width)
    page.get_by_label("Nguyễn Văn An – 089090000101 (mức 2)").check()
    page.get_by_role("button", name="Đồng ý chia sẻ thông tin và đăng nhập").click()


@pytest.mark.e2e
@pytest.mark.parametrize("width", [1280, 390])
def test_a_citizen_signs_in_with_vneid_and_the_account_is_made_once(app, page, width):
    page.set_viewport_size({"width": width, "height": 860})
    through_vneid(page, width)
    expect(page.get_by_role("heading", name="Tạo tài khoản từ VNeID")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Nguyễn Văn An")
    no_sideways_scroll(page, width)
    page.get_by_label("Tôi đã đọc và đồng ý với Thông báo xử lý dữ liệu cá nhân").check()
    page.get_by_role("button", name="Tạo tài khoản và đăng nhập").click()
    expect(page.locator(".flash")).to_contain_text("Bạn đã đăng nhập bằng VNeID")

    page.goto("/account/profile")
    expect(page.locator("dl.facts")).to_contain_text("Mức 2")
    no_sideways_scroll(page, width)
    page.get_by_role("button", name="Đăng xuất").click()

    through_vneid(page, width)  # the second time: straight in, no consent page
    expect(page.locator(".flash")).to_contain_text("Bạn đã đăng nhập bằng VNeID")
    expect(page).not_to_have_url(re.compile(r"/consent$"))
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1
    assert page.problems == []
