"""In a real browser, on a desktop screen and at phone width (390 px): the desk records a walk-in applicant
by their number, fills the procedure's e-form from the paper application, checks and scans each required
component and receives the dossier, which lands received, its code dated today, with nothing wider than
the screen on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from service.dossiers.models import Dossier
from service.dossiers.samples import sample_file, sample_pairs
from service.extensions import db
from service.timeutil import local_today
from tests.factories import PERSON_PROCEDURE, create_official, procedure_version
from tests.support.browser import sign_in

SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def fill_eform(page, pairs) -> None:
    for name, value in pairs:
        field = page.locator(f'[name="{name}"]')
        if field.count() == 0 or not value:
            continue
        if field.first.evaluate("e => e.tagName") == "SELECT":
            field.first.select_option(value)
        else:
            field.first.fill(value)


@pytest.mark.e2e
@pytest.mark.parametrize("screen", SCREENS)
def test_the_desk_receives_a_walk_in_dossier(app, live_server, page, tmp_path, screen):
    with app.app_context():
        official = create_official("reception")
        version = procedure_version()
        pairs = sample_pairs(version.fields)
        required = [d for d in version.documents if d.get("required")]
        scans = {}
        for document in required:
            content, name = sample_file(document["file_types"], document["key"])
            (tmp_path / name).write_bytes(content)
            scans[document["key"]] = str(tmp_path / name)
        email = official.email
    page.set_viewport_size(SCREENS[screen])
    sign_in(page, email)
    page.goto("/officials/desk/")
    assert fits(page)
    page.get_by_label("Số định danh cá nhân (12 chữ số) hoặc mã số thuế của tổ chức").fill("087654321098")
    with page.expect_navigation():
        page.get_by_role("button", name="Tìm người nộp").click()
    form = page.locator("#new-applicant form")
    form.get_by_label("Họ và tên người nộp (người đại diện của tổ chức)").fill("Phạm Văn Đến Quầy")
    form.get_by_label("Số điện thoại").fill("0907654321")
    with page.expect_navigation():
        form.get_by_role("button", name="Ghi nhận người nộp").click()
    expect(page.get_by_test_id("applicant")).to_contain_text("Phạm Văn Đến Quầy")
    assert fits(page)
    page.get_by_label("Thủ tục hành chính").select_option(PERSON_PROCEDURE)
    with page.expect_navigation():
        page.get_by_role("button", name="Tiếp tục: nhập tờ khai và thành phần hồ sơ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(version.name)
    assert fits(page)
    fill_eform(page, pairs)
    for document in required:
        page.locator(f'input[name="check-{document["key"]}"][value="received"]').check()
        page.locator(f'input[name="scan-{document["key"]}"]').set_input_files(scans[document["key"]])
    page.get_by_label("Tiếp nhận hồ sơ, in Giấy tiếp nhận và hẹn trả kết quả (mẫu 01)").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Ghi nhận hồ sơ", exact=True).last.click()
    expect(page.locator(".flash")).to_contain_text("Đã tiếp nhận hồ sơ")
    assert re.search(r"/dossiers/\d+", page.url) and fits(page)
    assert page.problems == []
    with app.app_context():
        dossier = db.session.scalar(db.select(Dossier).order_by(Dossier.id.desc()))
        assert dossier.status == "received" and dossier.channel == "desk"
        assert f"-{local_today():%y%m%d}-" in dossier.code and all(f.digitised for f in dossier.files)
