"""End to end in a real browser: a dossier filed online goes through the one-stop process, from reception to
the result returned, each official acting on the dossier page in headless Chromium; then the citizen sees
the outcome and the history. The live server and browser fixtures are tests/support/browser.py's."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from service.dossiers.models import Dossier
from service.extensions import db
from tests.factories import create_citizen, create_dossier, create_official
from tests.support import browser

DATE = re.compile(r"\d{2}/\d{2}/\d{4}")


def sign_in(page: Page, email: str) -> None:
    browser.sign_in(page, email)  # an official gives his second factor too
    expect(page.locator(".flash")).to_contain_text("Xin chào")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.locator(".flash")).to_contain_text("Bạn đã đăng xuất")


def action_form(page: Page, title: str) -> Locator:
    """The one action form headed by exactly this title (several forms share words, e.g. "trả kết quả")."""
    form = page.locator("form.action-form").filter(has=page.get_by_role("heading", name=title, exact=True))
    expect(form).to_have_count(1)
    return form


def send(page: Page, form: Locator, title: str) -> None:
    """Submit an action form (data-once: its button is disabled on submit) and wait for the page it leads to.
    The action redirects back to the same dossier URL, so wait for the navigation itself, not for a URL."""
    url = page.url
    with page.expect_navigation():
        form.get_by_role("button", name=title, exact=True).click()
    assert page.url == url
    expect(page.locator(".flash")).to_have_text(f"Đã thực hiện: {title}.")


def open_from_worklist(page: Page, code: str, tab: str, default: bool = False) -> None:
    """From the header's "Hồ sơ cần xử lý": the list `tab` (shown at once when it is the role's default)."""
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Hồ sơ cần xử lý"
    ).click()
    expect(page).to_have_url(re.compile(r"/officials/dossiers$"))
    if not default:
        page.get_by_role("navigation", name="Danh sách").get_by_role("link", name=tab_name(tab)).click()
    expect(page.locator("nav.tabs a.current")).to_have_text(tab_name(tab))
    page.get_by_role("link", name=code, exact=True).click()
    expect(page).to_have_url(re.compile(r"/dossiers/\d+$"))
    expect(page.get_by_test_id("detail-code")).to_have_text(code)


def tab_name(label: str) -> re.Pattern:
    """A worklist tab: its label, then how many dossiers wait in it (working lists only)."""
    return re.compile(rf"^\s*{re.escape(label)}(\s+(hơn )?[\d.]+)?\s*$")


@pytest.mark.e2e
def test_one_stop_process_from_reception_to_result_returned(app, page):
    with app.app_context():
        citizen = create_citizen()
        dossier = create_dossier(citizen, submitted=True)
        reception = create_official("reception")
        specialist = create_official("specialist")
        leader = create_official("leader")
        dossier_id, code = dossier.id, dossier.code
        specialist_id, specialist_name = specialist.id, specialist.full_name
        emails = {"citizen": citizen.email, "reception": reception.email}
        emails |= {"specialist": specialist.email, "leader": leader.email}
    assert code

    # 1. Reception: the dossier waits in "Hồ sơ cần xử lý"; receive it, then assign a specialist.
    sign_in(page, emails["reception"])
    page.goto("/officials/dossiers")
    expect(page.locator("nav.tabs a.current")).to_have_text(tab_name("Chờ tiếp nhận"))
    row = page.locator("table tbody tr", has=page.get_by_role("link", name=code, exact=True))
    expect(row).to_contain_text("Đã nộp, chờ tiếp nhận")
    row.get_by_role("link", name=code, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/dossiers/{dossier_id}$"))
    expect(page.get_by_test_id("detail-status")).to_have_text("Đã nộp, chờ tiếp nhận")
    expect(page.get_by_test_id("due-date")).to_have_count(0)
    receive = "Tiếp nhận hồ sơ, hẹn ngày trả kết quả"
    send(page, action_form(page, receive), receive)
    expect(page.get_by_test_id("detail-status")).to_have_text("Đã tiếp nhận")
    expect(page.get_by_test_id("due-date")).to_have_text(DATE)
    shown_due = page.get_by_test_id("due-date").inner_text().strip()

    assign = "Chuyển và phân công chuyên viên xử lý"
    form = action_form(page, assign)
    expect(form.locator(f'select[name="assignee_id"] option[value="{specialist_id}"]')).to_contain_text(
        specialist_name
    )
    form.get_by_label("Chuyên viên xử lý").select_option(str(specialist_id))
    send(page, form, assign)
    expect(page.get_by_test_id("detail-status")).to_have_text("Đã phân công xử lý")
    expect(page.locator("dl.facts").first).to_contain_text(specialist_name)
    sign_out(page)

    # 2. Specialist: the dossier is in "Được giao cho tôi"; appraise it and propose a grant to the leader.
    sign_in(page, emails["specialist"])
    open_from_worklist(page, code, tab="Được giao cho tôi")
    send(page, action_form(page, "Bắt đầu thẩm định"), "Bắt đầu thẩm định")
    expect(page.get_by_test_id("detail-status")).to_have_text("Đang thẩm định")
    propose = "Trình lãnh đạo phê duyệt"
    form = action_form(page, propose)
    form.get_by_label("Đề xuất", exact=True).select_option(label="Đề xuất giải quyết (cấp, phê duyệt)")
    form.get_by_label("Dự thảo kết quả").fill("Cấp giấy chứng nhận miễn học phí năm học 2025-2026")
    form.get_by_label("Ý kiến thẩm định").fill("Hồ sơ đủ điều kiện")
    send(page, form, propose)
    expect(page.get_by_test_id("detail-status")).to_have_text("Chờ lãnh đạo phê duyệt")
    sign_out(page)

    # 3. Leader: the dossier is in the default list "Chờ tôi phê duyệt"; approve the draft.
    sign_in(page, emails["leader"])
    open_from_worklist(page, code, tab="Chờ tôi phê duyệt", default=True)
    expect(page.locator("#actions")).to_contain_text("Cấp giấy chứng nhận miễn học phí năm học 2025-2026")
    approve = "Phê duyệt, ban hành kết quả"
    send(page, action_form(page, approve), approve)
    expect(page.get_by_test_id("detail-status")).to_have_text("Đã có kết quả")
    sign_out(page)

    # 4. Reception returns the result electronically.
    sign_in(page, emails["reception"])
    open_from_worklist(page, code, tab="Tất cả hồ sơ")
    returning = "Trả kết quả"
    form = action_form(page, returning)
    form.get_by_label("Hình thức trả kết quả").select_option(label="Trả kết quả điện tử")
    send(page, form, returning)
    expect(page.get_by_test_id("detail-status")).to_have_text("Đã trả kết quả")
    expect(page.locator("#actions")).to_contain_text("Không có thao tác nào")
    sign_out(page)

    # 5. The citizen sees the result returned and the history of the dossier.
    sign_in(page, emails["citizen"])
    page.get_by_role("link", name="Hồ sơ của tôi").click()
    expect(page).to_have_url(re.compile(r"/dossiers$"))
    row = page.locator("table tbody tr", has=page.get_by_role("link", name=code, exact=True))
    expect(row).to_contain_text("Đã trả kết quả")
    row.get_by_role("link", name=code, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/dossiers/{dossier_id}$"))
    expect(page.get_by_test_id("detail-status")).to_have_text("Đã trả kết quả")
    expect(page.get_by_test_id("due-date")).to_have_text(shown_due)
    expect(page.locator("#actions")).to_have_count(0)
    timeline = page.locator("ol.timeline")
    for label in ("Tiếp nhận hồ sơ", "Phê duyệt, ban hành kết quả", "Trả kết quả"):
        expect(timeline).to_contain_text(label)
    sign_out(page)

    with app.app_context():
        done = db.session.get(Dossier, dossier_id)
        assert done.status == "returned" and done.return_method == "electronic"
        assert done.assignee_id == specialist_id and done.due_date.strftime("%d/%m/%Y") == shown_due
        assert [e.event for e in done.events] == [
            "create",
            "submit",
            "receive",
            "assign",
            "start_appraisal",
            "propose",
            "approve",
            "return_result",
        ]

    assert page.problems == []  # no HTTP 5xx, no uncaught script error


@pytest.mark.e2e
def test_a_step_refused_on_a_phone_keeps_what_the_official_typed(app, page, tmp_path):
    """Issue 15 item 5 in the browser: the desk officer, on a phone, types a refusal and attaches a file
    that is not a PDF; the page comes back with the reason, the typed text still in its field, and asks
    for the file again. Then a colleague receives the dossier first: the text is kept to copy."""
    from service.dossiers import processing

    with app.app_context():
        dossier = create_dossier(create_citizen(), submitted=True)
        desk, colleague = create_official("reception"), create_official("reception")
        dossier_id, email, colleague_id = dossier.id, desk.email, colleague.id
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, email)
    page.goto(f"/dossiers/{dossier_id}")
    form = action_form(page, "Từ chối tiếp nhận hồ sơ")
    reason = "Thủ tục thuộc thẩm quyền của Ủy ban nhân dân cấp xã; đề nghị nộp tại đó."
    form.get_by_label("Lý do từ chối tiếp nhận").fill(reason)
    fake = tmp_path / "thong-bao.pdf"
    fake.write_bytes(b"MZ not a pdf")
    form.locator('input[type="file"]').set_input_files(str(fake))
    with page.expect_navigation():
        form.get_by_role("button", name="Từ chối tiếp nhận hồ sơ", exact=True).click()
    expect(page.locator(".flash-error")).to_contain_text("Tệp đính kèm phải là PDF")
    form = action_form(page, "Từ chối tiếp nhận hồ sơ")
    expect(form.get_by_label("Lý do từ chối tiếp nhận")).to_have_value(reason)
    expect(form.get_by_test_id("kept-act:refuse")).to_contain_text("vui lòng chọn lại tệp")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone

    with app.app_context():  # meanwhile the colleague receives it
        from service.accounts.models import User

        processing.act(dossier_id, db.session.get(User, colleague_id), "receive", {}, None)
    with page.expect_navigation():
        form.get_by_role("button", name="Từ chối tiếp nhận hồ sơ", exact=True).click()
    expect(page.locator(".flash-warning")).to_contain_text("vừa được người khác xử lý")
    expect(page.get_by_test_id("kept-gone").get_by_label("Nội dung, lý do, ghi chú")).to_have_value(reason)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.problems == []
