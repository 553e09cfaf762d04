"""End to end in a real browser: a citizen registers, confirms the email, files a dossier online and then
finds it again through the public lookup, signed out. Headless Chromium (Debian's) driven by Playwright
against the app served on a free local port, with the tests' database."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from service.dossiers.samples import pdf_bytes, sample_pairs
from tests.factories import (
    PASSWORD,
    PERSON_PROCEDURE,
    last_email,
    link_in,
    load_catalogue,
    procedure_version,
)
from tests.support.browser import sign_in

CODE = re.compile(r"^H01\.48-\d{6}-\d{4}$")
EMAIL = "nguyen.thi.mai@example.vn"
# What the citizen types where the sample value would do less well in a screenshot.
TYPED = {"student_full_name": "Nguyễn Thị Mai", "personal_id": "089205009999", "school_year": "2025-2026"}


def fill_eform(page: Page, pairs: list[tuple[str, str]]) -> None:
    """Type or choose each value in the field of that name, as a person would."""
    for name, value in pairs:
        field = page.locator(f'[name="{name}"]')
        if field.evaluate("element => element.tagName") == "SELECT":
            if field.get_attribute("data-ward") is not None:
                # The communes arrive from /api/v1/divisions/<province>/wards once the province is chosen.
                expect(field.locator(f'option[value="{value}"]')).to_be_attached()
            field.select_option(value)
        else:
            field.fill(value)


@pytest.mark.e2e
def test_citizen_registers_files_online_and_looks_the_dossier_up(app, live_server, page, tmp_path):
    with app.app_context():
        load_catalogue()
        version = procedure_version(PERSON_PROCEDURE)
        fields = version.fields
        required_documents = [d for d in version.documents if d.get("required")]
    assert required_documents

    # 1. Registration as a citizen.
    page.goto("/account/register")
    page.get_by_label("Công dân", exact=True).check()
    page.get_by_label("Họ và tên", exact=True).fill("Nguyễn Thị Mai")
    page.get_by_label("Số định danh cá nhân (CCCD, 12 số)").fill("089205009999")
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Số điện thoại", exact=True).fill("0912345678")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Tôi đã đọc và đồng ý").check()
    page.get_by_role("button", name="Đăng ký", exact=True).click()
    expect(page.get_by_role("heading", name="Vui lòng xác nhận email")).to_be_visible()
    expect(page.locator("main")).to_contain_text(f"Chúng tôi đã gửi thư xác nhận đến {EMAIL}")

    # 2. The confirmation email, read from the outbox, links to the live server.
    with app.app_context():
        message = last_email(EMAIL)
        assert message is not None, "no confirmation email was stored"
        body, path = message.body_text, link_in(message)
    assert f"{live_server}{path}" in body
    page.goto(f"{live_server}{path}")
    expect(page).to_have_url(re.compile(r"/account/login$"))
    expect(page.locator(".flash")).to_contain_text("Email đã được xác nhận")

    # 3. Sign in.
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("Xin chào Nguyễn Thị Mai")

    # 4. Start a dossier from the procedure's page and fill the e-form.
    page.goto(f"/procedures/{PERSON_PROCEDURE}")
    page.get_by_role("button", name="Nộp hồ sơ trực tuyến").click()
    expect(page).to_have_url(re.compile(r"/dossiers/\d+/edit$"))
    fill_eform(page, [(name, TYPED.get(name, value)) for name, value in sample_pairs(fields)])
    page.get_by_role("button", name="Lưu và tiếp tục: đính kèm giấy tờ").click()
    expect(page).to_have_url(re.compile(r"/dossiers/\d+/attachments$"))

    # 5. Attach a real PDF to every required document.
    for document in required_documents:
        key = document["key"]
        pdf = tmp_path / f"{key}.pdf"
        pdf.write_bytes(pdf_bytes(key))
        section = page.locator(f"#doc-{key}")
        section.locator('input[type="file"]').set_input_files(pdf)
        section.get_by_role("button", name="Tải lên").click()
        expect(page.locator(".flash")).to_contain_text(f"Đã đính kèm tệp “{key}.pdf”")
        expect(page.locator(f"#doc-{key} ul.files")).to_contain_text(f"{key}.pdf")

    # 6. Review and submit.
    page.get_by_role("link", name="Tiếp tục: kiểm tra và nộp").click()
    expect(page).to_have_url(re.compile(r"/dossiers/\d+/review$"))
    expect(page.locator("main")).not_to_contain_text("Hồ sơ chưa thể nộp")
    page.get_by_label("Tôi xin cam đoan").check()
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    expect(page).to_have_url(re.compile(r"/dossiers/\d+/submitted$"))
    expect(page.get_by_role("heading", name="Nộp hồ sơ thành công")).to_be_visible()
    code = page.get_by_test_id("dossier-code").inner_text().strip()
    secret = page.get_by_test_id("lookup-secret").inner_text().strip()
    assert CODE.match(code), code
    assert re.fullmatch(r"\S{8}", secret), secret
    screenshot = tmp_path / "submitted.png"
    page.screenshot(path=screenshot, full_page=True)
    assert screenshot.stat().st_size > 0

    # 7. Signed out, anyone with the code and the lookup secret sees the status.
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.locator(".flash")).to_contain_text("Bạn đã đăng xuất")
    expect(page.get_by_role("link", name="Đăng nhập", exact=True)).to_be_visible()
    page.goto("/lookup")
    page.get_by_label("Mã hồ sơ", exact=True).fill(code)
    page.get_by_label("Mã tra cứu hoặc số điện thoại đã đăng ký").fill(secret)
    page.get_by_role("button", name="Tra cứu").click()
    result = page.get_by_test_id("lookup-result")
    expect(result).to_contain_text(code)
    expect(result).to_contain_text("Đã nộp, chờ tiếp nhận")

    assert page.problems == []


@pytest.mark.e2e
def test_locking_an_account_asks_first_and_no_changes_nothing(app, page):
    """One click never locks an account: the browser asks, "no" leaves the account and the button as
    they were (data-confirm runs before data-once), "yes" locks it."""
    from tests.factories import create_official

    with app.app_context():
        admin, official = create_official("admin"), create_official("reception")
        admin_email, email, official_id = admin.email, official.email, official.id
    sign_in(page, admin_email)
    page.goto("/admin/users")
    lock = page.locator("tr", has_text=email).get_by_role("button", name="Khóa", exact=True)
    page.once("dialog", lambda dialog: dialog.dismiss())
    lock.click()
    expect(lock).to_be_enabled()
    with app.app_context():
        from service.accounts.models import User
        from service.extensions import db

        assert db.session.get(User, official_id).is_active_account
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        lock.click()
    expect(page.get_by_text("Đã khóa tài khoản.")).to_be_visible()
    assert not page.problems
