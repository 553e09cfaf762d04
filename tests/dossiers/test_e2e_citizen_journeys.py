"""A citizen's journeys in a real browser, at desktop width and on a 390 px phone (issue 16): filing with
the account's details already in the e-form, an earlier document reused from "Giấy tờ của tôi" with one
click, the declaration ticked, the result asked for by post, the filed e-form downloaded; a returned
dossier's result on its page and in the document store; an organisation-only procedure marked in search
and on its page. The live server and browser fixtures are tests/support/browser.py's."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from service.dossiers.samples import sample_pairs
from tests.factories import (
    ORGANISATION_PROCEDURE,
    PERSON_PROCEDURE,
    create_citizen,
    create_dossier,
    procedure_version,
)
from tests.support.browser import sign_in
from tests.support.documents import granted, staff, text_of, through  # noqa: F401  (staff: a fixture)

WIDTHS = [1280, 390]
LONG_XUYEN = "30307"  # phường Long Xuyên (vietnam-provinces), where the result is posted
PREFILLED = ("student_full_name", "personal_id", "phone")


def at_width(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 860})


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def fill(page: Page, pairs: list[tuple[str, str]]) -> None:
    for name, value in pairs:
        field = page.locator(f'[name="{name}"]')
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


@pytest.mark.e2e
@pytest.mark.parametrize("width", WIDTHS)
def test_a_citizen_files_with_prefilled_details_a_reused_document_and_delivery_by_post(app, page, width):
    with app.app_context():
        citizen = create_citizen(full_name="Phạm Thị Hoa")
        earlier = create_dossier(citizen, submitted=True)  # its files are in "Giấy tờ của tôi"
        reusable = {f.document_key: f.original_name for f in earlier.files}
        version = procedure_version(PERSON_PROCEDURE)
        to_type = [(k, v) for k, v in sample_pairs(version.fields) if k not in PREFILLED]
        account = {"student_full_name": citizen.full_name, "personal_id": citizen.personal_id}
        email, province = citizen.email, str(app.config["PROVINCE_CODE"])
    at_width(page, width)
    sign_in(page, email)

    page.goto(f"/procedures/{PERSON_PROCEDURE}")
    expect(page.get_by_test_id("form-templates")).to_contain_text(
        "Tải mẫu: Đơn đề nghị hưởng chính sách nội trú"
    )
    no_sideways_scroll(page)
    page.get_by_role("button", name="Nộp hồ sơ trực tuyến").click()
    expect(page).to_have_url(re.compile(r"/dossiers/\d+/edit$"))
    for name, value in account.items():
        expect(page.locator(f'[name="{name}"]')).to_have_value(value)
    expect(page.get_by_test_id("prefilled")).to_be_visible()
    expect(
        page.get_by_test_id("form-template-application_form")
    ).to_be_attached()  # drawn: test_form_templates
    no_sideways_scroll(page)
    fill(page, to_type)
    page.get_by_role("button", name="Lưu và tiếp tục: đính kèm giấy tờ").click()
    expect(page).to_have_url(re.compile(r"/dossiers/\d+/attachments$"))

    for key, name in reusable.items():  # one click each, nothing uploaded again
        section = page.locator(f"#doc-{key}")
        section.get_by_text("Dùng lại giấy tờ đã có").click()
        section.get_by_role("button", name=re.compile(f"^Dùng lại {re.escape(name)} cho ")).click()
        expect(page.locator(f"#doc-{key} > ul.files")).to_contain_text(name)
    no_sideways_scroll(page)
    page.get_by_role("link", name="Tiếp tục: kiểm tra và nộp").click()

    page.get_by_label("Nhận kết quả qua dịch vụ bưu chính công ích").check()
    page.locator('[name="delivery_address-province"]').select_option(province)
    ward = page.locator('[name="delivery_address-ward"]')
    expect(ward.locator(f'option[value="{LONG_XUYEN}"]')).to_be_attached()
    ward.select_option(LONG_XUYEN)
    page.locator('[name="delivery_address-street"]').fill("12 Trần Hưng Đạo")
    page.get_by_label("Tôi xin cam đoan").check()
    no_sideways_scroll(page)
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    expect(page.get_by_role("heading", name="Nộp hồ sơ thành công")).to_be_visible()
    code = page.get_by_test_id("dossier-code").inner_text().strip()

    page.get_by_role("link", name="Xem hồ sơ").click()
    expect(page.get_by_test_id("delivery")).to_contain_text("12 Trần Hưng Đạo")
    with page.expect_download() as download:
        page.get_by_test_id("filed-form").click()
    text = " ".join(text_of(download.value.path().read_bytes()).split())
    assert "TỜ KHAI ĐÃ NỘP" in text and f"Mã hồ sơ: {code}" in text and "Phạm Thị Hoa" in text
    assert "12 Trần Hưng Đạo" in text and "Tôi xin cam đoan" in text
    no_sideways_scroll(page)
    assert page.problems == []


@pytest.mark.e2e
@pytest.mark.parametrize("width", WIDTHS)
def test_a_returned_dossier_shows_its_result_which_is_then_in_the_document_store(app, page, staff, width):  # noqa: F811
    with app.app_context():
        citizen = create_citizen()
        dossier = granted(citizen, staff)
        through(dossier, [(staff["reception"], "return_result", {"method": "electronic"})])
        email, dossier_id, code = citizen.email, dossier.id, dossier.code
    at_width(page, width)
    sign_in(page, email)

    page.goto(f"/dossiers/{dossier_id}")
    result = page.get_by_test_id("result")
    expect(result).to_contain_text("bằng bản điện tử dưới đây")
    link = result.locator("ul.files a").first
    expect(link).to_contain_text("Quyết định số")
    href = link.get_attribute("href")
    with page.expect_download() as download:
        link.click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
    no_sideways_scroll(page)

    page.goto("/dossiers/documents")
    results = page.locator("#results")
    expect(results.locator(f'a[href="{href}"]')).to_contain_text("Quyết định số")
    expect(results).to_contain_text(code)
    no_sideways_scroll(page)
    assert page.problems == []


@pytest.mark.e2e
@pytest.mark.parametrize("width", WIDTHS)
def test_an_organisation_only_procedure_is_marked_in_search_and_on_its_page(app, page, width):
    with app.app_context():
        citizen = create_citizen()
        name, email = procedure_version(ORGANISATION_PROCEDURE).name, citizen.email
    at_width(page, width)
    sign_in(page, email)

    page.goto("/procedures/?q=dang+ky+hoat+dong")
    row = page.locator("tr", has=page.get_by_role("link", name=name, exact=True))
    expect(row.locator(".badge.org-only")).to_have_text("Chỉ dành cho tổ chức")
    no_sideways_scroll(page)
    row.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_test_id("organisation-only")).to_be_visible()
    expect(page.get_by_test_id("not-for-account")).to_contain_text("tài khoản công dân không nộp được hồ sơ")
    expect(page.get_by_role("button", name="Nộp hồ sơ trực tuyến")).to_have_count(0)
    no_sideways_scroll(page)
    assert page.problems == []
